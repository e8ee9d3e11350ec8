/* kalan — the served preview (kalan serve, http) searches in the page's language.
 *
 * From a USB stick (file://) the theme reads search/search_index.js, which kalan
 * writes with one index per language. Over http the theme downloads
 * search/search_index.json with XMLHttpRequest instead, and static-i18n writes that
 * file with the pages of every language mixed. kalan also writes
 * search/search_index.<lang>.json (one language each); this script sends the
 * theme's request to the file of the page's language (<html lang>).
 */
(function () {
  if (location.protocol === "file:") return;
  var lang = document.documentElement.lang;
  if (!/^[a-z]{2,3}$/.test(lang)) return;
  var open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    var args = Array.prototype.slice.call(arguments);
    args[1] = String(url).replace(/search\/search_index\.json(\?.*)?$/, "search/search_index." + lang + ".json$1");
    return open.apply(this, args);
  };
})();
