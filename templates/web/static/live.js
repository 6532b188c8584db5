// A report on its way: the page reads its own address again every 15 seconds and shows where
// the copies stand now (the sending section and the state in the heading), until every copy is
// accepted, refused or nothing is waiting. Without JavaScript the page says to reload it.
(function () {
  var section = document.getElementById("lage");
  if (!section || section.getAttribute("data-live") !== "waiting" || !window.fetch || !window.DOMParser) { return; }
  var rounds = 0;
  function poll() {
    rounds += 1;
    fetch(section.getAttribute("data-from"), {credentials: "same-origin"})
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var state = fresh.getElementById("lage-ord"), copies = fresh.getElementById("lage-exemplar");
        if (state && document.getElementById("lage-ord")) {
          document.getElementById("lage-ord").textContent = state.textContent;
          document.getElementById("lage-ord").className = state.className;
        }
        if (copies && document.getElementById("lage-exemplar")) {
          document.getElementById("lage-exemplar").innerHTML = copies.innerHTML;
        }
        var again = fresh.getElementById("lage");
        if (again && again.getAttribute("data-live") === "waiting" && rounds < 120) { window.setTimeout(poll, 15000); }
      })
      .catch(function () { if (rounds < 120) { window.setTimeout(poll, 30000); } });
  }
  window.setTimeout(poll, 15000);
})();
