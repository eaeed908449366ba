"""A real `caucus serve` process on a free loopback port, with its own data directory, for
tests that check the product from outside with an HTTP client or a browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.browser import DESKTOP, PHONE, Chromium, OpenTab, Tab
from tests.e2e.browser import MEDIATOR_PASSWORD as MEDIATOR_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CAUCUS = str(Path(sys.executable).parent / "caucus")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    log: Path

    def caucus(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CAUCUS, *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def create_mediator(self, email: str, name: str, *, mfa: bool) -> str:
        """Creates a mediator through the CLI; returns the TOTP key when MFA is on."""
        args = ["create-mediator", "--email", email, "--name", name]
        if not mfa:
            args.append("--no-mfa")
        out = self.caucus(*args, stdin=MEDIATOR_PASSWORD + "\n").stdout
        if not mfa:
            return ""
        return out.split("TOTP, 30 s, 6 digits):")[1].split()[0]


def _start(tmp: Path, extra_env: dict[str, str]) -> tuple[subprocess.Popen[bytes], LiveServer]:
    port = free_port()
    data_dir = tmp / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"CAUCUS_DATA_DIR": str(data_dir), "CAUCUS_ENV": "development"})
    env.update(extra_env)
    log = tmp / "serve.log"
    handle = log.open("wb")
    proc = subprocess.Popen(
        [CAUCUS, "serve", "--port", str(port), "--no-demo"],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=tmp,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"caucus serve exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return proc, LiveServer(url, data_dir, env, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"caucus serve did not answer: {log.read_text()}")


@pytest.fixture(scope="session")
def caucus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    proc, server = _start(tmp_path_factory.mktemp("live"), {})
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    holder = Chromium()
    try:
        yield holder
    finally:
        holder.close()


@pytest.fixture
def open_tab(caucus_server: LiveServer, chromium: Chromium) -> Iterator[OpenTab]:
    """Opens a fresh browser context (its own cookies) per call; phone=True for 390x844."""
    tabs: list[Tab] = []

    def new_tab(*, phone: bool = False) -> Tab:
        if phone:
            context = chromium.browser().new_context(
                viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True
            )
        else:
            context = chromium.browser().new_context(viewport=DESKTOP)
        context.set_default_timeout(15_000)
        tab = Tab(caucus_server.url, context)
        tabs.append(tab)
        return tab

    yield new_tab
    violations = [v for tab in tabs for v in tab.csp_violations()]
    for tab in tabs:
        tab.context.close()
    assert violations == [], "the browser reported CSP violations"
