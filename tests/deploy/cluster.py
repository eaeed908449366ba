"""The production topology of deploy/ on one machine: `caucus serve` processes on free
loopback ports sharing one PostgreSQL database, Redis (channel layer, cache, jobs), the key
store directory and an S3 bucket (moto), behind nginx started with deploy/nginx's own
caucus-proxy.conf. Each server has a data directory of its own, as on separate machines."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

from tests.deploy.s3 import S3, running_s3
from tests.e2e.conftest import LiveServer
from tests.processes import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
CAUCUS = str(Path(sys.executable).parent / "caucus")
NGINX = "/usr/sbin/nginx"
PROXY_CONF = ROOT / "deploy" / "nginx" / "caucus-proxy.conf"


def wait_until(ready: object, what: str, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not come up: {log.read_text()[-3000:]}")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """As a machine that loses power: no shutdown, the workers die with the supervisor."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Cluster:
    """`url` balances over every server; `pinned[name]` goes through nginx to one server."""

    url: str
    pinned: dict[str, str]
    servers: dict[str, Server]
    env: dict[str, str]
    s3: S3
    tmp: Path
    logs: list[Path] = field(default_factory=list)

    def live(self, url: str | None = None) -> LiveServer:
        """The tests/e2e view of the proxy, with server A's environment for the CLI."""
        return LiveServer(url or self.url, self.tmp / "a", self.env, self.tmp / "a.log")

    def caucus(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CAUCUS, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )


@contextmanager
def scratch_database(database_url: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL server of DATABASE_URL, dropped afterwards."""
    parts = urlsplit(database_url)
    name = f"caucus_two_servers_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _nginx_conf(tmp: Path, port: int, pinned: dict[str, int], backends: dict[str, int]) -> Path:
    shipped = PROXY_CONF.read_text().replace(
        "/var/log/nginx/caucus-error.log", str(tmp / "nginx-caucus-error.log")
    )
    includes: list[str] = []
    upstreams = ["upstream caucus {"]
    upstreams += [
        f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in backends.values()
    ]
    upstreams += ["    keepalive 8;", "}"]
    servers = [f"server {{ listen 127.0.0.1:{port}; include {tmp / 'caucus-proxy.conf'}; }}"]
    (tmp / "caucus-proxy.conf").write_text(shipped)
    for name, backend in backends.items():
        upstreams += [f"upstream caucus_{name} {{ server 127.0.0.1:{backend}; }}"]
        conf = tmp / f"caucus-proxy-{name}.conf"
        conf.write_text(shipped.replace("http://caucus;", f"http://caucus_{name};"))
        servers.append(f"server {{ listen 127.0.0.1:{pinned[name]}; include {conf}; }}")
        includes.append(str(conf))
    temp = {kind: tmp / f"nginx-{kind}" for kind in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    text = "\n".join(
        [
            "daemon off;",
            "worker_processes 1;",
            # Each open WebSocket holds two of nginx's connections (the browser's and the
            # upstream's); a practice's day (bench/load.py) holds about 1,800 at once.
            "worker_rlimit_nofile 16384;",
            f"pid {tmp / 'nginx.pid'};",
            f"error_log {tmp / 'nginx-error.log'} warn;",
            "events { worker_connections 8192; }",
            "http {",
            f"    client_body_temp_path {temp['body']};",
            f"    proxy_temp_path {temp['proxy']};",
            f"    fastcgi_temp_path {temp['fastcgi']};",
            f"    uwsgi_temp_path {temp['uwsgi']};",
            f"    scgi_temp_path {temp['scgi']};",
            *upstreams,
            *servers,
            "}",
        ]
    )
    path = tmp / "nginx.conf"
    path.write_text(text)
    return path


@contextmanager
def running_cluster(tmp: Path, database_url: str, redis_url: str) -> Iterator[Cluster]:
    """Server `a` with two uvicorn workers, server `b` with one, nginx in front."""
    with ExitStack() as stack:
        s3 = stack.enter_context(running_s3(tmp / "moto.log"))
        database = stack.enter_context(scratch_database(database_url))
        proxy_port = free_port()
        proxy = f"http://127.0.0.1:{proxy_port}"
        keys = tmp / "keys"
        keys.mkdir(mode=0o700)
        shared = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        shared.update(
            {
                "DATABASE_URL": database,
                "REDIS_URL": redis_url,
                # Keys of its own in Redis, so that other runs on the same Redis stay apart.
                "CAUCUS_CACHE_PREFIX": f"caucus-two-{secrets.token_hex(4)}",
                "CAUCUS_ENV": "development",
                "CAUCUS_SECRET_KEY": secrets.token_urlsafe(50),
                "CAUCUS_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
                "CAUCUS_KEYSTORE_DIR": str(keys),
                "CAUCUS_SITE_URL": proxy,
                "CAUCUS_BEHIND_PROXY": "true",
                "CAUCUS_EMBEDDED_WORKER": "false",
                **s3.env(),
            }
        )
        backends = {"a": free_port(), "b": free_port()}
        servers: dict[str, Server] = {}
        for name, port in backends.items():
            env = {**shared, "CAUCUS_DATA_DIR": str(tmp / name)}
            log = tmp / f"{name}.log"
            workers = "2" if name == "a" else "1"
            with log.open("wb") as out:
                # Both start at once: they take turns to migrate the empty database.
                process = subprocess.Popen(
                    [CAUCUS, "serve", "--port", str(port), "--workers", workers, "--no-demo"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=tmp,
                    start_new_session=True,
                )
            servers[name] = Server(name, port, process, log)
            stack.callback(_stop, servers[name])
        for server in servers.values():
            wait_until(lambda s=server: _serving(s), f"caucus serve {server.name}", server.log, 180)
        pinned = {name: free_port() for name in backends}
        conf = _nginx_conf(tmp, proxy_port, pinned, backends)
        nginx_log = tmp / "nginx.out"
        with nginx_log.open("wb") as out:
            nginx = subprocess.Popen(
                [NGINX, "-c", str(conf), "-p", str(tmp)], stdout=out, stderr=subprocess.STDOUT
            )
        stack.callback(stop, nginx)
        wait_until(lambda: answers(f"{proxy}/login"), "nginx", tmp / "nginx-error.log", 30)
        yield Cluster(
            url=proxy,
            pinned={name: f"http://127.0.0.1:{port}" for name, port in pinned.items()},
            servers=servers,
            env={**shared, "CAUCUS_DATA_DIR": str(tmp / "a")},
            s3=s3,
            tmp=tmp,
        )


def _serving(server: Server) -> bool:
    if server.process.poll() is not None:
        raise RuntimeError(f"caucus serve {server.name} exited: {server.log.read_text()[-3000:]}")
    return answers(f"http://127.0.0.1:{server.port}/login")


def _stop(server: Server) -> None:
    if server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
