from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import Persona

PDF = b"%PDF-1.4\n" + b"canary-pdf-body " * 100 + b"\n%%EOF\n"


def upload(
    who: Persona,
    case_id: object,
    *,
    name: str = "statement.pdf",
    data: bytes = PDF,
    content_type: str = "application/pdf",
    audience: str = "own_side",
) -> Any:
    client = who.client
    return client.django.post(
        f"/api/v1/cases/{case_id}/documents",
        data={
            "file": SimpleUploadedFile(name, data, content_type=content_type),
            "audience": audience,
        },
        headers=client._headers(),
    )


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def raw_upload(who: Persona, case_id: object, filename: str, data: bytes, content_type: str) -> Any:
    """A hand-built multipart body, for file names the test client would clean."""
    boundary = "vaultboundary"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="audience"\r\n\r\nown_side\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return who.client.django.post(
        f"/api/v1/cases/{case_id}/documents",
        data=payload,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=who.client._headers(),
    )
