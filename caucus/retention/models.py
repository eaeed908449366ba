from __future__ import annotations

import uuid

from django.db import models


class PurgeStep(models.TextChoices):
    MARKED = "marked"
    KEY_DESTROYED = "key_destroyed"
    CONTENT_DELETED = "content_deleted"
    ACCOUNTS_DONE = "accounts_done"
    CERTIFIED = "certified"
    DONE = "done"


class CasePurge(models.Model):
    """Progress of one case's purge, so that a purge killed at any step is resumed where it
    stopped. Holds ids and counts only."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=20, choices=PurgeStep.choices, default=PurgeStep.MARKED)
    started_at = models.DateTimeField()
    # The accounts to consider once the participant rows are gone. Emptied when done.
    user_ids = models.JSONField(default=list)
    key_destroyed_at = models.DateTimeField(null=True)
    blobs_deleted = models.IntegerField(default=0)
    deleted = models.JSONField(default=dict)
    accounts_deleted = models.IntegerField(default=0)
    finished_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"purge of {self.case_id}: {self.step}"


class DeletionCertificate(models.Model):
    """The signed statement of what a purge destroyed. `body` is the exact signed JSON."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    signature = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.id)
