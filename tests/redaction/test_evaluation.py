"""Runs the evaluator on the report part of the hand-written documents (never tuned on) and
holds the engine to the figures it reached there (README, Redaction), so that a change that
loses ground on documents nobody tuned for fails here. The engine on `main` is left out:
the bench prints it beside these figures."""

from __future__ import annotations

import statistics

from bench.redaction.evaluate import load, parse, run


def test_it_holds_its_figures_on_the_report_part() -> None:
    docs = load("report")
    assert len(docs) >= 30
    results = run(docs, before=False)
    with_k = results["this branch, with case knowledge"]
    without_k = results["this branch, without case knowledge"]
    baseline = results["Presidio default (offline)"]
    k, n = with_k.recall()
    assert k / n >= 0.99
    k, n = without_k.recall()
    assert k / n >= 0.93
    for score in (with_k, without_k):
        for label in ("SSN", "ACCOUNT"):
            found, total = score.recall(label)
            assert found == total, label
        assert score.kept / score.keeps >= 0.88
    assert without_k.leaking_docs <= 17
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
