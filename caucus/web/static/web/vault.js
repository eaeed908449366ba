// The upload form, enhanced: drop a file on the zone, watch the progress bar. Without this
// script the form posts as a plain multipart form.
(function () {
  "use strict";
  var self = document.currentScript && document.currentScript.src;
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var input = form.querySelector("input[type=file]");
  var zone = document.getElementById("dropzone");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var button = form.querySelector("button[type=submit]");
  zone.hidden = false;

  function stop(event) { event.preventDefault(); event.stopPropagation(); }
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { stop(event); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) { stop(event); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!files || !files.length) { return; }
    input.files = files;
    status.textContent = "Ready to upload " + files[0].name + ".";
  });

  function showPage(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.getElementById("main");
    if (main) { document.getElementById("main").innerHTML = main.innerHTML; }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    status.textContent = "Uploading…";
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = "Uploading… " + bar.value + "%";
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
        status.textContent = "Uploaded.";
        window.location.assign(xhr.responseURL);
        return;
      }
      if (xhr.status === 413 || xhr.status === 408 || xhr.status === 429) {
        // The vault answers these before the page is rendered, in one plain sentence.
        button.disabled = false;
        bar.hidden = true;
        status.textContent = xhr.status === 413 ? "The file is larger than the limit." : xhr.responseText;
        return;
      }
      showPage(xhr.responseText);
      if (self) {
        var again = document.createElement("script");
        again.src = self;
        document.body.appendChild(again);
      }
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      status.textContent = "The upload failed. Check your connection and try again.";
    });
    xhr.send(new FormData(form));
  });
})();
