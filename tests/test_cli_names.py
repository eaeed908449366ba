"""Every `caucus <command>` the README and the start-up message name runs a command that
exists (issue 15: `caucus totp-code` failed while `totp_code` worked)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from caucus import cli

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"caucus ([a-z][a-z_-]+)")


def documented() -> set[str]:
    texts = [
        (ROOT / "README.md").read_text(),
        (ROOT / "caucus/web/management/commands/demo.py").read_text(),
    ]
    return {name for text in texts for name in NAMED.findall(text) if "-" in name or "_" in name}


def test_it_finds_hyphenated_commands_to_check() -> None:
    assert {"totp-code", "create-mediator"} <= documented()


@pytest.mark.parametrize("name", sorted(documented()))
def test_each_documented_command_exists(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: ran.append(argv)
    )
    cli.main([name, "--help"])
    command = ran[0][1]
    if command == "run_huey":
        # Only the job consumer installs huey's app, so this process has not loaded it: the
        # CLI must say it is the consumer, and huey's app must provide the command.
        import os

        from huey.contrib.djhuey.management.commands import run_huey

        assert os.environ.get("CAUCUS_JOB_CONSUMER") == "true", (name, ran)
        assert run_huey.Command
        return
    assert command in get_commands(), (name, ran)
