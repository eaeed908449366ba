"""The product's URLs plus the unencrypted baseline of `bench/vault.py` (bench only): an
upload parsed by the same MultiPartParser and streamed body, written in clear to a file, and
a download streamed back the same way the vault streams."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.multipartparser import MultiPartParser
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from caucus.vault.responses import _aiter

RAW_DIR = Path(settings.DATA_DIR) / "bench-raw"
CHUNK = 256 * 1024


class PlainHandler(FileUploadHandler):
    chunk_size = CHUNK

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        RAW_DIR.mkdir(exist_ok=True)
        self.path = RAW_DIR / secrets.token_hex(8)
        self.out = open(self.path, "wb", buffering=0)  # noqa: SIM115
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.out.write(raw_data)
        self.size += len(raw_data)

    def file_complete(self, file_size: int) -> Any:
        self.out.close()
        return self.path.name


@csrf_exempt
def raw(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        handler = PlainHandler(request)
        parser = MultiPartParser(request.META, request, [handler], request.encoding)
        _, files = parser.parse()
        return JsonResponse({"id": files["file"], "size": handler.size}, status=201)
    name = os.path.basename(request.GET.get("id", ""))
    source = open(RAW_DIR / name, "rb", buffering=0)  # noqa: SIM115

    def chunks() -> Iterator[bytes]:
        with source:
            while part := source.read(CHUNK):
                yield part

    return StreamingHttpResponse(_aiter(chunks()), content_type="application/octet-stream")


urlpatterns = [path("bench/raw", raw), path("", include("caucus.urls"))]
