"""Load test of a practice's day (issue 18) with locust, against the several-servers topology
of tests/deploy/cluster.py: two `caucus serve` processes (one with two uvicorn workers) behind
nginx on PostgreSQL, Redis and an S3 bucket (moto).

Setup (not measured): M mediators made with the CLI, C cases each taken through screening and
onboarding (two invited parties who accept, acknowledge the structure, sign every agreement
and agree to the ground rules). Then, for a bounded time, one locust user per person of the
cases reads the case, lists and posts portal messages, lists, uploads and downloads
documents. Reports p50, p95 and p99 per kind of request, the errors, and the servers' memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/load.py --mediators 5 --cases 30 --minutes 2

DATABASE_URL names the PostgreSQL server (a scratch database is made and dropped); REDIS_URL
a Redis whose keys the run prefixes with a name of its own.
"""

# isort: skip_file
# locust patches the standard library for gevent on import: it comes first.
from locust import HttpUser, between, task
from locust.env import Environment

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import gevent
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHONPATH", str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
# The helpers below read Django's settings; this process keeps its files apart.
os.environ.setdefault("CAUCUS_DATA_DIR", str(ROOT / "var" / "bench-load"))

from tests.deploy.cluster import Cluster, running_cluster  # noqa: E402
from tests.e2e.test_meetings_browser import Person, active_case, new_mediator  # noqa: E402

DOCUMENT = b"A statement for the load test.\n" * 600  # about 18 KiB


@dataclass
class Seat:
    case_id: str
    token: str
    mediator: bool


class PracticeDay(HttpUser):  # type: ignore[misc]
    """One person of one case going about their day."""

    wait_time = between(1, 4)
    # Each person is one user while there are people left; more users reuse them at random.
    seats: ClassVar[list[Seat]] = []
    all_seats: ClassVar[list[Seat]] = []

    def on_start(self) -> None:
        self.seat = self.seats.pop() if self.seats else random.choice(PracticeDay.all_seats)
        self.headers = {"Authorization": f"Bearer {self.seat.token}"}
        self.case = f"/api/v1/cases/{self.seat.case_id}"
        self.documents: list[str] = []

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


def prepare(cluster: Cluster, mediators: int, cases: int) -> list[Seat]:
    server = cluster.live()
    staff: list[Person] = [new_mediator(server) for _ in range(mediators)]
    seats: list[Seat] = []
    for n in range(cases):
        case = active_case(server, staff[n % mediators])
        for person, is_mediator in (
            (case.mediator, True),
            (case.party_a, False),
            (case.party_b, False),
        ):
            token = person.api.headers["Authorization"].removeprefix("Bearer ")
            seats.append(Seat(case.id, token, is_mediator))
    return seats


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
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--users", type=int, default=0, help="default: every person")
    args = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    (ROOT / "var").mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-", dir=ROOT / "var"))
    with running_cluster(tmp, database_url, redis_url) as cluster:
        started = time.monotonic()
        seats = prepare(cluster, args.mediators, args.cases)
        print(
            f"setup: {args.mediators} mediators, {args.cases} cases onboarded, "
            f"{len(seats)} people, in {time.monotonic() - started:.0f} s"
        )
        PracticeDay.seats = list(seats)
        PracticeDay.all_seats = list(seats)
        users = args.users or len(seats)
        env = Environment(user_classes=[PracticeDay], host=cluster.url)
        runner = env.create_local_runner()
        runner.start(users, spawn_rate=max(1, users / 30))
        gevent.spawn_later(args.minutes * 60, runner.quit)
        runner.greenlet.join()
        report(env, cluster, users, args.minutes)


def report(env: Any, cluster: Cluster, users: int, minutes: float) -> None:
    print(f"load: {users} users for {minutes:g} min through nginx")
    print(f"{'request':<24}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for (name, _method), entry in sorted(env.stats.entries.items()):
        print(
            f"{name:<24}{entry.num_requests:>8}{entry.num_failures:>8}"
            f"{entry.get_response_time_percentile(0.5):>9.0f}"
            f"{entry.get_response_time_percentile(0.95):>9.0f}"
            f"{entry.get_response_time_percentile(0.99):>9.0f}"
        )
    total = env.stats.total
    print(
        f"{'all':<24}{total.num_requests:>8}{total.num_failures:>8}"
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
