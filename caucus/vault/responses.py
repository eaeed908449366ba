"""Downloads: the plaintext streamed segment by segment, never whole in memory, as an
attachment of its allow-listed type with nosniff."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from caucus.vault.models import Document

# Segments read (and decrypted) per hop to a thread: each hop wakes a thread and the event
# loop, so fewer, larger hops leave more of the CPU to moving the bytes.
PER_HOP = 4


def _next(chunks: Iterator[bytes]) -> list[bytes]:
    return list(itertools.islice(chunks, PER_HOP))


async def _aiter(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    # Django serves a synchronous iterator over ASGI by reading it into a list first; one
    # thread hop per PER_HOP segments keeps memory constant instead. The next segments are
    # read and decrypted while the current ones are sent: 2 * PER_HOP segments at most.
    step = sync_to_async(_next, thread_sensitive=False)
    pending: asyncio.Future[list[bytes]] | None = asyncio.ensure_future(step(chunks))
    try:
        while pending is not None:
            parts = await pending
            pending = None
            if not parts:
                return
            pending = asyncio.ensure_future(step(chunks))
            for part in parts:
                yield part
    finally:
        if pending is not None:
            # The iterator may not be closed while a thread is still inside it.
            await asyncio.wait([pending])
            if not pending.cancelled():
                pending.exception()  # retrieved: the reader has gone, nobody else will


def attachment(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A file Caucus makes (a PDF, a DOCX, a calendar invite), to be saved, not shown."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download_response(
    request: HttpRequest, doc: Document, chunks: Iterator[bytes]
) -> StreamingHttpResponse:
    content = _aiter(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type=doc.content_type)
    response["Content-Length"] = str(doc.size)
    response["Content-Disposition"] = content_disposition_header(True, doc.name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
