/*
 * The meeting room in Janus mode (issue 12): publishes the local camera and microphone to the
 * meeting's Janus VideoRoom and subscribes to everyone else, with every media frame encrypted
 * end to end (AES-GCM) under a key the participants agree among themselves.
 *
 * Self-contained; no build step. The same file is also the encryption worker: the page loads
 * it with <script src>, and it starts itself as a Worker (same origin, so CSP's script-src
 * 'self' covers it).
 *
 * Key agreement: each participant makes an ECDH P-256 key pair in WebCrypto (private key not
 * extractable) and announces the public key through `signal` (the meeting's WebSocket, which
 * relays it to the admitted people only). The participant with the smallest feed id is the
 * key leader: it draws a random AES-GCM media key and sends it to each member wrapped under
 * HKDF(ECDH(leader, member)). The server relays public keys and wrapped keys only; it never
 * holds the media key. The leader draws a new key whenever someone leaves, so a removed
 * attendee cannot decrypt what follows. `onsafetycode` gives a short code over everyone's
 * public keys that people can compare aloud to detect a server that swapped keys.
 *
 * Interface:
 *   const room = await CaucusJanus.join({
 *     connection,            // janus_connection(): {url, room, token, token_expires_at,
 *                            //   join_token, feed_id}
 *     iceServers,            // ice_servers(): [{urls, username, credential}] or []
 *     stream,                // the local MediaStream (after the device check)
 *     renewToken,            // async () => ({token, token_expires_at}); rejects once the
 *                            //   person is no longer admitted
 *     signal: {send(obj), subscribe(handler)},  // E2EE frames {type: "e2ee", ...} over the
 *                            //   meeting socket; subscribe(handler) calls handler(obj) for
 *                            //   each e2ee frame from someone else
 *     onstream(feedId, mediaStream), onleave(feedId),
 *     onerror(code, message),  // codes: e2ee_unsupported, janus_unreachable, refused,
 *                              //   removed, ice_failed, token_refused
 *     onsafetycode(code),
 *   });
 *   room.stats()  -> Promise<{framesDecoded, audioPacketsReceived, videoPacketsReceived,
 *                             feedsDecoding}>  (feedsDecoding: remote people whose video decodes)
 *   room.states() -> ["new"|"checking"|"connected"|..., ...]  (publisher first)
 *   room.replaceVideo(track) -> Promise (screen sharing: the published video's track)
 *   room.leave()
 *   CaucusJanus.supported() -> boolean (encoded transforms available)
 */
