"""Tokens and addresses never reach the server's log: every line any logger writes goes
through the handler configured in settings, and is read here as the operator would."""

from __future__ import annotations

import io
import logging
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client

from caucus.cases import services
from tests.conftest import PASSWORD, ApiClient, World
from tests.security.test_hardening import caucus_env, production_env, run_caucus

# Password handling runs on the hashers caucus/settings.py declares (Argon2).
pytestmark = pytest.mark.usefixtures("production_password_hashing")


def _stream_handlers() -> list[logging.StreamHandler[io.TextIOWrapper]]:
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    found = []
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            # Exactly StreamHandler: pytest's capture handlers subclass it.
            if type(handler) is logging.StreamHandler and handler not in found:
                found.append(handler)
    return found


@contextmanager
def server_log() -> Iterator[io.StringIO]:
    """What every configured console handler writes, Django's and uvicorn's included."""
    buffer = io.StringIO()
    handlers = _stream_handlers()
    assert handlers, "settings configure a console handler"
    previous = [h.setStream(buffer) for h in handlers]  # type: ignore[arg-type]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)  # type: ignore[arg-type]


def test_it_keeps_invitation_tokens_out_of_the_log(world: World) -> None:
    assert world.mediator.user is not None
    issued = services.invite(
        world.mediator.user,
        world.case.id,
        email="newcomer@example.test",
        name="Nell",
        role="party",
        side_id=None,
    )
    token = issued.token
    browser = Client()
    with server_log() as log:
        assert browser.post(f"/invite/{token}", {"name": "Nell"}).status_code == 400
        assert browser.put(f"/invite/{token}").status_code == 405
        assert browser.get(f"/invite/{token}x").status_code == 404
        bad = ApiClient(None).post("invitations/accept", {"token": token, "name": "N"})
        assert bad.status_code in (400, 422)
        joined = browser.post(f"/invite/{token}", {"name": "Nell", "password": PASSWORD})
        assert joined.status_code == 302
        assert browser.get(f"/invite/{token}").status_code == 410
    written = log.getvalue()
    assert "/invite/" in written, "the refused requests are logged, without their token"
    assert token not in written
    assert token[:16] not in written


SEND_ONE_MAIL = (
    "from django.core.mail import send_mail; "
    "send_mail('Something new', 'Sign in to read it.', None, ['canary-7c1e@example.test'])"
)


def test_it_writes_mail_to_a_private_mailbox_instead_of_printing_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = run_caucus(caucus_env(data_dir), "shell", "-c", SEND_ONE_MAIL)
    assert result.returncode == 0, result.stderr
    assert "canary-7c1e" not in result.stdout + result.stderr
    mail_dir = data_dir / "mail"
    assert stat.S_IMODE(mail_dir.stat().st_mode) == 0o700
    (message,) = list(mail_dir.iterdir())
    assert b"To: canary-7c1e@example.test" in message.read_bytes()


def test_it_refuses_a_printing_mail_backend_in_production(tmp_path: Path) -> None:
    env = production_env(
        tmp_path / "data", CAUCUS_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
    )
    checked = run_caucus(env, "check", "--deploy")
    assert checked.returncode != 0
    assert "caucus.E001" in checked.stderr
    served = run_caucus(env, "serve", "--port", "1", "--no-demo")
    assert served.returncode != 0
    assert "caucus.E001" in served.stderr
