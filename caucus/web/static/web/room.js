// The meeting room: one WebSocket to the meeting (chat, presence, signaling, the lobby's
// knocks), peer-to-peer video among the people in the room (one RTCPeerConnection per peer,
// the "perfect negotiation" pattern, the newer arrival makes the offer), and the page's
// forms sent without a reload so that the call and the chat survive them.
// Nothing is stored: media goes browser to browser (DTLS-SRTP); frames live in this page.
(function () {
  "use strict";
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var here = window.location.pathname;

  // ---- Waiting in the lobby: the page opens the room the moment the mediator admits. ----
  var lobbyState = document.getElementById("lobby-state");
  if (lobbyState && lobbyState.getAttribute("data-lobby-ws")) {
    var waiting = new WebSocket(scheme + window.location.host + lobbyState.getAttribute("data-lobby-ws"));
    waiting.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "admitted") {
        lobbyState.textContent = "The mediator let you in. Opening the room…";
        window.location.reload();
      } else if (frame.type === "closed" && frame.reason === "ended") {
        lobbyState.textContent = "The meeting has ended.";
      } else if (frame.type === "closed") {
        lobbyState.textContent = "You are no longer waiting for this meeting.";
      }
    });
    return;
  }

  var body = document.getElementById("meeting-body");
  if (!body || body.getAttribute("data-live") !== "true") return;
  var chatRoot = document.getElementById("chat");
  var video = document.getElementById("video");
  var status = document.getElementById("media-status");
  var presenceList = document.getElementById("presence-list");
  var provider = video ? video.getAttribute("data-provider") : null;
  var iceServers = [];
  try { iceServers = JSON.parse((video && video.getAttribute("data-ice")) || "[]"); } catch (e) { iceServers = []; }

  function say(text) { if (status) status.textContent = text; }

  function notice(text, href) {
    var box = document.getElementById("room-notice");
    if (!box) return;
    box.textContent = text + " ";
    if (href && /^\/meetings\/[0-9a-f-]{36}$/.test(href)) {
      var link = document.createElement("a");
      link.className = "button";
      link.id = "move-link";
      link.href = href;
      link.textContent = "Go to the private session";
      box.appendChild(link);
    }
    box.hidden = false;
  }

  // ---- The socket, shared with chat.js through DOM events. ----
  var socket = null;
  var me = null;
  var mySince = null;
  var present = {};  // participant id -> {participant_id, name, role, since}
  var closedForGood = false;

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }
  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }
  window.CaucusLive = { send: send };

  function connect() {
    socket = new WebSocket(scheme + window.location.host + chatRoot.getAttribute("data-ws-path"));
    socket.addEventListener("open", function () { emit("caucus:open", {}); });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (!frame || typeof frame !== "object") return;
      if (frame.type === "hello") me = frame.participant_id;
      else if (frame.type === "presence") onPresence(frame.present);
      else if (frame.type === "signal" && provider === "mesh") onSignal(frame.from, frame.data);
      else if (frame.type === "e2ee" && provider === "janus") onKeyFrame(frame.from, frame.data);
      else if (frame.type === "lobby") refresh(["run"]);
      else if (frame.type === "move") notice("The mediator invites you to a private session with your side.", "/meetings/" + frame.meeting_id);
      else if (frame.type === "mediator_away") notice("The mediator is in a private session. Please wait here; they will be back.", null);
      emit("caucus:frame", frame);
    });
    socket.addEventListener("close", function (event) {
      closedForGood = true;
      hangUp();
      var messages = {
        4000: "The meeting has ended. The call and the chat are gone.",
        4001: "You are back in the lobby. The call has stopped.",
        4002: "You are no longer in this meeting. The call has stopped.",
        4401: "You are signed out. The call has stopped.",
        4403: "The room is open only to people admitted to this meeting."
      };
      say(messages[event.code] || "Disconnected. Reload the page to reconnect.");
      if (presenceList) presenceList.innerHTML = "";
      emit("caucus:close", { code: event.code });
      if (event.code === 4000 || event.code === 4001 || event.code === 4002) {
        // The page as the server now shows it (ended meeting, lobby): no room left in it.
        refresh(["run", "attendance"]);
      }
    });
  }

  // ---- Who is in this room. ----
  function onPresence(list) {
    var next = {};
    list.forEach(function (p) { next[p.participant_id] = p; if (p.participant_id === me) mySince = p.since; });
    Object.keys(peers).forEach(function (id) { if (!next[id]) dropPeer(id); });
    present = next;
    if (presenceList) {
      presenceList.innerHTML = "";
      list.forEach(function (p) {
        var li = document.createElement("li");
        li.textContent = (p.participant_id === me ? "You" : p.name) + (p.role === "mediator" ? " (mediator)" : "");
        presenceList.appendChild(li);
      });
    }
    if (inCall && provider === "mesh") list.forEach(function (p) { if (p.participant_id !== me && iAmNewer(p)) peerFor(p.participant_id); });
  }

  function iAmNewer(p) {
    if (!mySince) return false;
    if (p.since === mySince) return me > p.participant_id;
    return p.since < mySince;
  }

  // ---- Media. ----
  var localStream = null;
  var cameraTrack = null;
  var screenTrack = null;
  var inCall = false;
  var peers = {};  // participant id -> {pc, polite, makingOffer, ignoreOffer, tile}
  var tiles = document.getElementById("tiles");
  var preview = document.getElementById("preview");
  var cameraSelect = document.getElementById("camera-select");
  var micSelect = document.getElementById("mic-select");

  function mediaError(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "Your browser refused the camera and microphone. Allow them for this site (the icon in the address bar), then try again. You can still join to see and hear the others.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No camera or microphone was found. Plug one in and try again, or join to see and hear the others.";
    }
    if (name === "NotReadableError") return "The camera or microphone is in use by another application.";
    return "The camera and microphone could not be started.";
  }

  function constraints() {
    var cam = cameraSelect && cameraSelect.value;
    var mic = micSelect && micSelect.value;
    return {
      video: cam ? { deviceId: { exact: cam } } : true,
      audio: mic ? { deviceId: { exact: mic } } : true
    };
  }

  function fillDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return Promise.resolve();
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      [[cameraSelect, "videoinput", "Camera"], [micSelect, "audioinput", "Microphone"]].forEach(function (spec) {
        var select = spec[0];
        if (!select) return;
        var chosen = select.value;
        select.innerHTML = "";
        devices.filter(function (d) { return d.kind === spec[1]; }).forEach(function (d, i) {
          var option = document.createElement("option");
          option.value = d.deviceId;
          option.textContent = d.label || spec[2] + " " + (i + 1);
          select.appendChild(option);
        });
        if (!select.options.length) {
          var none = document.createElement("option");
          none.value = "";
          none.textContent = "None found";
          select.appendChild(none);
        }
        if (chosen) select.value = chosen;
      });
    });
  }

  function startMedia() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("This browser cannot use a camera here (a secure connection, https, is needed).");
      return Promise.resolve(null);
    }
    if (localStream) localStream.getTracks().forEach(function (t) { t.stop(); });
    return navigator.mediaDevices.getUserMedia(constraints()).then(function (stream) {
      localStream = stream;
      cameraTrack = stream.getVideoTracks()[0] || null;
      if (preview) preview.srcObject = stream;
      say("Your camera and microphone work. Enter the call when you are ready.");
      return fillDevices().then(function () { return stream; });
    }, function (err) {
      localStream = null;
      say(mediaError(err));
      return null;
    });
  }

  function enterCall() {
    var ready = localStream ? Promise.resolve(localStream) : startMedia();
    ready.then(function () {
      if (closedForGood) return;
      inCall = true;
      document.getElementById("device-check").hidden = true;
      document.getElementById("call").hidden = false;
      addTile(me, "You", localStream, true);
      if (provider === "janus") { enterJanus(); return; }
      Object.keys(present).forEach(function (id) {
        if (id === me) return;
        if (peers[id]) addLocalTracks(peers[id].pc);  // they called first: renegotiate
        else if (iAmNewer(present[id])) peerFor(id);
      });
      if (!localStream) say("You are in the call without camera or microphone.");
      else say("You are in the call.");
    });
  }

  function addTile(id, name, stream, mine) {
    var tile = document.getElementById("tile-" + id);
    if (!tile) {
      tile = document.createElement("figure");
      tile.className = "tile";
      tile.id = "tile-" + id;
      var v = document.createElement("video");
      v.className = "tile-video";
      v.autoplay = true;
      v.playsInline = true;
      if (mine) v.muted = true;
      var caption = document.createElement("figcaption");
      caption.textContent = name;
      tile.appendChild(v);
      tile.appendChild(caption);
      tiles.appendChild(tile);
    }
    if (stream) tile.querySelector("video").srcObject = stream;
    return tile;
  }

  function nameOf(id) { return (present[id] && present[id].name) || "Someone"; }

  function addLocalTracks(pc) {
    if (!localStream) {
      if (!pc.getTransceivers().length) {
        pc.addTransceiver("audio", { direction: "recvonly" });
        pc.addTransceiver("video", { direction: "recvonly" });
      }
      return;
    }
    var sending = pc.getSenders().map(function (s) { return s.track; });
    localStream.getTracks().forEach(function (track) {
      var t = track.kind === "video" && screenTrack ? screenTrack : track;
      if (sending.indexOf(t) < 0) pc.addTrack(t, localStream);
    });
  }

  function peerFor(id) {
    if (peers[id]) return peers[id];
    var pc = new RTCPeerConnection({ iceServers: iceServers });
    var peer = { pc: pc, polite: !iAmNewer(present[id] || { since: "", participant_id: id }), makingOffer: false, ignoreOffer: false, restarted: false };
    peers[id] = peer;
    var remote = new MediaStream();
    addTile(id, nameOf(id), remote, false);
    pc.ontrack = function (event) {
      remote.addTrack(event.track);
      var v = document.querySelector("#tile-" + id + " video");
      if (v) v.srcObject = remote;
    };
    pc.onicecandidate = function (event) {
      send({ type: "signal", to: id, data: { candidate: event.candidate ? event.candidate.toJSON() : null } });
    };
    pc.onnegotiationneeded = function () {
      peer.makingOffer = true;
      pc.setLocalDescription().then(function () {
        send({ type: "signal", to: id, data: { description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } } });
      }).catch(function () {}).then(function () { peer.makingOffer = false; });
    };
    pc.oniceconnectionstatechange = function () {
      if (pc.iceConnectionState === "failed") {
        if (!peer.restarted) { peer.restarted = true; pc.restartIce(); }
        say("The connection to " + nameOf(id) + " failed: a firewall may block it. The operator can configure a TURN server.");
      }
    };
    if (inCall) addLocalTracks(pc);
    return peer;
  }

  function onSignal(from, data) {
    if (!data || !present[from]) return;
    var peer = peers[from] || (data.description && data.description.type === "offer" ? peerFor(from) : null);
    if (!peer) return;
    var pc = peer.pc;
    if (data.description) {
      var offerCollision = data.description.type === "offer" && (peer.makingOffer || pc.signalingState !== "stable");
      peer.ignoreOffer = !peer.polite && offerCollision;
      if (peer.ignoreOffer) return;
      pc.setRemoteDescription(data.description).then(function () {
        if (data.description.type !== "offer") return;
        if (inCall) addLocalTracks(pc);
        return pc.setLocalDescription().then(function () {
          send({ type: "signal", to: from, data: { description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } } });
        });
      }).catch(function () {});
    } else if ("candidate" in data) {
      pc.addIceCandidate(data.candidate || undefined).catch(function () {
        if (!peer.ignoreOffer) { /* a candidate for a rolled-back offer: nothing to do */ }
      });
    }
  }

  function dropPeer(id) {
    var peer = peers[id];
    if (peer) peer.pc.close();
    delete peers[id];
    var tile = document.getElementById("tile-" + id);
    if (tile) tile.remove();
  }

  function hangUp() {
    Object.keys(peers).forEach(dropPeer);
    if (janusRoom) janusRoom.leave();
    janusRoom = null;
    var safety = document.getElementById("safety-code");
    if (safety) safety.hidden = true;
    [localStream, screenTrack && new MediaStream([screenTrack])].forEach(function (s) {
      if (s) s.getTracks().forEach(function (t) { t.stop(); });
    });
    localStream = null;
    screenTrack = null;
    inCall = false;
    if (tiles) tiles.innerHTML = "";
    if (preview) preview.srcObject = null;
    var call = document.getElementById("call");
    if (call) call.hidden = true;
  }

  function replaceVideo(track) {
    if (janusRoom) janusRoom.replaceVideo(track);
    Object.keys(peers).forEach(function (id) {
      peers[id].pc.getSenders().forEach(function (s) {
        if (s.track && s.track.kind === "video") s.replaceTrack(track);
      });
    });
    var mine = document.querySelector("#tile-" + me + " video");
    if (mine) mine.srcObject = new MediaStream([track].concat(localStream ? localStream.getAudioTracks() : []));
  }

  function toggle(button, kind, on, off) {
    if (!localStream) return;
    var tracks = kind === "audio" ? localStream.getAudioTracks() : localStream.getVideoTracks();
    var enabled = tracks.length && tracks[0].enabled;
    tracks.forEach(function (t) { t.enabled = !enabled; });
    button.setAttribute("aria-pressed", enabled ? "true" : "false");
    button.textContent = enabled ? on : off;
  }

  function wireControls() {
    var startPreview = document.getElementById("start-preview");
    if (startPreview) startPreview.addEventListener("click", startMedia);
    var enter = document.getElementById("enter-call");
    if (enter) enter.addEventListener("click", enterCall);
    [cameraSelect, micSelect].forEach(function (select) {
      if (select) select.addEventListener("change", function () { if (!inCall) startMedia(); });
    });
    var mic = document.getElementById("toggle-mic");
    if (mic) mic.addEventListener("click", function () { toggle(mic, "audio", "Unmute microphone", "Mute microphone"); });
    var cam = document.getElementById("toggle-camera");
    if (cam) cam.addEventListener("click", function () { toggle(cam, "video", "Turn camera on", "Turn camera off"); });
    var share = document.getElementById("share-screen");
    if (share) share.addEventListener("click", function () {
      if (screenTrack) { screenTrack.stop(); return; }
      if (!navigator.mediaDevices.getDisplayMedia) { say("This browser cannot share its screen."); return; }
      navigator.mediaDevices.getDisplayMedia({ video: true }).then(function (stream) {
        screenTrack = stream.getVideoTracks()[0];
        replaceVideo(screenTrack);
        share.setAttribute("aria-pressed", "true");
        share.textContent = "Stop sharing";
        screenTrack.addEventListener("ended", function () {
          screenTrack = null;
          if (cameraTrack) replaceVideo(cameraTrack);
          share.setAttribute("aria-pressed", "false");
          share.textContent = "Share screen";
        });
      }, function () { say("Screen sharing was cancelled."); });
    });
    var leave = document.getElementById("leave-call");
    if (leave) leave.addEventListener("click", function () {
      hangUp();
      document.getElementById("device-check").hidden = false;
      say("You left the call. The chat still works; enter the call again whenever you wish.");
    });
  }

  // ---- Janus mode: one encrypted publication and one subscription per person through the
  // practice's own Janus (room-janus.js). The media key is agreed among the browsers with
  // key frames carried over this socket, each as the data of an e2ee frame addressed to one
  // participant; the server checks each is in its sender's own name and relays nothing else.
  var janusRoom = null;
  var keyHandler = null;
  var feedOwner = {};  // Janus feed id -> participant id, learnt from frames the server checked
  var meetingId = here.split("/")[2];
  var janusMessages = {
    e2ee_unsupported: "This browser cannot encrypt the call end to end, which this room requires. Use a current Chrome, Edge, Firefox or Safari. The chat, items and notes still work.",
    janus_unreachable: "The video service cannot be reached. The chat, items and notes still work; leave the call and enter again in a moment.",
    refused: "The video room refused the connection. Leave the call and enter again.",
    removed: "You are no longer in this meeting's video room. The call has stopped.",
    token_refused: "You are no longer admitted to this meeting. The call has stopped.",
    ice_failed: "The connection to the video service failed: a firewall may block it. The operator can configure a TURN server.",
    subscribe_failed: "Someone's video could not be received. Leave the call and enter again."
  };

  var keySignal = {
    send: function (frame) {
      // A public key goes to everyone in the room; a wrapped key or a request for one to the
      // owner of the feed it names.
      var to = frame.kind === "public"
        ? Object.keys(present).filter(function (id) { return id !== me; })
        : [feedOwner[frame.to]];
      to.forEach(function (id) { if (id) send({ type: "e2ee", to: id, data: frame }); });
    },
    subscribe: function (handler) { keyHandler = handler; }
  };

  function onKeyFrame(from, data) {
    if (!data || typeof data.feed !== "number") return;
    feedOwner[data.feed] = from;
    var caption = document.querySelector("#tile-feed-" + data.feed + " figcaption");
    if (caption) caption.textContent = nameOf(from);
    if (keyHandler) keyHandler(data);
  }

  function api(path) {
    return fetch("/api/v1/meetings/" + meetingId + path, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) return body;
          var error = new Error(body.error || "error");
          error.status = response.status;
          throw error;
        });
      });
  }

  function showSafetyCode(code) {
    var box = document.getElementById("safety-code");
    if (!box) return;
    box.textContent = "Safety code " + code + ": everyone in the call sees the same code. Read it aloud; a different code means someone in between could see the call.";
    box.hidden = false;
  }

  function enterJanus() {
    if (!window.CaucusJanus || !window.CaucusJanus.supported()) {
      say(janusMessages.e2ee_unsupported);
      return;
    }
    api("/room").then(function (answer) {
      if (closedForGood || !inCall) return null;
      return window.CaucusJanus.join({
        connection: answer.video.janus,
        iceServers: answer.video.ice_servers || [],
        stream: localStream || new MediaStream(),
        renewToken: function () { return api("/room/token"); },
        signal: keySignal,
        onstream: function (feed, stream) {
          addTile("feed-" + feed, feedOwner[feed] ? nameOf(feedOwner[feed]) : "Someone", stream, false);
        },
        onleave: function (feed) {
          var tile = document.getElementById("tile-feed-" + feed);
          if (tile) tile.remove();
        },
        onerror: function (code) {
          // Once the meeting has ended or this person left, Janus's late word must not
          // replace the message saying so.
          if (closedForGood) return;
          say(janusMessages[code] || "The video room failed.");
        },
        onsafetycode: showSafetyCode
      }).then(function (room) {
        janusRoom = room;
        if (closedForGood || !inCall) hangUp();
      });
    }, function (error) {
      say(error && error.status === 403 ? "The room is open only to people admitted to this meeting." : janusMessages.janus_unreachable);
    }).catch(function () { /* join() already said why */ });
  }

  // ---- Forms sent without a reload: the call and the chat stay up. ----
  function refresh(ids, html) {
    var got = html ? Promise.resolve(html) : fetch(here, { credentials: "same-origin" }).then(function (r) { return r.text(); });
    return got.then(function (text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      ids.forEach(function (id) {
        var mine = document.getElementById(id);
        var theirs = doc.getElementById(id);
        if (mine && theirs) mine.replaceWith(document.importNode(theirs, true));
      });
      var error = doc.getElementById("meeting-error");
      var shown = document.getElementById("meeting-error");
      if (shown) shown.remove();
      if (error) body.parentNode.insertBefore(document.importNode(error, true), body);
      if (showTab) showTab();
      body.setAttribute("data-refreshed", String(Number(body.getAttribute("data-refreshed") || "0") + 1));
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || closedForGood) return;
    var live = form.hasAttribute("data-live-form") || form.closest("#items") || form.closest("#notes");
    if (!live || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.action.indexOf("/disclose") >= 0) return;  // leads to another page
    event.preventDefault();
    var button = event.submitter;
    if (button) button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (new URL(response.url).pathname !== here) { window.location.assign(response.url); return null; }
        return response.text();
      })
      .then(function (text) { if (text !== null) return refresh(["run", "attendance", "items", "notes"], text); })
      .catch(function () { say("That could not be sent. Check your connection and try again."); })
      .then(function () { if (button) button.disabled = false; });
  });

  // ---- Tabs on a phone: video, chat, items and notes one at a time. ----
  var showTab = null;
  function tabs() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 50rem)").matches) return;
    var panels = ["video", "chat", "items", "notes"].map(function (id) { return document.getElementById(id); }).filter(Boolean);
    var bar = document.createElement("div");
    bar.className = "room-tabs";
    bar.setAttribute("role", "tablist");
    bar.setAttribute("aria-label", "Room panels");
    panels.forEach(function (panel, i) {
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "secondary";
      tab.setAttribute("role", "tab");
      tab.id = "tab-" + panel.id;
      tab.setAttribute("aria-controls", panel.id);
      tab.textContent = panel.querySelector("h2").textContent;
      tab.addEventListener("click", function () { show(i); });
      bar.appendChild(tab);
    });
    function show(n) {
      panels.forEach(function (panel, i) {
        var current = document.getElementById(panel.id);
        current.hidden = i !== n;
        var tab = document.getElementById("tab-" + panel.id);
        tab.setAttribute("aria-selected", i === n ? "true" : "false");
      });
    }
    var current = 0;
    showTab = function () { show(current); };
    bar.addEventListener("click", function (event) {
      var i = Array.prototype.indexOf.call(bar.children, event.target);
      if (i >= 0) current = i;
    });
    body.parentNode.insertBefore(bar, body);
    show(0);
  }

  if (video && (provider === "mesh" || provider === "janus") && document.getElementById("device-check")) {
    wireControls();
    fillDevices();
  }
  tabs();
  // After chat.js has run (deferred scripts all run before DOMContentLoaded).
  document.addEventListener("DOMContentLoaded", connect);
})();
