"""What each accepted type of file is called in what people read (issue 15): content types
are for the API and the browser, never for the pages or their error messages."""

from __future__ import annotations

KIND_WORDS: dict[str, str] = {
    "application/pdf": "PDF document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "text/plain": "text file",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
}


def kind_words(content_type: str) -> str:
    return KIND_WORDS.get(content_type, "file")


def accepted_kinds() -> str:
    """The accepted kinds, in words, for an error message."""
    return ", ".join(f"{word}s" for word in KIND_WORDS.values())
