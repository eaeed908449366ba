"""Django's ASGI handler reads a whole request body into a SpooledTemporaryFile before the
view runs: an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE would reach a temporary file as
plaintext. For the upload paths (settings.CAUCUS_STREAMED_UPLOAD_PATHS) this handler gives
the request a body that pulls each ASGI message only when the parser asks for more, so the
vault's upload handler encrypts the bytes as they arrive. Other requests are untouched.

Reading such a body holds a server thread, so it is bounded in time: the whole body must
arrive within settings.CAUCUS_UPLOAD_DEADLINE_SECONDS of the request's start, or the read
raises `BodyDeadlineExceeded` (answered 408 by the upload middleware)."""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import io
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import django
from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
# The body is handed to the view's thread in hops of about this much: each hop between the
# event loop and the thread costs as much CPU as parsing tens of kilobytes, and the server
# delivers the body in messages of 64 KiB or less.
HOP_BYTES = 1024 * 1024
# Each piece the parser reads costs the parser, the vault's hashing and its sealing a fixed
# amount of work (and the GIL once more), so the messages are joined into pieces this large,
# the upload handler's chunk size.
PIECE_BYTES = 256 * 1024


class BodyDeadlineExceeded(Exception):
    """The request body did not arrive within the upload deadline."""


class StreamedReceive:
    """The server's `receive`, plus a body read lazily from the view's thread."""

    def __init__(self, receive: Receive, loop: asyncio.AbstractEventLoop) -> None:
        self.receive = receive
        self.loop = loop
        self.body_finished = asyncio.Event()

    async def __call__(self) -> Message:
        return await self.receive()

    async def gather(self, limit: int) -> tuple[list[bytes], bool]:
        """The bodies of the next messages, up to `limit` bytes or the body's end, joined
        into pieces of at most PIECE_BYTES, and whether more follows. Raises RequestAborted
        if the client goes away."""
        parts: list[bytes] = []
        piece: list[bytes] = []
        piece_size = size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.finished()
                raise RequestAborted()
            body = bytes(message.get("body", b""))
            if piece and piece_size + len(body) > PIECE_BYTES:
                parts.append(b"".join(piece))
                piece, piece_size = [], 0
            if body:
                piece.append(body)
                piece_size += len(body)
                size += len(body)
            more = bool(message.get("more_body", False))
            if not more:
                self.finished()
            if not more or size >= limit:
                if piece:
                    parts.append(b"".join(piece))
                return parts, more

    def finished(self) -> None:
        self.loop.call_soon_threadsafe(self.body_finished.set)


class StreamedBody(io.RawIOBase):
    """Each read returns at most one piece: the bodies of consecutive ASGI messages joined
    up to PIECE_BYTES (a message larger than that as the server handed it over). The
    messages come over from the event loop HOP_BYTES at a time."""

    def __init__(self, owner: StreamedReceive) -> None:
        super().__init__()
        self._owner = owner
        self._rest = b""
        self._parts: collections.deque[bytes] = collections.deque()
        self._more = True
        self._deadline = time.monotonic() + float(settings.CAUCUS_UPLOAD_DEADLINE_SECONDS)

    def readable(self) -> bool:
        return True

    def _pull(self) -> bytes:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("the streamed body is read from the view's thread only")
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            self._more = False
            raise BodyDeadlineExceeded()
        pending = asyncio.run_coroutine_threadsafe(self._owner.gather(HOP_BYTES), self._owner.loop)
        try:
            parts, self._more = pending.result(timeout=remaining)
        except concurrent.futures.TimeoutError:
            pending.cancel()
            # The rest of the body is never read; the disconnect listener stays parked until
            # the response is sent, as for any body the view did not read to its end.
            self._more = False
            raise BodyDeadlineExceeded() from None
        except RequestAborted:
            self._more = False
            raise
        self._parts.extend(parts)
        return self._next_part()

    def _next_part(self) -> bytes:
        return self._parts.popleft() if self._parts else b""

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = [self._rest, *self._parts]
            self._parts.clear()
            while self._more:
                parts.append(self._pull())
                parts.extend(self._parts)
                self._parts.clear()
            self._rest = b""
            return b"".join(parts)
        if not self._rest:
            self._rest = self._next_part()
        while not self._rest and self._more:
            self._rest = self._pull()
        data = self._rest
        if len(data) <= size:
            self._rest = b""
            return data
        self._rest = data[size:]
        return data[:size]

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class StreamingUploadASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.streamed_paths = [re.compile(p) for p in settings.CAUCUS_STREAMED_UPLOAD_PATHS]

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope.get("method") == "POST" and any(p.match(path) for p in self.streamed_paths):
            receive = StreamedReceive(receive, asyncio.get_running_loop())
        await super().handle(scope, receive, send)

    async def read_body(self, receive: Any) -> Any:
        if isinstance(receive, StreamedReceive):
            return StreamedBody(receive)
        return await super().read_body(receive)

    async def listen_for_disconnect(self, receive: Any) -> Any:
        if isinstance(receive, StreamedReceive):
            # The body belongs to the view until its last message has been read.
            await receive.body_finished.wait()
        return await super().listen_for_disconnect(receive)


def streaming_asgi_application() -> StreamingUploadASGIHandler:
    django.setup(set_prefix=False)
    return StreamingUploadASGIHandler()
