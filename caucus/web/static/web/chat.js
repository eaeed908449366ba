// Live meeting chat: relays messages to the people in the meeting now. Nothing is stored,
// here or on the server; the log lives only in this page and is gone when it closes.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-text");
  var status = document.getElementById("chat-status");
  var names = {};
  try { names = JSON.parse(root.getAttribute("data-names") || "{}"); } catch (e) { names = {}; }
  var me = root.getAttribute("data-me");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + window.location.host + root.getAttribute("data-ws-path");
  var socket = null;

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

  function connect() {
    socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      say("Connected. Only the people in this meeting now see what you send.");
      root.setAttribute("data-connected", "true");
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.text === "string" && frame.from) {
        show(frame);
      } else if (frame && frame.error) {
        say(frame.detail || "That message was not sent.");
      }
    });
    socket.addEventListener("close", function (event) {
      root.setAttribute("data-connected", "false");
      if (event.code === 4000) say("The meeting has ended. The chat is gone.");
      else if (event.code === 4403) say("The chat is open only to people admitted to this meeting.");
      else say("Disconnected. Reload the page to reconnect.");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ text: text }));
    input.value = "";
    input.focus();
  });

  connect();
})();
