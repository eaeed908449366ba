"""Benchmark: audited reads per second with one audit chain per case (issue 14, item 6).

Every audited read appends an entry to its case's audit chain under that chain's row lock.
This starts 1, 2 and 4 `caucus serve` processes (each on its own port, all on one PostgreSQL
database and one data directory) and has clients read a document's metadata
(`GET /api/v1/documents/{id}`, an audited read: one audit entry and one access-log row per
call), either all in ONE case or spread over MANY cases. Each figure is printed beside its
baseline, measured in the same run, interleaved, against servers started with
`CAUCUS_BENCH_AUDIT_BASELINE=1`, with which every append also waits for the practice chain's
head row: one lock for all cases, as before the split. Both kinds of server load the
bench-only settings module bench/audit_settings.py (which also turns off persistent
database connections, see there).

Expected: reads in one case serialise on that case's head in both; reads spread over many
cases scale with processes only with chains per case.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caucus_bench_audit \\
        .venv/bin/python bench/audit.py [--seconds 6] [--cases 16]

The database must be PostgreSQL and of its own: it is flushed first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = (1, 2, 4)
CLIENTS_PER_PROCESS = 2
MODES = {"baseline": "1", "per case": "0"}


@dataclass(frozen=True)
class Reader:
    token: str
    document_id: uuid.UUID


def build_cases(count: int) -> list[Reader]:
    """`count` active cases (onboarding done), each with a document of party A's side and
    party A's token. A fast password hasher: nobody signs in with these passwords."""
    from django.test.utils import override_settings

    from caucus.accounts.services import new_api_token
    from caucus.cases import services
    from caucus.cases.models import Case, Practice
    from caucus.crypto.keyring import key_scope
    from caucus.vault.services import store_document
    from tests.conftest import World, _join, complete_onboarding, make_user

    readers = []
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers), key_scope():
        for n in range(count):
            practice = Practice.objects.create(name=f"Bench practice {n}")
            med = make_user(f"m{n}@bench.test", "Mia Mediator", practice=practice)
            me = services.open_case(med, title=f"Bench case {n}", kind="family", litigated=False)
            services.screen_case(
                med, me.case_id, decision="accept", reason_code=None, private_note=None
            )
            a = _join(med, me.case_id, f"a{n}@bench.test", "Ada Party", "party", None)
            assert a.participant is not None and a.participant.side_id is not None
            att = _join(
                med,
                me.case_id,
                f"t{n}@bench.test",
                "Abe Attorney",
                "attorney",
                a.participant.side_id,
            )
            b = _join(med, me.case_id, f"b{n}@bench.test", "Bea Party", "party", None)
            assert b.participant is not None and b.participant.side_id is not None
            world = World(
                practice=practice,
                case=Case.objects.get(pk=me.case_id),
                mediator=a.__class__("mediator", med, None, me),
                party_a=a,
                attorney_a=att,
                party_b=b,
                outsider=a,
                anonymous=a,
                other_case=Case.objects.get(pk=me.case_id),
                side_a=a.participant.side_id,
                side_b=b.participant.side_id,
            )
            complete_onboarding(world)
            doc = store_document(
                a.participant,
                name="statement.txt",
                content_type="text/plain",
                chunks=[b"Our side's statement.\n"],
                audience_kind="side",
                audience_side_id=a.participant.side_id,
            )
            assert a.user is not None
            readers.append(Reader(new_api_token(a.user), doc.id))
    return readers


def start_server(work: Path, data_dir: Path, baseline: str) -> tuple[subprocess.Popen[bytes], str]:
    from tests.e2e.conftest import _start

    # Each server in a working directory of its own, all with the one data directory (the
    # keys of the cases and the documents' blobs).
    work.mkdir(parents=True)
    (work / "data").symlink_to(data_dir)
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.audit_settings",
        "CAUCUS_BENCH_AUDIT_BASELINE": baseline,
        "CAUCUS_LOG_LEVEL": "WARNING",
    }
    proc, server = _start(work, env)
    return proc, server.url


@dataclass
class Run:
    rate: float  # audited reads per second
    waiting: float  # share of the servers' busy database sessions waiting for a lock


LOCK_WAITS = """
    SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*)
    FROM pg_stat_activity
    WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
"""


