// A refused form: the page opens at its summary of what to correct, focused, so a person on a
// phone (and a screen reader) meets the refusal first, wherever the form was on the page. Each
// line of the summary that belongs to a field becomes a link to it (the GOV.UK error summary):
// following it moves to the field and puts the cursor in it.
(function () {
  var summary = document.getElementById("fel");
  if (!summary) { return; }
  var messages = document.querySelectorAll(".field-error[id]");
  summary.querySelectorAll("li").forEach(function (line) {
    var text = line.textContent.trim();
    for (var i = 0; i < messages.length; i++) {
      if (messages[i].textContent.trim() !== text) { continue; }
      var field = document.querySelector('[aria-describedby~="' + messages[i].id + '"]');
      var target = field && field.id ? field : messages[i];
      var link = document.createElement("a");
      link.href = "#" + target.id;
      link.textContent = text;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var details = target.closest("details");
        if (details) { details.open = true; }
        target.scrollIntoView({block: "center"});
        target.focus({preventScroll: true});
      });
      line.textContent = "";
      line.appendChild(link);
      break;
    }
  });
  window.scrollTo(0, Math.max(0, window.scrollY + summary.getBoundingClientRect().top - 8));
  summary.focus({preventScroll: true});
})();
