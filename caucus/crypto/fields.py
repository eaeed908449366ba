"""`Sealed`: a model attribute that reads and writes plaintext while the database column
holds only AES-GCM ciphertext under the owning case's key, bound to the row and field."""

from __future__ import annotations

import uuid
from typing import Any, overload

from caucus.crypto.keyring import cipher_for


class Sealed:
    def __init__(self, column: str, *, case_attr: str = "case_id") -> None:
        self.column = column
        self.case_attr = case_attr
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def _case_id(self, obj: Any) -> uuid.UUID:
        case_id = getattr(obj, self.case_attr)
        if not isinstance(case_id, uuid.UUID):
            raise ValueError(f"{type(obj).__name__}.{self.name}: no case to seal under")
        return case_id

    @overload
    def __get__(self, obj: None, owner: type) -> Sealed: ...
    @overload
    def __get__(self, obj: object, owner: type) -> str: ...
    def __get__(self, obj: object | None, owner: type) -> Sealed | str:
        if obj is None:
            return self
        raw = getattr(obj, self.column)
        if raw is None:
            return ""
        cipher = cipher_for(self._case_id(obj))
        return cipher.open(obj._meta.db_table, obj.pk, self.name, bytes(raw))  # type: ignore[attr-defined]

    def __set__(self, obj: object, value: str) -> None:
        if obj.pk is None:  # type: ignore[attr-defined]
            raise ValueError("sealed fields need the row's primary key set before writing")
        cipher = cipher_for(self._case_id(obj))
        sealed = cipher.seal(obj._meta.db_table, obj.pk, self.name, value)  # type: ignore[attr-defined]
        setattr(obj, self.column, sealed)
