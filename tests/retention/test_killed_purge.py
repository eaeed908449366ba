"""A purge killed at each step and run again finishes the job."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from django.db import connection

from caucus.accounts.models import User
from caucus.audit.chain import verify
from caucus.cases.models import Case
from caucus.crypto.keyring import is_destroyed
from caucus.retention.models import CasePurge, DeletionCertificate
from caucus.retention.selectors import certificate_document
from caucus.retention.signing import verify_document
from tests.retention.scenario import after_purge_after, build_scenario
from tests.retention.test_purge import rows_left

STEPS = ["marked", "key_destroyed", "content_deleted", "accounts_done", "certified", "done"]
ROOT = Path(__file__).resolve().parents[2]


def run_harness(as_of: datetime, kill_at: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.retention.purge_harness",
            str(connection.settings_dict["NAME"]),
            as_of.isoformat(),
            kill_at,
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step", STEPS)
def test_it_finishes_a_purge_killed_after_each_step(step: str) -> None:
    s = build_scenario()
    as_of = after_purge_after(s.case_id)
    killed = run_harness(as_of, kill_at=step)
    assert killed.returncode == 137, killed.stderr
    progress = CasePurge.objects.get(case_id=s.case_id)
    assert progress.step == step
    assert Case.objects.get(pk=s.case_id).status == ("purged" if step == "done" else "purging")
    # While half-purged the case is hidden, like a purged one.
    from caucus.cases.access import visible_cases

    assert not visible_cases(s.mediator).filter(pk=s.case_id).exists()

    rerun = run_harness(as_of)
    assert rerun.returncode == 0, rerun.stderr

    case = Case.objects.get(pk=s.case_id)
    assert case.status == "purged" and case.purged_at is not None
    assert rows_left(s.case_id) == {}
    assert is_destroyed(s.case_id)
    assert not User.objects.filter(pk__in=[u.pk for u in s.people.values()]).exists()
    assert DeletionCertificate.objects.filter(case_id=s.case_id).count() == 1
    doc = certificate_document(s.case_id)
    assert doc is not None and verify_document(doc).ok
    payload = doc["certificate"]
    assert payload["key_destroyed"] is True
    assert payload["rows_deleted"]["meetings.Item"] == 2
    assert payload["accounts_deleted"] == 3
    assert verify().ok
