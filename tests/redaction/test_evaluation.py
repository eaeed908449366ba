"""Runs the evaluator on the hand-written documents and holds the engine to the figures it
reached (bench/redaction/RESULTS.md), so that a change that loses ground fails here. The
`report2` part was written and committed before issue 17's third round changed the engine
and is never read for misses: its floor is the honest one. The other parts were read for
misses in some round, so their floors guard against regressions only. The engine on `main`
is left out: the bench prints it beside these figures."""

from __future__ import annotations

import statistics

import pytest

from bench.redaction.evaluate import HANDWRITTEN, HONEST, load, parse, run

# part: (documents at least, recall with case knowledge, recall without, look-alikes kept,
# documents leaking at most without case knowledge)
FLOORS = {
    "report2": (32, 1.0, 0.95, 0.93, 16),
    "fresh": (22, 1.0, 0.995, 0.95, 0),
    "report": (34, 1.0, 0.99, 0.98, 3),
    "dev": (41, 1.0, 0.995, 0.96, 2),
    "dev2": (30, 1.0, 0.995, 0.95, 1),
}


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_it_holds_its_figures(part: str) -> None:
    least, with_floor, without_floor, kept_floor, leaking = FLOORS[part]
    docs = load(part)
    assert len(docs) >= least
    results = run(docs, before=False)
    with_k = results["this branch, with case knowledge"]
    without_k = results["this branch, without case knowledge"]
    baseline = results["Presidio default (offline)"]
    k, n = with_k.recall()
    assert k / n >= with_floor
    k, n = without_k.recall()
    assert k / n >= without_floor
    for score in (with_k, without_k):
        for label in ("SSN", "ACCOUNT"):
            found, total = score.recall(label)
            assert found == total, label
        assert score.kept / score.keeps >= kept_floor
    assert without_k.leaking_docs <= leaking
    # CPU time, not the wall clock: the ratio to Presidio's default in the same run
    assert statistics.median(without_k.cpu_ms) < statistics.median(baseline.cpu_ms)


def test_the_marked_up_documents_read_back_exactly() -> None:
    docs = parse(
        "=== x1 memo US dev\n"
        "Call [[PERSON:Ann Lee]] at [[PHONE:555<NBSP>0100]] about {{$5}}.<TAB>Done.\n"
    )
    (doc,) = docs
    assert doc["text"] == "Call Ann Lee at 555\u00a00100 about $5.\tDone.\n"
    (person, phone) = doc["entities"]
    assert doc["text"][person["start"] : person["end"]] == "Ann Lee"
    assert doc["text"][phone["start"] : phone["end"]] == "555\u00a00100"
    (keep,) = doc["keeps"]
    assert doc["text"][keep["start"] : keep["end"]] == "$5"
    assert doc["knowledge"]["people"] == ["Ann Lee"]


def test_the_report_part_says_it_was_not_tuned_on() -> None:
    head = HANDWRITTEN[HONEST].read_text(encoding="utf-8")[:600]
    assert HONEST == "report2"
    assert "NOT tuned on" in head
