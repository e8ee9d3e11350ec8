/* kalan — let Bambara input methods drive the search box.
 *
 * Material starts a search on "keyup" only. Letters such as ɛ ɔ ɲ ŋ often
 * arrive without a key event (on-screen keyboards, Keyman, copy-paste), so
 * the query would never be sent. On every "input" in the search box we send
 * the keyup Material listens for.
 */
document.addEventListener("input", function (event) {
  var target = event.target;
  if (target instanceof HTMLInputElement && target.matches(".md-search__input")) {
    target.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }
});
