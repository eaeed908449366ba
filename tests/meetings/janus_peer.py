"""A headless peer speaking Janus's WebSocket API directly, with aiortc for the media: what a
browser (or an attacker's script) can do with whatever Caucus handed it."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack
from websockets.typing import Subprotocol

_T = TypeVar("_T")


def run_async(coro: Coroutine[Any, Any, _T]) -> _T:
    """asyncio.run, also where this thread already runs a loop (Playwright's sync API leaves
    one behind when the browser tests ran first in the same process): then in a thread of
    its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


PLUGIN = "janus.plugin.videoroom"


class JanusRefused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


class Handle:
    def __init__(self, peer: JanusPeer, handle_id: int) -> None:
        self.peer = peer
        self.id = handle_id
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.pc: RTCPeerConnection | None = None
        self.tracks: list[MediaStreamTrack] = []

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request; plugin errors raise JanusRefused."""
        reply = await self.peer.call({"janus": "message", "handle_id": self.id, "body": body})
        data: dict[str, Any] = reply.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusRefused(int(data["error_code"]), str(data.get("error")))
        return data

    async def send(
        self, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """An asynchronous request: its event (with any jsep), or JanusRefused."""
        message: dict[str, Any] = {"janus": "message", "handle_id": self.id, "body": body}
        if jsep is not None:
            message["jsep"] = jsep
        transaction = await self.peer.post(message, self)
        while True:
            event = await asyncio.wait_for(self.events.get(), 15)
            if event.get("transaction") not in (None, transaction):
                continue
            data = event.get("plugindata", {}).get("data", {})
            if "error_code" in data:
                raise JanusRefused(int(data["error_code"]), str(data.get("error")))
            if event.get("janus") == "error":
                raise JanusRefused(int(event["error"]["code"]), str(event["error"]["reason"]))
            if event.get("transaction") == transaction:
                return event

    async def join_publisher(self, room: int, feed: int | None, token: str | None) -> int:
        body: dict[str, Any] = {"request": "join", "ptype": "publisher", "room": room}
        if feed is not None:
            body["id"] = feed
        if token is not None:
            body["token"] = token
        event = await self.send(body)
        private_id: int = event["plugindata"]["data"]["private_id"]
        return private_id

    async def publish(self, *, e2ee: bool, extra: dict[str, Any] | None = None) -> None:
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        local = self.pc.localDescription
        jsep: dict[str, Any] = {"type": local.type, "sdp": local.sdp}
        if e2ee:
            jsep["e2ee"] = True
        event = await self.send({"request": "configure", "video": True, **(extra or {})}, jsep)
        answer = event["jsep"]
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        await self.connected()

    async def connected(self, timeout: float = 15) -> None:
        """Waits for Janus's `webrtcup` on this handle (ICE and DTLS done)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            event = await asyncio.wait_for(self.events.get(), max(left, 0.01))
            if event.get("janus") == "webrtcup":
                return

    async def subscribe(self, room: int, feed: int, private_id: int | None) -> None:
        body: dict[str, Any] = {
            "request": "join",
            "ptype": "subscriber",
            "room": room,
            "streams": [{"feed": feed}],
        }
        if private_id is not None:
            body["private_id"] = private_id
        event = await self.send(body)
        offer = event["jsep"]
        self.pc = RTCPeerConnection()

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self.tracks.append(track)

        await self.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        local = self.pc.localDescription
        await self.send({"request": "start"}, {"type": local.type, "sdp": local.sdp})

    async def frames(self, wanted: int, timeout: float = 20) -> int:
        """How many video frames arrive (up to `wanted`) within `timeout` seconds."""
        got = 0

        async def count() -> None:
            nonlocal got
            while not self.tracks:
                await asyncio.sleep(0.05)
            while got < wanted:
                await self.tracks[0].recv()
                got += 1

        try:
            await asyncio.wait_for(count(), timeout)
        except (TimeoutError, MediaStreamError):
            # The count stops when time is up or the track ends (a kick, a hangup).
            return got
        return got

    async def detach(self) -> None:
        await self.close()
        await self.peer.call({"janus": "detach", "handle_id": self.id})
        self.peer.handles.pop(self.id, None)

    async def close(self) -> None:
        if self.pc is not None:
            await self.pc.close()


class JanusPeer:
    def __init__(self, url: str, token: str | None) -> None:
        self.url = url
        self.token = token
        self.session = 0
        self.handles: dict[int, Handle] = {}
        self.replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.pending: dict[str, Handle] = {}
        self.other_events: list[dict[str, Any]] = []

    async def __aenter__(self) -> JanusPeer:
        self.socket = await websockets.connect(
            self.url, subprotocols=[Subprotocol("janus-protocol")]
        )
        self.reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        for handle in self.handles.values():
            await handle.close()
        self.reader.cancel()
        await self.socket.close()

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            kind = message.get("janus")
            transaction = message.get("transaction")
            if kind == "ack":
                continue
            waiting = self.pending.get(transaction) if transaction else None
            handle = waiting or self.handles.get(message.get("sender", 0))
            if handle is not None and (waiting is not None or kind != "success"):
                await handle.events.put(message)
                continue
            future = self.replies.pop(transaction, None) if transaction else None
            if future is not None and not future.done():
                future.set_result(message)
            else:
                self.other_events.append(message)

    async def transmit(self, message: dict[str, Any], transaction: str) -> None:
        message = {**message, "transaction": transaction}
        if self.token is not None:
            message["token"] = self.token
        if self.session:
            message["session_id"] = self.session
        await self.socket.send(json.dumps(message))

    async def post(self, message: dict[str, Any], handle: Handle) -> str:
        transaction = secrets.token_hex(6)
        self.pending[transaction] = handle
        await self.transmit(message, transaction)
        return transaction

    async def call(self, message: dict[str, Any]) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        transaction = secrets.token_hex(6)
        self.replies[transaction] = future
        await self.transmit(message, transaction)
        reply = await asyncio.wait_for(future, 15)
        if reply.get("janus") == "error":
            raise JanusRefused(int(reply["error"]["code"]), str(reply["error"]["reason"]))
        return reply

    async def start(self) -> None:
        self.session = int((await self.call({"janus": "create"}))["data"]["id"])

    async def attach(self) -> Handle:
        reply = await self.call({"janus": "attach", "plugin": PLUGIN})
        handle = Handle(self, int(reply["data"]["id"]))
        self.handles[handle.id] = handle
        return handle
