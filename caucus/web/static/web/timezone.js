// Tells the server the browser's time zone once, so that pages show local times (issue 15).
// The person can change it on their account page; nothing is sent when the zone is unknown.
(function () {
  "use strict";
  var form = document.getElementById("tz-auto");
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    zone = "";
  }
  if (!form || !zone) {
    return;
  }
  form.elements.time_zone.value = zone;
  fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
})();
