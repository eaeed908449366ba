"""Runs the evaluator on a slice of the report part (never tuned on) and holds it to the
issue's targets. The slice takes every fifth document so every report template is in it."""

from __future__ import annotations

import statistics

from bench.redaction.evaluate import load, run


def test_it_meets_the_targets_on_a_slice_of_the_report_part() -> None:
    docs = load("report")[::5]
    results = run(docs=docs)
    with_k = results["caucus, with case knowledge"]
    without_k = results["caucus, without case knowledge"]
    baseline = results["Presidio default (offline)"]
    k, n = with_k.recall()
    assert k / n >= 0.99
    k, n = without_k.recall()
    assert k / n >= 0.95
    for score in (with_k, without_k):
        for label in ("SSN", "ACCOUNT"):
            found, total = score.recall(label)
            assert found == total
        assert score.precision >= 0.85
    assert statistics.median(with_k.ms_per_kw) < statistics.median(baseline.ms_per_kw)
    assert statistics.median(without_k.ms_per_kw) < statistics.median(baseline.ms_per_kw)
