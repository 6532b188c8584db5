// The survey upload with a progress bar: the file's bytes as they go, then "checking" while the
// server reads it. Without JavaScript the form posts as usual. Served as a file of its own, so
// the pages' content security policy allows no inline script at all.
(function () {
  var form = document.getElementById("survey-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = document.getElementById("upload-progress"), bar = document.getElementById("upload-bar"),
        status = document.getElementById("upload-status"), xhr = new XMLHttpRequest();
    box.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      status.textContent = form.dataset.checking;
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL) { history.replaceState(null, "", xhr.responseURL); }
      document.open(); document.write(xhr.responseText); document.close();
    });
    xhr.addEventListener("error", function () {
      status.textContent = form.dataset.failed;
      form.querySelector("button[type=submit]").disabled = false;
    });
    xhr.open("POST", form.action);
    xhr.send(new FormData(form));
  });
})();