async def read_for(seconds: float, urls: list[str], readers: list[Reader]) -> Run:
    """Audited reads per second: CLIENTS_PER_PROCESS clients per server, each reading its
    turn of `readers` (one reader: all in one case), for `seconds` after one warm-up second.
    Meanwhile PostgreSQL is asked ten times a second how many of the servers' sessions are
    busy and how many of those wait for a lock: on a machine whose CPUs are taken by other
    work, the waits show serialisation that the rate alone may not."""
    import httpx
    import psycopg

    done = 0
    counting = False
    stop = False
    failed: list[int] = []
    waiting = busy = 0
    clients = len(urls) * CLIENTS_PER_PROCESS

    async def client(n: int) -> None:
        nonlocal done
        url = urls[n % len(urls)]
        turn = n
        async with httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=60) as http:
            while not stop:
                reader = readers[turn % len(readers)]
                turn += clients
                r = await http.get(
                    f"/documents/{reader.document_id}",
                    headers={"Authorization": f"Bearer {reader.token}"},
                )
                if counting and r.status_code == 200:
                    done += 1
                elif counting:
                    # PostgreSQL is shared: "too many clients" from others' runs is a 500.
                    failed.append(r.status_code)

    async def sample() -> None:
        nonlocal waiting, busy
        db = await psycopg.AsyncConnection.connect(os.environ["DATABASE_URL"], autocommit=True)
        async with db:
            while not stop:
                if counting:
                    row = await (await db.execute(LOCK_WAITS)).fetchone()
                    assert row is not None
                    waiting, busy = waiting + row[0], busy + row[1]
                await asyncio.sleep(0.1)

    tasks = [asyncio.create_task(client(n)) for n in range(clients)]
    tasks.append(asyncio.create_task(sample()))
    await asyncio.sleep(1)
    counting, start = True, time.perf_counter()
    await asyncio.sleep(seconds)
    counting, elapsed = False, time.perf_counter() - start
    stop = True
    await asyncio.gather(*tasks)
    if failed:
        print(f"  ({len(failed)} reads failed: {sorted(set(failed))})", file=sys.stderr)
    return Run(done / elapsed, waiting / busy if busy else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="per measurement")
    parser.add_argument("--cases", type=int, default=16, help="cases of the 'many' reads")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database of its own (it is flushed)")

    (ROOT / "var").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-audit-", dir=ROOT / "var"))
    data_dir = work / "data"
    os.environ["CAUCUS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "caucus.settings"
    os.environ["CAUCUS_LOG_LEVEL"] = "WARNING"
    os.environ["PYTHONPATH"] = str(ROOT)
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    readers = build_cases(args.cases)
    connection.close()
    load_before = os.getloadavg()

    servers: dict[str, list[tuple[subprocess.Popen[bytes], str]]] = {}
    try:
        for mode, baseline in MODES.items():
            servers[mode] = [
                start_server(work / f"{mode.replace(' ', '-')}-{n}", data_dir, baseline)
                for n in range(max(PROCESSES))
            ]
        spreads = {"one case": readers[:1], f"{args.cases} cases": readers}
        best: dict[tuple[str, int, str], Run] = {}
        for _ in range(args.rounds):
            # Interleaved, so that neither side gets a quieter moment of the shared machine.
            for processes in PROCESSES:
                for spread, chosen in spreads.items():
                    for mode in MODES:
                        urls = [url for _, url in servers[mode][:processes]]
                        run = asyncio.run(read_for(args.seconds, urls, chosen))
                        key = (spread, processes, mode)
                        if key not in best or run.rate > best[key].rate:
                            best[key] = run
    finally:
        for procs in servers.values():
            for proc, _ in procs:
                proc.terminate()
        for procs in servers.values():
            for proc, _ in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()

    from caucus.audit.chain import verify

    verdict = verify()
    load = os.getloadavg()
    print(
        f"audited reads per second (GET /documents/{{id}}), best of {args.rounds} x "
        f"{args.seconds:.0f} s, {CLIENTS_PER_PROCESS} clients per server process; "
        f"PostgreSQL; {os.cpu_count()} CPUs; load average {load_before[0]:.1f} before, "
        f"{load[0]:.1f} after; in brackets: share of busy sessions waiting for a lock"
    )
    print(
        f"{'reads in':<10} {'processes':>9} {'one lock (before)':>18} "
        f"{'chain per case':>15} {'ratio':>6}"
    )
    for spread in spreads:
        for processes in PROCESSES:
            before = best[(spread, processes, "baseline")]
            after = best[(spread, processes, "per case")]
            print(
                f"{spread:<10} {processes:>9} "
                f"{f'{before.rate:.0f} ({before.waiting:.0%})':>18} "
                f"{f'{after.rate:.0f} ({after.waiting:.0%})':>15} "
                f"{after.rate / before.rate:>6.2f}"
            )
    for spread in spreads:
        for mode in MODES:
            scale = best[(spread, max(PROCESSES), mode)].rate / best[(spread, 1, mode)].rate
            print(f"scaling 1 -> {max(PROCESSES)} processes, {spread}, {mode}: {scale:.2f}x")
    print(
        f"afterwards: audit chains {'intact' if verdict.ok else 'BROKEN'}, "
        f"{verdict.checked} entries in {verdict.chains} chains"
    )


if __name__ == "__main__":
    main()
