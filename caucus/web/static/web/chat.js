// Live meeting chat over the room's socket (room.js): relays messages to the people in the
// meeting now. Nothing is stored, here or on the server; the log lives only in this page
// and is gone when it closes.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root || !window.CaucusLive) return;
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-text");
  var status = document.getElementById("chat-status");
  var names = {};
  try { names = JSON.parse(root.getAttribute("data-names") || "{}"); } catch (e) { names = {}; }
  var me = root.getAttribute("data-me");
  var open = false;

  function say(text) { status.textContent = text; }

  function show(frame) {
    var li = document.createElement("li");
    var who = document.createElement("strong");
    who.textContent = frame.from === me ? "You" : (names[frame.from] || "Someone");
    var when = document.createElement("span");
    when.className = "meta";
    var at = new Date(frame.at);
    when.textContent = isNaN(at.getTime()) ? "" : " " + at.toLocaleTimeString();
    var body = document.createElement("p");
    body.className = "chat-text";
    body.textContent = frame.text;
    li.appendChild(who);
    li.appendChild(when);
    li.appendChild(body);
    log.appendChild(li);
  }

  document.addEventListener("caucus:open", function () {
    open = true;
    say("Connected. Only the people in this meeting now see what you send.");
    root.setAttribute("data-connected", "true");
  });
  document.addEventListener("caucus:frame", function (event) {
    var frame = event.detail;
    if (frame.type === "chat" && typeof frame.text === "string") show(frame);
    else if (frame.type === "error" && frame.error !== "not_in_room") say(frame.detail || "That message was not sent.");
  });
  document.addEventListener("caucus:close", function (event) {
    open = false;
    root.setAttribute("data-connected", "false");
    var code = event.detail.code;
    if (code === 4000) say("The meeting has ended. The chat is gone.");
    else if (code === 4403) say("The chat is open only to people admitted to this meeting.");
    else if (code === 4001 || code === 4002 || code === 4401) say("You are no longer in this meeting. The chat is closed.");
    else say("Disconnected. Reload the page to reconnect.");
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !open) return;
    window.CaucusLive.send({ type: "chat", text: text });
    input.value = "";
    input.focus();
  });
})();
