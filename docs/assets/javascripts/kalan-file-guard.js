/* kalan — keep the site quiet when opened from a USB stick (file://).
 *
 * Material fetches sitemap.xml with XMLHttpRequest to map pages between
 * languages. Browsers refuse XHR on file:// (origin "null"), so each page
 * would log a failed request. Material already falls back to plain links
 * when that fetch errors, so under file:// we answer those requests with an
 * immediate local "error" instead of letting them hit the file system. Over
 * http(s) (kalan serve) nothing is changed.
 */
(function () {
  if (location.protocol !== "file:") return;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__kalanUrl = String(url);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (/sitemap\.xml(\.gz)?$/.test(this.__kalanUrl || "")) {
      var xhr = this;
      setTimeout(function () { xhr.dispatchEvent(new ProgressEvent("error")); }, 0);
      return;
    }
    return send.apply(this, arguments);
  };
})();
