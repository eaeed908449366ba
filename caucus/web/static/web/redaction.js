// Selecting text in the document fills the next empty "Add removals" row: the text is shown,
// its place in the document goes in hidden fields, so that only that occurrence is removed.
// Editing the text afterwards clears the place: the typed text is then removed everywhere.
(function () {
  "use strict";
  var pre = document.getElementById("redaction-text");
  if (!pre) { return; }

  function offset(node, within) {
    var el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    var seg = el && el.closest ? el.closest(".seg") : null;
    if (!seg || !pre.contains(seg)) { return null; }
    return parseInt(seg.getAttribute("data-start"), 10) + (node.nodeType === Node.TEXT_NODE ? within : 0);
  }

  function nextRow() {
    var rows = document.querySelectorAll(".add-row");
    for (var i = 0; i < rows.length; i++) {
      var n = rows[i].getAttribute("data-row");
      var t = document.getElementById("add-" + n + "-text");
      if (!t.value) { return n; }
    }
    return null;
  }

  pre.addEventListener("mouseup", function () {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) { return; }
    var range = sel.getRangeAt(0);
    var a = offset(range.startContainer, range.startOffset);
    var b = offset(range.endContainer, range.endOffset);
    if (a === null || b === null || b <= a) { return; }
    var n = nextRow();
    if (n === null) { return; }
    document.getElementById("add-" + n + "-start").value = a;
    document.getElementById("add-" + n + "-end").value = b;
    document.getElementById("add-" + n + "-text").value = sel.toString();
  });

  var fields = document.querySelectorAll(".add-row input[type=text]");
  for (var i = 0; i < fields.length; i++) {
    fields[i].addEventListener("input", function (event) {
      var n = event.target.closest(".add-row").getAttribute("data-row");
      document.getElementById("add-" + n + "-start").value = "";
      document.getElementById("add-" + n + "-end").value = "";
    });
  }
})();
