from __future__ import annotations

import uuid

from django.db import models


class DataKey(models.Model):
    """A 256-bit data key (DEK), stored only wrapped by the master key.

    One per case (owner_id is the case id) and one for records that belong to no case
    (owner_id is the nil UUID). Destroying `wrapped` is crypto-shredding: every copy of the
    content it protects, backups included, becomes unreadable.
    """

    owner_id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    wrapped = models.BinaryField(null=True)
    master_key_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"DataKey({self.owner_id})"
