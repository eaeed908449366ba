"""Load test of a practice's day (issue 18) with locust, against the several-servers topology
of tests/deploy/cluster.py: two `caucus serve` processes (one with two uvicorn workers) behind
nginx on PostgreSQL, Redis and an S3 bucket (moto).

Setup (not measured): bench/load_seed.py makes M mediators and C onboarded cases in-process
through the domain services, on the servers' database, key store and bucket, in parallel
processes (each case: two invited parties who accepted, acknowledged the structure, signed
both agreements and agreed to the ground rules; a running joint meeting they are admitted to;
a memorandum ready to sign). Then, for a bounded time, one locust user per person acts every
20 to 60 s as in a working day: reads the case, lists and posts portal messages, lists,
uploads and downloads documents, chats in the meeting over its WebSocket, downloads the signed
agreement PDF and signs the memorandum once. Reports p50, p95 and p99 per kind of request,
the errors, and the servers' memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/load.py --mediators 50 --cases 300 --minutes 10

DATABASE_URL names the PostgreSQL server (a scratch database is made and dropped); REDIS_URL
a Redis whose keys the run prefixes with a name of its own.
"""

# isort: skip_file
# locust patches the standard library for gevent on import: it comes first.
from locust import HttpUser, between, task
from locust.env import Environment

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import gevent
import gevent.queue
import psutil
import websocket

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHONPATH", str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
# The helpers below read Django's settings; this process keeps its files apart.
os.environ.setdefault("CAUCUS_DATA_DIR", str(ROOT / "var" / "bench-load"))

from tests.deploy.cluster import Cluster, running_cluster  # noqa: E402

DOCUMENT = b"A statement for the load test.\n" * 600  # about 18 KiB


@dataclass
class Seat:
    case_id: str
    token: str
    name: str
    mediator: bool
    meeting_id: str
    settlement_id: str


