"""Practice 4: no code path widens an audience except the disclosure executor and the
structure rule, both in `caucus/kernel/audience_changes.py`.

The code base is parsed (not grepped) for every place that writes an audience field:
- changing the audience of an existing row (`x.audience_kind = ...`, `.update(audience_kind=...)`,
  `setattr`) is allowed only in `caucus/kernel/audience_changes.py`;
- setting the first audience of a new row (`Model(audience_kind=...)`, `.create(...)`) happens
  in a known list of functions, each with the rule it follows. A new one fails this test until
  someone has read it and added it here with its rule.

The information-flow property test checks the same promise from outside: every audience it
observes must be the one its own model predicts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import caucus

ROOT = Path(caucus.__file__).parent
FIELDS = {"audience_kind", "audience_side", "audience_side_id"}
WIDENING_MODULE = "kernel/audience_changes.py"

# Where a new row gets its first audience, and the rule it follows.
CREATION_SITES = {
    (
        "meetings/services.py",
        "schedule_meeting",
    ): "a caucus is its side's, a joint meeting the case's",
    ("meetings/services.py", "open_caucus"): "a caucus is its side's, the side the mediator named",
    ("meetings/services.py", "raise_item"): "the meeting's audience",
    ("meetings/services.py", "write_note"): "the meeting's audience",
    ("meetings/services.py", "give_feedback"): "the author's side, else the mediators",
    ("disclosures/services.py", "draft_disclosure"): "the item's own side, until released",
    ("disclosures/services.py", "raise_concern"): "the raiser's side, else the mediators",
    (
        "portal/services.py",
        "post_message",
    ): "as asked: mediators, the author's own side or the case",
    ("vault/services.py", "_commit"): "as the uploader asked, checked like a message's",
    ("redaction/services.py", "propose_redaction"): "the mediators: proposed spans are theirs",
    ("redaction/services.py", "finalize_redaction"): "the source's: a redacted copy goes no wider",
    ("kernel/audience_changes.py", "execute_disclosure"): "the approved target (the executor)",
    # issue 16
    (
        "settlement/services.py",
        "comment",
    ): "the author's own side (the mediators, for no side) or the case, as asked",
    (
        "settlement/services.py",
        "propose_public_record",
    ): "the mediators: the copy to redact is theirs until finalized",
    (
        "settlement/services.py",
        "request_removal",
    ): "the requester's own side (and the mediators): what a side wants off the record",
}


def sources() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]


def enclosing_functions(tree: ast.AST) -> dict[int, str]:
    names: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for child in ast.walk(node):
                if hasattr(child, "lineno"):
                    names.setdefault(child.lineno, node.name)
    return names


def writes(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(changes of an existing row's audience, first audiences of new rows), as
    (line, enclosing function)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    functions = enclosing_functions(tree)
    changes: list[tuple[int, str]] = []
    creations: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Attribute) and leaf.attr in FIELDS:
                        changes.append((node.lineno, functions.get(node.lineno, "")))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            keywords = {k.arg for k in node.keywords}
            if name == "setattr" and any(
                isinstance(a, ast.Constant) and a.value in FIELDS for a in node.args
            ):
                changes.append((node.lineno, functions.get(node.lineno, "")))
            elif keywords & FIELDS:
                if name in ("update", "bulk_update", "update_or_create"):
                    changes.append((node.lineno, functions.get(node.lineno, "")))
                else:
                    creations.append((node.lineno, functions.get(node.lineno, "")))
    return changes, creations


def test_only_the_kernel_changes_an_existing_rows_audience() -> None:
    offenders = []
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        changes, _ = writes(path)
        if relative != WIDENING_MODULE:
            offenders += [f"{relative}:{line} in {fn or 'module'}" for line, fn in changes]
    assert not offenders, "audience changed outside the kernel: " + ", ".join(offenders)


def test_the_kernel_changes_audiences_in_its_two_functions_only() -> None:
    changes, _ = writes(ROOT / WIDENING_MODULE)
    assert {fn for _, fn in changes} <= {"apply_structure_rule", "execute_disclosure"}
    assert changes, "the scan found nothing: it would find nothing anywhere"


def test_every_first_audience_is_set_where_its_rule_is_known() -> None:
    unknown = []
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        _, creations = writes(path)
        for line, fn in creations:
            if (relative, fn) not in CREATION_SITES:
                unknown.append(f"{relative}:{line} in {fn or 'module'}")
    assert not unknown, "new place that sets an audience; review and list it: " + ", ".join(unknown)


def test_the_scan_sees_a_widening_write(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "def leak(item):\n"
        "    item.audience_kind = 'case'\n"
        "    Item.objects.filter(pk=1).update(audience_side=None)\n"
        "    setattr(item, 'audience_kind', 'case')\n"
    )
    changes, _ = writes(planted)
    assert [line for line, _ in changes] == [2, 3, 4]