(function () {
  "use strict";

  const FRAME_IV = 12;
  const ALG = "AES-GCM";

  // ------------------------------------------------------------------ worker side
  if (typeof window === "undefined") {
    const keys = new Map(); // epoch -> CryptoKey
    let current = -1;

    const headerLength = (kind, frame) => {
      // The codec's own header stays readable so Janus can route and detect key frames;
      // it is authenticated as associated data.
      if (kind === "video") return frame.type === "key" ? 10 : 3;
      return 1;
    };

    const encrypt = async (kind, frame, controller) => {
      const key = keys.get(current);
      if (!key) return; // no media leaves unencrypted: drop until a key is agreed
      const data = new Uint8Array(frame.data);
      const n = Math.min(headerLength(kind, frame), data.length);
      const iv = crypto.getRandomValues(new Uint8Array(FRAME_IV));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: ALG, iv, additionalData: data.subarray(0, n) }, key, data.subarray(n)
        )
      );
      const out = new Uint8Array(n + sealed.length + FRAME_IV + 1);
      out.set(data.subarray(0, n), 0);
      out.set(sealed, n);
      out.set(iv, n + sealed.length);
      out[out.length - 1] = current;
      frame.data = out.buffer;
      controller.enqueue(frame);
    };

    const decrypt = async (kind, frame, controller) => {
      const data = new Uint8Array(frame.data);
      if (data.length < FRAME_IV + 17) return;
      const key = keys.get(data[data.length - 1]);
      if (!key) return;
      const n = Math.min(headerLength(kind, frame), data.length - FRAME_IV - 17);
      const iv = data.subarray(data.length - 1 - FRAME_IV, data.length - 1);
      try {
        const plain = new Uint8Array(
          await crypto.subtle.decrypt(
            { name: ALG, iv, additionalData: data.subarray(0, n) },
            key,
            data.subarray(n, data.length - 1 - FRAME_IV)
          )
        );
        const out = new Uint8Array(n + plain.length);
        out.set(data.subarray(0, n), 0);
        out.set(plain, n);
        frame.data = out.buffer;
        controller.enqueue(frame);
      } catch (_) {
        // A frame that does not authenticate is dropped, never shown.
      }
    };

    const pipe = (readable, writable, operation, kind) => {
      const step = operation === "encrypt" ? encrypt : decrypt;
      readable
        .pipeThrough(new TransformStream({ transform: (frame, c) => step(kind, frame, c) }))
        .pipeTo(writable)
        .catch(() => {});
    };

    self.onrtctransform = (event) => {
      const t = event.transformer;
      pipe(t.readable, t.writable, t.options.operation, t.options.kind);
    };
    self.onmessage = async (event) => {
      const m = event.data;
      if (m.type === "key") {
        keys.set(m.epoch, await crypto.subtle.importKey("raw", m.raw, ALG, false, ["encrypt", "decrypt"]));
        current = m.epoch;
        // Keep the previous epoch a little: frames in flight under it still decrypt.
        for (const epoch of [...keys.keys()]) {
          if (epoch !== m.epoch && epoch !== m.previous) keys.delete(epoch);
        }
      } else if (m.type === "streams") {
        pipe(m.readable, m.writable, m.operation, m.kind);
      }
    };
    return;
  }

  // ------------------------------------------------------------------ page side
  const SCRIPT_URL = document.currentScript && document.currentScript.src;
  const enc = new TextEncoder();
  const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const randomTx = () => b64(crypto.getRandomValues(new Uint8Array(9)));

  const supported = () =>
    typeof window.RTCRtpScriptTransform === "function" ||
    (window.RTCRtpSender && "createEncodedStreams" in window.RTCRtpSender.prototype);

  class Keys {
    // ECDH key agreement and the meeting's media key (see the header comment).
    constructor(room, feed, signal, worker, onsafetycode) {
      this.room = room;
      this.feed = feed;
      this.signal = signal;
      this.worker = worker;
      this.onsafetycode = onsafetycode || (() => {});
      this.publics = new Map(); // feed -> {raw, key}
      this.epoch = -1;
      this.media = null; // raw media key (leader only keeps it to send to newcomers)
    }

    async start() {
      this.pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
      this.raw = new Uint8Array(await crypto.subtle.exportKey("raw", this.pair.publicKey));
      this.publics.set(this.feed, { raw: this.raw, key: this.pair.publicKey });
      this.announce();
      await this.lead();
    }

    announce() {
      this.signal.send({ type: "e2ee", kind: "public", feed: this.feed, key: b64(this.raw) });
    }

    leader() {
      return Math.min(...this.publics.keys());
    }

    async wrapKey(peer, usage) {
      const bits = await crypto.subtle.deriveBits({ name: "ECDH", public: peer }, this.pair.privateKey, 256);
      const hkdf = await crypto.subtle.importKey("raw", bits, "HKDF", false, ["deriveKey"]);
      return crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: enc.encode(`caucus-e2ee:${this.room}`), info: enc.encode("wrap") },
        hkdf, { name: ALG, length: 256 }, false, [usage]
      );
    }

    aad(from, to, epoch) {
      return enc.encode(`caucus-e2ee|${this.room}|${from}|${to}|${epoch}`);
    }

    async use(raw, epoch) {
      const previous = this.epoch;
      this.epoch = epoch;
      this.worker.postMessage({ type: "key", raw, epoch, previous });
    }

    async send(to) {
      const peer = this.publics.get(to);
      if (!peer || !this.media) return;
      const iv = crypto.getRandomValues(new Uint8Array(FRAME_IV));
      const wrapped = await crypto.subtle.encrypt(
        { name: ALG, iv, additionalData: this.aad(this.feed, to, this.epoch) },
        await this.wrapKey(peer.key, "encrypt"), this.media
      );
      this.signal.send({ type: "e2ee", kind: "key", feed: this.feed, to, epoch: this.epoch, iv: b64(iv), wrapped: b64(wrapped) });
    }

    async lead() {
      // The leader draws a fresh key (on start, when it becomes leader, when anyone leaves).
      if (this.leader() !== this.feed) return;
      this.media = crypto.getRandomValues(new Uint8Array(16));
      await this.use(this.media, (this.epoch + 1) & 0xff);
      for (const to of this.publics.keys()) if (to !== this.feed) await this.send(to);
    }

    async safety() {
      const all = [...this.publics.keys()].sort((a, b) => a - b).map((f) => b64(this.publics.get(f).raw)).join("|");
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(all)));
      const number = ((digest[0] << 16) | (digest[1] << 8) | digest[2]) % 1000000;
      this.onsafetycode(String(number).padStart(6, "0"));
    }

    async receive(m) {
      if (!m || m.type !== "e2ee" || typeof m.feed !== "number" || m.feed === this.feed) return;
      if (m.kind === "public" && typeof m.key === "string") {
        const known = this.publics.get(m.feed);
        if (known && b64(known.raw) === m.key) return;
        const raw = unb64(m.key);
        const key = await crypto.subtle.importKey("raw", raw, { name: "ECDH", namedCurve: "P-256" }, false, []);
        const wasLeader = this.leader() === this.feed;
        this.publics.set(m.feed, { raw, key });
        this.announce(); // the newcomer learns ours
        await this.safety();
        if (this.leader() === this.feed) {
          if (wasLeader && this.media) await this.send(m.feed);
          else await this.lead();
        }
      } else if (m.kind === "want" && m.to === this.feed) {
        if (this.leader() === this.feed && this.media) await this.send(m.feed);
      } else if (m.kind === "key" && m.to === this.feed && m.feed === this.leader()) {
        const peer = this.publics.get(m.feed);
        if (!peer) return;
        try {
          const raw = await crypto.subtle.decrypt(
            { name: ALG, iv: unb64(m.iv), additionalData: this.aad(m.feed, this.feed, m.epoch) },
            await this.wrapKey(peer.key, "decrypt"), unb64(m.wrapped)
          );
          this.media = null;
          await this.use(new Uint8Array(raw), m.epoch & 0xff);
        } catch (_) {
          // Not from the leader we agreed with: ignored.
        }
      }
    }

    async left(feed) {
      if (!this.publics.delete(feed)) return;
      await this.safety();
      if (this.leader() === this.feed) await this.lead();
      // A member asks the (possibly new) leader for the key, in case the leader's new key
      // arrived before this member saw the old leader leave.
      else this.signal.send({ type: "e2ee", kind: "want", feed: this.feed, to: this.leader() });
    }
  }

  class Janus {
    constructor(url, token) {
      this.url = url;
      this.token = token;
      this.pending = new Map();
      this.handlers = new Map(); // handle id -> event handler
      this.session = 0;
    }

    open() {
      return new Promise((resolve, reject) => {
        this.ws = new WebSocket(this.url, "janus-protocol");
        this.ws.onopen = () => resolve();
        this.ws.onerror = () => reject(new Error("janus_unreachable"));
        this.ws.onclose = () => this.onclose && this.onclose();
        this.ws.onmessage = (e) => this.dispatch(JSON.parse(e.data));
      });
    }

    dispatch(m) {
      const waiting = m.transaction && this.pending.get(m.transaction);
      if (m.janus === "ack") {
        // Keepalives and trickles are answered with an ack alone.
        if (waiting && !waiting.async) {
          this.pending.delete(m.transaction);
          waiting.resolve(m);
        }
        return;
      }
      if (waiting && (m.janus !== "event" || waiting.async)) {
        this.pending.delete(m.transaction);
        if (m.janus === "error") waiting.reject(new Error(m.error.reason));
        else if (m.plugindata && m.plugindata.data && m.plugindata.data.error_code) {
          waiting.reject(new Error(m.plugindata.data.error));
        } else waiting.resolve(m);
        return;
      }
      const handler = this.handlers.get(m.sender);
      if (handler) handler(m);
    }

    call(message, async = false) {
      const transaction = randomTx();
      const body = { ...message, transaction, token: this.token };
      if (this.session) body.session_id = this.session;
      return new Promise((resolve, reject) => {
        this.pending.set(transaction, { resolve, reject, async });
        this.ws.send(JSON.stringify(body));
      });
    }

    async start() {
      this.session = (await this.call({ janus: "create" })).data.id;
      this.keepalive = setInterval(() => this.call({ janus: "keepalive" }).catch(() => {}), 25000);
    }

    async attach(onevent) {
      const id = (await this.call({ janus: "attach", plugin: "janus.plugin.videoroom" })).data.id;
      this.handlers.set(id, onevent);
      return id;
    }

    message(handle, body, jsep) {
      const m = { janus: "message", handle_id: handle, body };
      if (jsep) m.jsep = jsep;
      return this.call(m, true);
    }

    trickle(handle, candidate) {
      this.call({ janus: "trickle", handle_id: handle, candidate: candidate || { completed: true } }).catch(() => {});
    }

    close() {
      clearInterval(this.keepalive);
      if (this.ws && this.ws.readyState === WebSocket.OPEN) {
        if (this.session) this.ws.send(JSON.stringify({ janus: "destroy", session_id: this.session, token: this.token, transaction: randomTx() }));
        this.ws.close();
      }
    }
  }

  async function join(options) {
    const fail = options.onerror || (() => {});
    if (!supported() || !SCRIPT_URL) {
      fail("e2ee_unsupported", "This browser cannot encrypt the call end to end.");
      throw new Error("e2ee_unsupported");
    }
    const c = options.connection;
    const worker = new Worker(SCRIPT_URL);
    const scriptTransform = typeof window.RTCRtpScriptTransform === "function";
    const pcConfig = { iceServers: options.iceServers || [], encodedInsertableStreams: !scriptTransform };
    const transform = (endpoint, operation, kind) => {
      if (scriptTransform) {
        endpoint.transform = new RTCRtpScriptTransform(worker, { operation, kind });
      } else {
        const { readable, writable } = endpoint.createEncodedStreams();
        worker.postMessage({ type: "streams", readable, writable, operation, kind }, [readable, writable]);
      }
    };
    const janus = new Janus(c.url, c.token);
    const subscribers = new Map(); // feed -> {handle, pc}
    const peers = [];
    let closed = false;
    let renewTimer = 0;

    const watchIce = (pc) => {
      pc.addEventListener("iceconnectionstatechange", () => {
        if (pc.iceConnectionState === "failed") fail("ice_failed", "The connection to the video service failed.");
      });
    };
    const trickleFrom = (pc, handle) => {
      pc.onicecandidate = (e) => janus.trickle(handle, e.candidate ? e.candidate.toJSON() : null);
    };

    const unsubscribe = (feed) => {
      const s = subscribers.get(feed);
      if (!s) return;
      subscribers.delete(feed);
      s.pc.close();
      janus.call({ janus: "detach", handle_id: s.handle }).catch(() => {});
      if (options.onleave) options.onleave(feed);
    };
    // Only the room's own word that a publisher left drops its public key: a subscription's
    // hangup (ICE restart, renegotiation) is not a departure, and dropping the key there gave
    // this page a safety code that no longer matched the others'.
    const departed = (feed) => {
      unsubscribe(feed);
      keys.left(feed);
    };

    const subscribe = async (feed, privateId) => {
      if (feed === c.feed_id || subscribers.has(feed)) return;
      const handle = await janus.attach((m) => {
        if (m.janus === "hangup") unsubscribe(feed);
      });
      const pc = new RTCPeerConnection(pcConfig);
      peers.push(pc);
      subscribers.set(feed, { handle, pc });
      watchIce(pc);
      trickleFrom(pc, handle);
      const stream = new MediaStream();
      pc.ontrack = (e) => {
        transform(e.receiver, "decrypt", e.track.kind);
        stream.addTrack(e.track);
        if (options.onstream) options.onstream(feed, stream);
      };
      const joined = await janus.message(handle, {
        request: "join", ptype: "subscriber", room: c.room, streams: [{ feed }], private_id: privateId,
      });
      await pc.setRemoteDescription(joined.jsep);
      await pc.setLocalDescription(await pc.createAnswer());
      await janus.message(handle, { request: "start", room: c.room }, { type: "answer", sdp: pc.localDescription.sdp });
    };

    let privateId = 0;
    let videoSender = null; // the publisher's video sender: screen sharing swaps its track
    const subscribeFailed = (error) =>
      fail("subscribe_failed", `Someone's video could not be received (${error && error.message}).`);
    const onPublisherEvent = (m) => {
      const data = (m.plugindata && m.plugindata.data) || {};
      if (m.janus === "hangup" || (data.leaving === "ok" && data.reason === "kicked")) {
        leave();
        fail("removed", "You are no longer in this meeting's room.");
        return;
      }
      for (const p of data.publishers || []) subscribe(p.id, privateId).catch(subscribeFailed);
      for (const gone of [data.unpublished, data.leaving]) {
        if (typeof gone === "number") departed(gone);
      }
    };

    const renew = async () => {
      try {
        const fresh = await options.renewToken();
        janus.token = fresh.token;
        schedule(fresh.token_expires_at);
      } catch (_) {
        leave();
        fail("token_refused", "You are no longer admitted to this meeting.");
      }
    };
    const schedule = (expiresAt) => {
      const left = new Date(expiresAt).getTime() - Date.now();
      renewTimer = setTimeout(renew, Math.max(left - 20000, 1000));
    };

    const leave = () => {
      if (closed) return;
      closed = true;
      clearTimeout(renewTimer);
      for (const pc of peers) pc.close();
      janus.close();
      worker.terminate();
    };

    const keys = new Keys(c.room, c.feed_id, options.signal, worker, options.onsafetycode);
    // One frame at a time: a wrapped key must not be opened before the sender's public key
    // that came just before it has been imported.
    let queue = Promise.resolve();
    options.signal.subscribe((m) => {
      queue = queue.then(() => keys.receive(m)).catch(() => {});
    });

    try {
      await janus.open();
      janus.onclose = () => {
        if (!closed) {
          leave();
          fail("janus_unreachable", "The video service closed the connection.");
        }
      };
      await janus.start();
      schedule(c.token_expires_at);
      const handle = await janus.attach(onPublisherEvent);
      const joined = await janus.message(handle, {
        request: "join", ptype: "publisher", room: c.room, id: c.feed_id, token: c.join_token,
      });
      privateId = joined.plugindata.data.private_id;
      await keys.start();
      const pc = new RTCPeerConnection(pcConfig);
      peers.push(pc);
      watchIce(pc);
      trickleFrom(pc, handle);
      for (const track of options.stream.getTracks()) {
        const sender = pc.addTrack(track, options.stream);
        transform(sender, "encrypt", track.kind);
        if (track.kind === "video") videoSender = sender;
      }
      await pc.setLocalDescription(await pc.createOffer());
      const configured = await janus.message(
        handle, { request: "configure", audio: true, video: true },
        { type: "offer", sdp: pc.localDescription.sdp, e2ee: true }
      );
      await pc.setRemoteDescription(configured.jsep);
      for (const p of joined.plugindata.data.publishers || []) subscribe(p.id, privateId).catch(subscribeFailed);
    } catch (error) {
      const unreachable = String(error && error.message) === "janus_unreachable";
      leave();
      fail(unreachable ? "janus_unreachable" : "refused",
        unreachable ? "The video service cannot be reached." : "The video room refused to connect.");
      throw error;
    }

    const stats = async () => {
      let framesDecoded = 0;
      let audioPacketsReceived = 0;
      let videoPacketsReceived = 0;
      let feedsDecoding = 0;
      for (const { pc } of subscribers.values()) {
        let decoded = 0;
        (await pc.getStats()).forEach((r) => {
          if (r.type === "inbound-rtp" && r.kind === "video") {
            decoded += r.framesDecoded || 0;
            videoPacketsReceived += r.packetsReceived || 0;
          }
          if (r.type === "inbound-rtp" && r.kind === "audio") audioPacketsReceived += r.packetsReceived || 0;
        });
        framesDecoded += decoded;
        if (decoded > 0) feedsDecoding += 1;
      }
      return { framesDecoded, audioPacketsReceived, videoPacketsReceived, feedsDecoding };
    };

    // For the page's diagnostics: the ICE state of the publisher and each subscription.
    const states = () => peers.map((pc) => pc.iceConnectionState);

    // The encrypting transform stays on the sender: a replaced track is encrypted too.
    const replaceVideo = (track) => (videoSender ? videoSender.replaceTrack(track) : Promise.resolve());

    return { leave, stats, states, replaceVideo, feed: c.feed_id };
  }

  window.CaucusJanus = { join, supported };
})();
