// The memorandum's editor works as a plain form; with script it also grows with the text,
// warns before leaving with unsaved changes, and saves with Ctrl+S (Cmd+S).
(function () {
  "use strict";
  var editors = document.querySelectorAll(".settlement-editor textarea");
  for (var i = 0; i < editors.length; i++) {
    (function (area) {
      var form = area.form;
      var saved = area.value;
      var leaving = false;
      var least = area.rows;
      // Rows, not a style: the pages carry no style attributes (CSP, and the page checks).
      function grow() {
        area.rows = Math.max(least, area.value.split("\n").length + 2);
      }
      area.addEventListener("input", grow);
      form.addEventListener("submit", function () { leaving = true; });
      window.addEventListener("beforeunload", function (event) {
        if (!leaving && area.value !== saved) {
          event.preventDefault();
          event.returnValue = "";
        }
      });
      area.addEventListener("keydown", function (event) {
        if ((event.ctrlKey || event.metaKey) && event.key === "s") {
          event.preventDefault();
          leaving = true;
          form.requestSubmit();
        }
      });
      grow();
    })(editors[i]);
  }
})();
