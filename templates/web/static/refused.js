// A refused form: the page opens at its summary of what to correct, focused, so a person on a
// phone (and a screen reader) meets the refusal first, wherever the form was on the page.
(function () {
  var summary = document.getElementById("fel");
  if (!summary) { return; }
  window.scrollTo(0, Math.max(0, window.scrollY + summary.getBoundingClientRect().top - 8));
  summary.focus({preventScroll: true});
})();
