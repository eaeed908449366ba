"""Benchmark of the document vault (issue 6, item 6). One command; every ratio is against a
baseline measured in the same run on the same disk:

(a) the vault's streaming encrypt-to-storage and decrypt-from-storage of one file, against
    the raw AES-256-GCM speed of the same library (same segment size, in memory) and a plain
    file copy on the same disk; target: at least half of the slower of the two.
(b) an upload and a download of the file over HTTP through `caucus serve`, against the same
    server moving the same bytes unencrypted (bench/vault_urls.py, loaded only through the
    bench-only settings module bench/vault_settings.py); target: at most 20% more time.
(c) the served process's memory: its RSS after answering the login page and after setting
    up the case, before any transfer (target under 100 MB), and its peak (VmHWM, reset
    before the transfers) during (b). The sign-ins' Argon2 hashes (about 100 MiB each, for
    a moment) show in the peak of the setup, reported apart.

    .venv/bin/python bench/vault.py               # 1 GiB
    .venv/bin/python bench/vault.py --size 64M    # a quick run (CI)
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEGMENT = 256 * 1024


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def make_source(path: Path, size: int) -> None:
    # Printable text, so the vault's type check accepts it as text/plain.
    block = base64.b64encode(os.urandom(768 * 1024))
    with open(path, "wb") as out:
        left = size
        while left:
            n = min(left, len(block))
            out.write(block[:n])
            left -= n


def rate(size: int, seconds: float) -> float:
    return size / seconds / 1024**2


def part_a(work: Path, source: Path, size: int) -> dict[str, float]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from caucus.vault import storage
    from caucus.vault.segments import SegmentWriter, decrypt_stream, new_document_key

    key = new_document_key()
    aead = AESGCM(key)
    block = os.urandom(SEGMENT)
    t = time.perf_counter()
    for i in range(size // SEGMENT):
        aead.encrypt(i.to_bytes(12, "big"), block, b"aad")
    raw_aes = rate(size, time.perf_counter() - t)

    t = time.perf_counter()
    with open(source, "rb") as src, open(work / "copy.bin", "wb") as dst:
        shutil.copyfileobj(src, dst, SEGMENT)
        dst.flush()
        os.fsync(dst.fileno())
    copy = rate(size, time.perf_counter() - t)
    (work / "copy.bin").unlink()

    doc = uuid.uuid4()
    name = storage.new_blob_name(uuid.uuid4())
    t = time.perf_counter()
    with open(source, "rb") as src, storage.open_for_write(name) as sink:
        writer = SegmentWriter(key, doc, sink)
        while chunk := src.read(SEGMENT):
            writer.write(chunk)
        writer.close()
        os.fsync(sink.fileno())
    encrypt = rate(size, time.perf_counter() - t)

    t = time.perf_counter()
    got = 0
    source_blob = storage.open_for_read(name)
    for part in decrypt_stream(key, doc, source_blob, on_done=source_blob.close):
        got += len(part)
    decrypt = rate(size, time.perf_counter() - t)
    assert got == size
    storage.delete_blob(name)
    return {"raw_aes": raw_aes, "copy": copy, "encrypt": encrypt, "decrypt": decrypt}


def vm(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak(pid: int) -> None:
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def part_b(work: Path, source: Path, size: int, repeat: int) -> dict[str, float]:
    import httpx

    sys.path.insert(0, str(ROOT))
    from tests.e2e.conftest import _start
    from tests.e2e.test_meetings_browser import active_case
    from tests.processes import stop

    os.environ["PYTHONPATH"] = str(ROOT)
    limit = str(size + 1024 * 1024)
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.vault_settings",
        "CAUCUS_MAX_UPLOAD_BYTES": limit,
        "PYTHONPATH": str(ROOT),
    }
    server_dir = work / "server"
    server_dir.mkdir()
    proc, server = _start(server_dir, env)
    try:
        login = vm(proc.pid, "VmRSS")
        case = active_case(server)
        setup, setup_peak = vm(proc.pid, "VmRSS"), vm(proc.pid, "VmHWM")
        reset_peak(proc.pid)
        api = case.party_a.api
        timeout = httpx.Timeout(600)

        def upload(url: str, headers: dict[str, str]) -> tuple[float, str]:
            with open(source, "rb") as body:
                t = time.perf_counter()
                r = httpx.post(
                    url,
                    headers=headers,
                    files={"file": ("bench.txt", body, "text/plain")},
                    data={"audience": "own_side"},
                    timeout=timeout,
                )
                elapsed = time.perf_counter() - t
            assert r.status_code == 201, r.text
            return elapsed, str(r.json()["id"])

        def download(url: str, headers: dict[str, str]) -> float:
            t = time.perf_counter()
            got = 0
            with httpx.stream("GET", url, headers=headers, timeout=timeout) as r:
                assert r.status_code == 200
                for part in r.iter_raw(SEGMENT):
                    got += len(part)
            assert got == size, got
            return time.perf_counter() - t

        results: dict[str, list[float]] = {k: [] for k in ("vu", "vd", "ru", "rd")}
        # Alternate the two, so that neither gets a warmer cache or a quieter moment.
        for _ in range(repeat):
            elapsed, raw_id = upload(f"{server.url}/bench/raw", {})
            results["ru"].append(elapsed)
            results["rd"].append(download(f"{server.url}/bench/raw?id={raw_id}", {}))
            elapsed, doc_id = upload(f"{api.url}/cases/{case.id}/documents", api.headers)
            results["vu"].append(elapsed)
            results["vd"].append(download(f"{api.url}/documents/{doc_id}/content", api.headers))
        hwm = vm(proc.pid, "VmHWM")
    finally:
        stop(proc)
    best = {k: min(v) for k, v in results.items()}
    return {**best, "hwm": hwm, "login": login, "setup": setup, "setup_peak": setup_peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="file size, e.g. 1G or 64M")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of each measurement, interleaved; the best of each counts (a shared, "
        "busy machine slows some rounds at random)",
    )
    args = parser.parse_args()
    size = parse_size(args.size)
    size -= size % SEGMENT
    (ROOT / "var").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-vault-", dir=ROOT / "var"))
    os.environ["CAUCUS_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        source = work / "source.bin"
        make_source(source, size)
        rounds = [part_a(work, source, size) for _ in range(args.repeat)]
        a = {k: max(r[k] for r in rounds) for k in rounds[0]}
        slower = min(a["raw_aes"], a["copy"])
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"size: {size / 1024**2:.0f} MiB, segment {SEGMENT // 1024} KiB, best of "
            f"{args.repeat} rounds, {os.cpu_count()} CPUs, load average {load}"
        )
        print(f"(a) raw AES-GCM {a['raw_aes']:.0f} MiB/s; plain copy {a['copy']:.0f} MiB/s")
        print(
            f"    vault encrypt-to-storage {a['encrypt']:.0f} MiB/s: "
            f"{a['encrypt'] / slower:.2f} of the slower baseline (target >= 0.50)"
        )
        print(
            f"    vault decrypt-from-storage {a['decrypt']:.0f} MiB/s: "
            f"{a['decrypt'] / slower:.2f} of the slower baseline (target >= 0.50)"
        )
        if not args.skip_http:
            b = part_b(work, source, size, args.repeat)
            print(
                f"(b) upload: vault {rate(size, b['vu']):.0f} MiB/s, unencrypted "
                f"{rate(size, b['ru']):.0f} MiB/s: time ratio {b['vu'] / b['ru']:.2f} "
                "(target <= 1.20)"
            )
            print(
                f"    download: vault {rate(size, b['vd']):.0f} MiB/s, unencrypted "
                f"{rate(size, b['rd']):.0f} MiB/s: time ratio {b['vd'] / b['rd']:.2f} "
                "(target <= 1.20)"
            )
            mb = {k: b[k] / 1024**2 for k in ("login", "setup", "setup_peak", "hwm")}
            print(
                f"(c) served process RSS {mb['login']:.0f} MB after the login page, "
                f"{mb['setup']:.0f} MB after the case's setup (target < 100 MB); peak "
                f"{mb['setup_peak']:.0f} MB during the setup (Argon2 sign-ins), "
                f"{mb['hwm']:.0f} MB during the transfers"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
