"""Scores the redaction engine against Presidio's default analyzer (offline) on the
labelled corpus: `python -m bench.redaction.evaluate [--part report|tune|all] [--limit N]`.

Recall is per entity and ignores the label: an entity counts as removed only if every
letter and digit of it lies inside some predicted span. A predicted span is a true
positive when it overlaps any labelled entity. Timing is per document, in ms per 1,000
words, measured with `time.perf_counter` in this process."""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caucus.redaction.engine import deny_list, detect, presidio_default
from caucus.redaction.knowledge import CaseKnowledge

CORPUS = Path(__file__).with_name("corpus.jsonl")
Detector = Callable[[str, CaseKnowledge], list[tuple[int, int, str]]]


def load(part: str = "report", limit: int | None = None) -> list[dict[str, Any]]:
    if not CORPUS.exists():
        from bench.redaction.generate import main

        main()
    docs = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    docs = [d for d in docs if part == "all" or d["part"] == part]
    return docs[:limit] if limit else docs


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class Score:
    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tp: int = 0
    predicted: int = 0
    leaking_docs: int = 0
    docs: int = 0
    ms_per_kw: list[float] = field(default_factory=list)
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    false: list[tuple[str, str]] = field(default_factory=list)

    def recall(self, label: str | None = None) -> tuple[int, int]:
        if label:
            return self.found[label], self.total[label]
        return sum(self.found.values()), sum(self.total.values())

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0


def covered(text: str, entity: dict[str, Any], mask: bytearray) -> bool:
    return all(mask[i] for i in range(entity["start"], entity["end"]) if text[i].isalnum())


def score(docs: list[dict[str, Any]], detector: Detector, use_knowledge: bool) -> Score:
    s = Score()
    for doc in docs:
        text = doc["text"]
        know = CaseKnowledge.from_json(doc["knowledge"]) if use_knowledge else CaseKnowledge()
        t0 = time.perf_counter()
        spans = detector(text, know)
        elapsed = time.perf_counter() - t0
        s.ms_per_kw.append(elapsed * 1000 / max(1, len(text.split())) * 1000)
        mask = bytearray(len(text))
        for start, end, _ in spans:
            mask[start:end] = b"\x01" * (end - start)
        leaked = False
        for ent in doc["entities"]:
            s.total[ent["label"]] += 1
            if covered(text, ent, mask):
                s.found[ent["label"]] += 1
            else:
                leaked = True
                s.missed.append((doc["id"], ent["label"], text[ent["start"] : ent["end"]]))
        gold = bytearray(len(text))
        for ent in doc["entities"]:
            gold[ent["start"] : ent["end"]] = b"\x01" * (ent["end"] - ent["start"])
        for start, end, _ in spans:
            s.predicted += 1
            if any(gold[start:end]):
                s.tp += 1
            else:
                s.false.append((doc["id"], text[start:end]))
        s.docs += 1
        s.leaking_docs += leaked
    return s


def ours(text: str, know: CaseKnowledge) -> list[tuple[int, int, str]]:
    return [(sp.start, sp.end, sp.label) for sp in detect(text, know)]


def presidio(engine: Any) -> Callable[[bool], Detector]:
    def make(with_knowledge: bool) -> Detector:
        def run(text: str, know: CaseKnowledge) -> list[tuple[int, int, str]]:
            ad_hoc = [deny_list(know)] if with_knowledge and not know.is_empty() else None
            results = engine.analyze(text, "en", ad_hoc_recognizers=ad_hoc)
            return [(r.start, r.end, r.entity_type) for r in results]

        return run

    return make


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(results: dict[str, Score]) -> str:
    labels = sorted({lab for s in results.values() for lab in s.total})
    lines = [
        "| system | "
        + " | ".join(labels)
        + " | recall (95% CI) | precision | F2 | docs leaking | ms/1k words p50 | p95 |"
    ]
    lines.append("|" + "---|" * (len(labels) + 7))
    for name, s in results.items():
        cells = []
        for lab in labels:
            k, n = s.recall(lab)
            cells.append(f"{k}/{n}")
        k, n = s.recall()
        r = k / n if n else 1.0
        lo, hi = wilson(k, n)
        p = s.precision
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        lines.append(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {r:.3f} ({lo:.3f} to {hi:.3f}) | {p:.3f} | {f2:.3f} | {s.leaking_docs}/{s.docs}"
            + f" | {statistics.median(s.ms_per_kw):.1f} | {pct(s.ms_per_kw, 0.95):.1f} |"
        )
    return "\n".join(lines)


def run(
    part: str = "report", limit: int | None = None, docs: list[dict[str, Any]] | None = None
) -> dict[str, Score]:
    docs = docs if docs is not None else load(part, limit)
    ours(docs[0]["text"], CaseKnowledge())  # warm the caches outside the timing
    baseline = presidio_default()
    baseline.analyze(docs[0]["text"], "en")
    make = presidio(baseline)
    return {
        "caucus, with case knowledge": score(docs, ours, True),
        "caucus, without case knowledge": score(docs, ours, False),
        "Presidio default (offline), with case deny-list": score(docs, make(True), True),
        "Presidio default (offline)": score(docs, make(False), False),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", default="report", choices=["report", "tune", "all"])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    results = run(args.part, args.limit)
    print(f"part: {args.part}, documents: {next(iter(results.values())).docs}")
    print(table(results))
    if args.show_misses:
        for name in list(results)[:2]:
            print(f"\n{name}: missed")
            for miss in results[name].missed:
                print("  ", miss)
            print(f"{name}: false positives")
            for fp in results[name].false:
                print("  ", fp)


if __name__ == "__main__":
    main()