class PracticeDay(HttpUser):  # type: ignore[misc]
    """One person of one case going about their day: an action every 20 to 60 s."""

    wait_time = between(20, 60)
    # Each person is one user while there are people left; more users reuse them at random.
    seats: ClassVar[list[Seat]] = []
    all_seats: ClassVar[list[Seat]] = []

    def on_start(self) -> None:
        self.seat = self.seats.pop() if self.seats else random.choice(PracticeDay.all_seats)
        self.headers = {"Authorization": f"Bearer {self.seat.token}"}
        self.case = f"/api/v1/cases/{self.seat.case_id}"
        self.documents: list[str] = []
        self.signed = self.seat.mediator  # the parties sign the memorandum, once
        self.socket: websocket.WebSocket | None = None
        self.me = ""

    def on_stop(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.reader.kill()
            self.socket = None

    @task(5)
    def read_case(self) -> None:
        self.client.get(self.case, headers=self.headers, name="GET /cases/{id}")

    @task(3)
    def read_messages(self) -> None:
        self.client.get(f"{self.case}/messages", headers=self.headers, name="GET messages")

    @task(2)
    def post_message(self) -> None:
        audience = "case" if self.seat.mediator else "own_side"
        self.client.post(
            f"{self.case}/messages",
            json={"body": "Could we move the meeting to Thursday?", "audience": audience},
            headers=self.headers,
            name="POST message",
        )

    @task(3)
    def list_documents(self) -> None:
        self.client.get(f"{self.case}/documents", headers=self.headers, name="GET documents")

    @task(1)
    def upload(self) -> None:
        # A mediator belongs to no side: their documents go to the whole case.
        audience = "case" if self.seat.mediator else "own_side"
        response = self.client.post(
            f"{self.case}/documents",
            files={"file": ("statement.txt", DOCUMENT, "text/plain")},
            data={"audience": audience},
            headers=self.headers,
            name="POST document",
        )
        if response.status_code == 201:
            self.documents.append(response.json()["id"])

    @task(2)
    def download(self) -> None:
        if self.documents:
            self.client.get(
                f"/api/v1/documents/{random.choice(self.documents)}/content",
                headers=self.headers,
                name="GET document content",
            )

    @task(4)
    def chat(self) -> None:
        """A line in the meeting's live chat: the time until the sender's socket hears it
        back through the channel layer (chat is never stored)."""
        started = time.perf_counter()
        error: Exception | None = None
        try:
            if self.socket is None:
                self._connect()
            assert self.socket is not None
            self.socket.send(json.dumps({"text": "Shall we take a short break?"}))
            self._next(lambda f: f.get("type") == "chat" and f.get("from") == self.me)
        except Exception as exc:  # any failure is the request's error
            error = exc
            self.on_stop()
        self.environment.events.request.fire(
            request_type="WS",
            name="chat line (WebSocket)",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )

    def _connect(self) -> None:
        url = str(self.host).replace("http", "ws", 1) + f"/ws/meetings/{self.seat.meeting_id}/"
        self.socket = websocket.create_connection(
            url, header=[f"{k}: {v}" for k, v in self.headers.items()], timeout=30
        )
        self.frames = gevent.queue.Queue()
        # As a browser does, the socket is read all the time, which also answers the
        # server's pings (uvicorn closes a socket that leaves them unanswered for 20 s).
        self.socket.settimeout(None)
        self.reader = gevent.spawn(self._read, self.socket, self.frames)
        self.me = self._next(lambda f: f.get("type") == "hello")["participant_id"]

    @staticmethod
    def _read(socket: websocket.WebSocket, frames: gevent.queue.Queue) -> None:
        try:
            while True:
                frames.put(json.loads(socket.recv()))
        except Exception as exc:  # the socket closed: the next wait for a frame fails
            frames.put({"type": "closed", "reason": repr(exc)})

    def _next(self, wanted: Any) -> dict[str, Any]:
        """The next frame `wanted` accepts; the others (presence, others' lines) pass."""
        while True:
            frame: dict[str, Any] = self.frames.get(timeout=30)
            if wanted(frame):
                return frame
            if frame.get("type") in {"error", "closed"}:
                raise RuntimeError(f"chat: {frame}")

    @task(1)
    def agreement_pdf(self) -> None:
        agreements = self.client.get(
            f"{self.case}/agreements", headers=self.headers, name="GET agreements"
        )
        if agreements.status_code == 200 and agreements.json()["items"]:
            first = agreements.json()["items"][0]["id"]
            self.client.get(
                f"/api/v1/agreements/{first}/pdf",
                headers=self.headers,
                name="GET signed agreement PDF",
            )

    @task(1)
    def sign_memorandum(self) -> None:
        if self.signed:
            return
        path = f"/api/v1/settlement/{self.seat.settlement_id}"
        memorandum = self.client.get(path, headers=self.headers, name="GET memorandum")
        if memorandum.status_code != 200:
            return
        signed = self.client.post(
            f"{path}/sign",
            json={"typed_name": self.seat.name, "text_sha256": memorandum.json()["text_sha256"]},
            headers=self.headers,
            name="POST memorandum signature",
        )
        # The API answers a signature with 200 (API.md); 201 was this bench's mistake, which
        # made each signer sign again and count a 409 `already_signed` as an error.
        self.signed = signed.status_code == 200


def prepare(cluster: Cluster, mediators: int, cases: int, jobs: int) -> list[Seat]:
    """bench/load_seed.py in the servers' environment, with a data directory of its own."""
    env = {**cluster.env, "CAUCUS_DATA_DIR": str(cluster.tmp / "seed")}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load_seed.py"),
            f"--mediators={mediators}",
            f"--cases={cases}",
            f"--jobs={jobs}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"seeding failed:\n{done.stderr[-5000:]}")
    return [Seat(**seat) for seat in json.loads(done.stdout)]


def memory(cluster: Cluster) -> dict[str, tuple[int, int]]:
    """Per server: RSS now and the largest peak (VmHWM) of its processes, in MB."""
    out: dict[str, tuple[int, int]] = {}
    for name, server in cluster.servers.items():
        procs = [psutil.Process(server.process.pid)]
        procs += procs[0].children(recursive=True)
        rss = sum(p.memory_info().rss for p in procs) // 1024**2
        peak = 0
        for p in procs:
            for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) // 1024)
        out[name] = (rss, peak)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mediators", type=int, default=50)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--users", type=int, default=0, help="default: every person")
    parser.add_argument("--seed-jobs", type=int, default=2, help="processes that seed")
    args = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    (ROOT / "var").mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-", dir=ROOT / "var"))
    with running_cluster(tmp, database_url, redis_url) as cluster:
        started = time.monotonic()
        seats = prepare(cluster, args.mediators, args.cases, args.seed_jobs)
        print(
            f"setup: {args.mediators} mediators, {args.cases} cases onboarded, "
            f"{len(seats)} people, in {time.monotonic() - started:.0f} s "
            f"({args.seed_jobs} processes)",
            flush=True,
        )
        PracticeDay.seats = list(seats)
        PracticeDay.all_seats = list(seats)
        users = args.users or len(seats)
        env = Environment(user_classes=[PracticeDay], host=cluster.url)
        runner = env.create_local_runner()
        # Everyone has arrived within the first minute (or the first fifth of a short run).
        runner.start(users, spawn_rate=max(1, users / min(60, args.minutes * 12)))
        gevent.spawn_later(args.minutes * 60, runner.quit)
        runner.greenlet.join()
        report(env, cluster, users, args.minutes)


def report(env: Any, cluster: Cluster, users: int, minutes: float) -> None:
    print(f"load: {users} users for {minutes:g} min through nginx")
    print(f"{'request':<30}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for (name, _method), entry in sorted(env.stats.entries.items()):
        print(
            f"{name:<30}{entry.num_requests:>8}{entry.num_failures:>8}"
            f"{entry.get_response_time_percentile(0.5):>9.0f}"
            f"{entry.get_response_time_percentile(0.95):>9.0f}"
            f"{entry.get_response_time_percentile(0.99):>9.0f}"
        )
    total = env.stats.total
    print(
        f"{'all':<30}{total.num_requests:>8}{total.num_failures:>8}"
        f"{total.get_response_time_percentile(0.5):>9.0f}"
        f"{total.get_response_time_percentile(0.95):>9.0f}"
        f"{total.get_response_time_percentile(0.99):>9.0f}"
    )
    for error in env.stats.errors.values():
        print(f"error: {error.method} {error.name}: {error.error} x{error.occurrences}")
    for name, (rss, peak) in memory(cluster).items():
        print(f"server {name}: RSS {rss} MB (all its processes), largest process peak {peak} MB")


if __name__ == "__main__":
    main()
