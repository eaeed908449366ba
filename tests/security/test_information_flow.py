"""Information-flow property test (issue 4 item 7, issue 5 item 6).

Hypothesis runs random sequences of the meeting actions (schedule, start, join, admit, raise,
decide, confirm, end, notes, feedback, revise) and of issue 5's (draft a disclosure, approve
or reject it, ask and answer consents, raise and answer concerns, send messages, close) by
random personas through the real API. The expected answers come from this file's own model of
each object's audience, written from the rules in ARCHITECTURE.md and issues 4 and 5, never
from the kernel:

- meetings, items and notes take the meeting's audience: a joint meeting the case, a caucus
  its side;
- a confirmed `may_share` item in a `shared_unless_marked` case becomes case-wide;
- feedback is seen by the mediators and the author's side (the mediators only, if the
  author has no side);
- a disclosure is its item's side's; when every approver (the side's party and attorney)
  has approved, a new item with only the approved wording appears for the target; the
  original and the disclosure stay the side's; one rejection ends it;
- messages go to the mediators, the author's side or the case, and their author reads them;
  concerns are the raiser's side's (or the mediators', for someone with no side) and the
  raiser's; consents are the case's, but a caucus they name is not shown to the other side;
- the mediator's private reasons for closing are the mediators' only;
- issue 16: the memorandum of understanding and every version of it are the case's; a
  comment on it is its author's side's and the mediators' (the mediators' only, for someone
  with no side) unless shared with the case, and its author reads it; the memorandum is
  signed by the parties and the mediator only once marked ready, and only its current text.

A persona may read an object iff they mediate the case, or it is case-wide, or its side is
theirs (or they wrote it, for messages and concerns). The outsider and anonymous read
nothing. Every response of every call, of every persona, is searched for the markers and
the ids of every object hidden from that persona. The full check (for every persona and
object: the detail answers 200 iff allowed, else 404 (401 for anonymous), never 403 or 5xx;
every list holds exactly the allowed ids) runs after every step in the `dev` profile, and at
the end of every example in `ci`.

Profiles (HYPOTHESIS_PROFILE, else `ci` when CI=true, else `dev`): `dev` runs 50 sequences
with a random seed, `ci` 500 derandomized sequences (the same ones on every run, so a red
build always means the change under test broke something and the failure reproduces);
CAUCUS_FLOW_EXAMPLES sets either count, CAUCUS_FLOW_EVERY_STEP=1 checks every step in `ci`.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import pytest
from django.db import transaction
from django.http import HttpResponse
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pytest_django import DjangoDbBlocker

from caucus.crypto.keyring import key_scope
from caucus.meetings.models import Item, Meeting, Note
from tests.conftest import ApiClient, World, build_world, complete_onboarding

ATTEST = {"attestation": {"private_location": True, "not_recording": True, "others_present": []}}
STARTS_AT = "2026-12-01T10:00:00Z"

PROFILES: dict[str, settings] = {
    "dev": settings(
        max_examples=int(os.environ.get("CAUCUS_FLOW_EXAMPLES", "50")),
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        print_blob=True,
    ),
    # Issue 5 asks for 500 sequences once its actions join; until then CI runs 200 (about four
    # minutes of CPU per backend here), and CAUCUS_FLOW_EXAMPLES raises it for a long run.
    "ci": settings(
        max_examples=int(os.environ.get("CAUCUS_FLOW_EXAMPLES", "500")),
        stateful_step_count=int(os.environ.get("CAUCUS_FLOW_STEPS", "6")),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        derandomize=True,
        database=None,
        print_blob=True,
    ),
}


def parse(response: HttpResponse) -> Any:
    return json.loads(response.content)


def profile_name() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE") or (
        "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev"
    )


Name = Literal["mediator", "party_a", "attorney_a", "party_b", "outsider", "anonymous"]
PERSONAS: tuple[Name, ...] = (
    "mediator",
    "party_a",
    "attorney_a",
    "party_b",
    "outsider",
    "anonymous",
)
PARTICIPANTS: tuple[Name, ...] = ("mediator", "party_a", "attorney_a", "party_b")
# Anyone may try anything, but the people who can do an action are tried more often, so that
# sequences get deep enough to decide, confirm, widen and give feedback. The mediator comes
# first: shrinking prefers early choices.
staff = st.sampled_from(("mediator", "mediator", "mediator", *PERSONAS))
attendees = st.sampled_from(("party_a", "party_b", "party_a", "party_b", *PERSONAS))
decisions = st.sampled_from(["keep_confidential", "may_share", "may_share_as_worded"])

CASE = "case"
DETAIL_PATHS = {
    "meeting": "meetings",
    "item": "items",
    "note": "notes",
    "disclosure": "disclosures",
    "message": "messages",
    "concern": "concerns",
    "consent": "consents",
    "document": "documents",
    "settlement": "settlement",
}
ISSUE_5_KINDS = frozenset({"disclosure", "message", "concern", "consent"})
# What the run reached (successful actions), printed at the end: a run that never widens an
# item or gives feedback proves little.
REACHED: Counter[str] = Counter()
MEDIATORS = "mediators"
STRUCTURES = ["permission_required", "shared_unless_marked"]


@dataclass
class Obj:
    """One content object as this test believes it is: its audience and the texts in it."""

    kind: Literal[
        "meeting",
        "item",
        "note",
        "feedback",
        "disclosure",
        "message",
        "concern",
        "consent",
        "secret",
        "document",
        "settlement",
        "settlement_comment",
    ]
    id: str
    audience: str  # "case", "mediators" or "side:<uuid>"
    markers: list[str] = field(default_factory=list)
    meeting: str | None = None  # items and notes: the meeting they belong to
    note: str | None = None  # feedback: its note
    origin_side: str | None = None  # items: the side that raised it (None: the mediator's)
    decision: str | None = None
    confirmed: bool = False
    proposed_wording: bool = False  # items: the party's own wording awaits the mediator
    status: str = "scheduled"  # meetings: scheduled, running, ended; requests: pending, ...
    author: str | None = None  # messages and concerns: their author always reads them
    item: str | None = None  # disclosures: the item disclosed
    to: str | None = None  # disclosures: "case" or "side:<uuid>"
    approvers: dict[Name, str] = field(default_factory=dict)
    # A released item's wording and id are known to the side that approved it (its
    # disclosure shows both), even where that side may not read the item itself.
    known_by: str | None = None  # who -> pending/approved/rejected


class InformationFlow(RuleBasedStateMachine):
    """The test subclasses it with `worlds` set: one onboarded world per confidentiality
    structure, built once. Every example picks one and starts from it as it was built;
    teardown rolls back everything the example wrote."""

    worlds: dict[str, World]
    world: World
    # Every step (dev), or once at the end of each example (ci, for 500 examples in minutes);
    # either way every response of every step is searched for what its reader may not see.
    every_step = True

    meetings = Bundle("meetings")
    items = Bundle("items")
    notes = Bundle("notes")
    disclosures = Bundle("disclosures")
    concerns = Bundle("concerns")
    consents = Bundle("consents")

    def __init__(self) -> None:
        super().__init__()
        # Everything this example writes is undone in teardown: the next example starts
        # from the same clean database (the worlds built once, onboarded).
        self._savepoint = transaction.savepoint()
        self._keys = key_scope()
        self._keys.__enter__()
        self.objects: dict[str, Obj] = {}
        self.shared_unless_marked = False
        self.closed = False
        self.counter = 0
        # Details are read for every persona when an object is new or was written to since
        # the last step; every list, every response's secrets, every step.
        self.touched: set[str] = set()
        self.checked: set[str] = set()
        # issue 16: the memorandum (at most one per case), its state and who signed it.
        self.settlement: str | None = None
        self.settlement_status = "draft"
        self.signed: set[Name] = set()

    def seat(self, w: World) -> None:
        """The example's world: its case and each persona's client."""
        self.world = w
        self.case_id = str(w.case.id)
        self.side_of: dict[Name, str | None] = {
            "mediator": None,
            "party_a": f"side:{w.side_a}",
            "attorney_a": f"side:{w.side_a}",
            "party_b": f"side:{w.side_b}",
            "outsider": None,
            "anonymous": None,
        }
        self.participant_id: dict[Name, str] = {}
        self.clients: dict[Name, ApiClient] = {}
        for name, persona in zip(
            PERSONAS,
            (w.mediator, w.party_a, w.attorney_a, w.party_b, w.outsider, w.anonymous),
            strict=True,
        ):
            self.clients[name] = ApiClient(persona.token)
            if name in PARTICIPANTS:
                assert persona.participant is not None
                self.participant_id[name] = str(persona.participant.id)

    def teardown(self) -> None:
        try:
            if not self.every_step:
                self.everyone_reads_exactly_their_audience()
        finally:
            self._keys.__exit__(None, None, None)
            transaction.savepoint_rollback(self._savepoint)

    # -- the oracle --------------------------------------------------------------------

    def may_read(self, who: Name, obj: Obj) -> bool:
        if who == "mediator":
            return True
        if who in ("outsider", "anonymous"):
            return False
        if obj.author == who:
            return True
        return obj.audience == CASE or obj.audience == self.side_of[who]

    def allowed(self, who: Name, kind: str) -> set[str]:
        return {o.id for o in self.objects.values() if o.kind == kind and self.may_read(who, o)}

    def meetings_in(self, *statuses: str) -> bool:
        return any(o.kind == "meeting" and o.status in statuses for o in self.objects.values())

    def awaiting_confirmation(self) -> bool:
        return any(
            o.kind == "item" and o.decision and not o.confirmed for o in self.objects.values()
        )

    def marker(self) -> str:
        self.counter += 1
        return f"ZQX{self.counter:05d}XQZ"

    # -- talking to the API --------------------------------------------------------------

    def call(self, who: Name, method: str, path: str, body: Any = None) -> HttpResponse:
        response: HttpResponse = self.clients[who].call(method, path, body)
        assert response.status_code < 500, (who, method, path, response.status_code)
        content = response.content
        for obj in self.objects.values():
            if self.may_read(who, obj):
                continue
            if obj.known_by is not None and obj.known_by in (self.side_of[who], MEDIATORS):
                continue
            # Its text and its id: existence is confidential (a caucus's included).
            secrets = obj.markers if obj.kind == "secret" else [*obj.markers, obj.id]
            for mark in secrets:
                assert mark.encode() not in content, (
                    f"{who} received {obj.kind} {obj.id} ({obj.audience}) text {mark} "
                    f"from {method} {path}"
                )
        return response

    def write(
        self, who: Name, method: str, path: str, target: Obj | None, body: Any = None
    ) -> dict[str, Any] | None:
        """A write; the parsed body when it succeeded, None when it was refused."""
        response = self.call(who, method, path, body)
        status = response.status_code
        if who == "anonymous":
            assert status == 401, (who, method, path, status)
        elif who == "outsider" or (target is not None and not self.may_read(who, target)):
            # Something the caller may not see does not exist for them, whatever they try.
            assert status == 404, (who, method, path, status, response.content)
        if 200 <= status < 300:
            REACHED[f"{method} {path.split('/')[0]}/{path.split('/')[-1]}"] += 1
            if target is not None:
                self.touched.add(target.id)
            parsed: dict[str, Any] = parse(response)
            return parsed
        assert status in (400, 401, 403, 404, 409), (who, method, path, status, response.content)
        return None

    # -- setting up an example -----------------------------------------------------------

    @initialize(structure=st.sampled_from(STRUCTURES))
    def onboard(self, structure: str) -> None:
        """Starts in the world onboarded under `structure`, as it was built: what an earlier
        example wrote there is gone."""
        self.seat(self.worlds[structure])
        case_id = self.case_id
        assert not Meeting.objects.filter(case_id=case_id).exists()
        assert not Item.objects.filter(case_id=case_id).exists()
        assert not Note.objects.filter(case_id=case_id).exists()
        self.world.case.refresh_from_db()
        assert self.world.case.status == "active"
        assert self.world.case.confidentiality_structure == structure
        self.shared_unless_marked = structure == "shared_unless_marked"

    # -- the actions ---------------------------------------------------------------------

    # Two meetings are enough for every audience pair; more would only dilute the sequences.
    @precondition(lambda self: sum(o.kind == "meeting" for o in self.objects.values()) < 2)
    @rule(
        target=meetings,
        who=staff,
        kind=st.sampled_from(["joint", "caucus_a", "caucus_b"]),
        mode=st.sampled_from(["virtual", "in_person"]),
    )
    def schedule(self, who: Name, kind: str, mode: str) -> MultipleResults[str]:
        body: dict[str, Any] = {"kind": "joint", "mode": mode, "starts_at": STARTS_AT}
        audience = CASE
        if kind != "joint":
            side = self.world.side_a if kind == "caucus_a" else self.world.side_b
            body.update(kind="caucus", side_id=str(side))
            audience = f"side:{side}"
        done = self.write(who, "POST", f"cases/{self.case_id}/meetings", None, body)
        if done is None:
            return multiple()
        self.objects[done["id"]] = Obj("meeting", done["id"], audience)
        return multiple(done["id"])

    @precondition(lambda self: self.meetings_in("scheduled"))
    @rule(who=staff, meeting=meetings)
    def start(self, who: Name, meeting: str) -> None:
        if self.write(who, "POST", f"meetings/{meeting}/start", self.objects[meeting]):
            self.objects[meeting].status = "running"

    @precondition(lambda self: self.meetings_in("running"))
    @rule(who=staff, meeting=meetings)
    def end(self, who: Name, meeting: str) -> None:
        if self.write(who, "POST", f"meetings/{meeting}/end", self.objects[meeting]):
            self.objects[meeting].status = "ended"

    @precondition(lambda self: self.meetings_in("running"))
    @rule(who=attendees, meeting=meetings)
    def join(self, who: Name, meeting: str) -> None:
        self.write(who, "POST", f"meetings/{meeting}/join", self.objects[meeting], ATTEST)

    @precondition(lambda self: self.meetings_in("running"))
    @rule(who=staff, meeting=meetings, attendee=st.sampled_from(PARTICIPANTS[1:]))
    def admit(self, who: Name, meeting: str, attendee: Name) -> None:
        body = {"participant_id": self.participant_id[attendee]}
        self.write(who, "POST", f"meetings/{meeting}/admit", self.objects[meeting], body)

    @precondition(lambda self: self.meetings_in("running"))
    @rule(target=items, who=staff, meeting=meetings)
    def raise_item(self, who: Name, meeting: str) -> MultipleResults[str]:
        text = self.marker()
        m = self.objects[meeting]
        done = self.write(who, "POST", f"meetings/{meeting}/items", m, {"text": text})
        if done is None:
            return multiple()
        # A caucus item comes from the caucus's side; a joint one from the raiser's.
        origin = self.side_of[who] if m.audience == CASE else m.audience
        self.objects[done["id"]] = Obj(
            "item", done["id"], m.audience, [text], meeting=meeting, origin_side=origin
        )
        return multiple(done["id"])

    @rule(who=staff, item=items, decision=decisions)
    def decide(self, who: Name, item: str, decision: str) -> None:
        obj = self.objects[item]
        body: dict[str, Any] = {"decision": decision}
        wording = None
        if decision == "may_share_as_worded":
            wording = self.marker()
            body["wording"] = wording
        # The wording belongs to the item: hidden wherever the item is.
        if wording is not None:
            obj.markers.append(wording)
        done = self.write(who, "PUT", f"items/{item}/decision", obj, body)
        if done is not None:
            # Nothing of a meeting that has ended is decided again (issue 15).
            assert self.objects[obj.meeting or ""].status != "ended", obj
            obj.decision = decision
            obj.confirmed = False
            obj.proposed_wording = False

    @precondition(lambda self: self.awaiting_confirmation())
    @rule(who=attendees, item=items)
    def confirm(self, who: Name, item: str) -> None:
        obj = self.objects[item]
        done = self.write(who, "POST", f"items/{item}/confirm", obj)
        if done is None:
            return
        # Only the party of the side the item came from confirms.
        assert who in ("party_a", "party_b") and self.side_of[who] == obj.origin_side, (
            who,
            obj,
        )
        assert obj.decision is not None, obj
        assert self.objects[obj.meeting or ""].status != "ended", obj
        obj.confirmed = True
        if self.shared_unless_marked and obj.decision == "may_share":
            REACHED["item widened to the case"] += 1
            obj.audience = CASE

    @precondition(lambda self: self.awaiting_confirmation())
    @rule(
        who=attendees,
        item=items,
        choice=st.sampled_from(["keep_confidential", "may_share_as_worded", "may_share"]),
    )
    def narrow(self, who: Name, item: str, choice: str) -> None:
        """Issue 15: the party decides at close-out. Keeping it confidential is always
        allowed; their own wording only below a may_share proposal, and it is kept
        confidential until the mediator accepts it; anything wider than the proposal is
        refused. A narrowed item never leaves its audience."""
        obj = self.objects[item]
        body: dict[str, Any] = {"decision": choice}
        if choice == "may_share_as_worded":
            body["wording"] = self.marker()
            # The party's wording is the item's: hidden wherever the item is.
            obj.markers.append(body["wording"])
        reach = {"keep_confidential": 0, "may_share_as_worded": 1, "may_share": 2}
        proposed = obj.decision
        done = self.write(who, "POST", f"items/{item}/confirm", obj, body)
        if done is None:
            return
        assert who in ("party_a", "party_b") and self.side_of[who] == obj.origin_side, (who, obj)
        assert proposed is not None and not obj.confirmed, obj
        assert reach[choice] <= reach[proposed], (choice, obj)
        assert self.objects[obj.meeting or ""].status != "ended", obj
        REACHED[f"party chose {choice}"] += 1
        obj.confirmed = True
        if choice == "may_share_as_worded":
            # Own wording (each marker is new): kept confidential until the mediator accepts.
            obj.decision, obj.proposed_wording = "keep_confidential", True
        else:
            obj.decision = choice
        assert done["decision"] == obj.decision, (done, obj)
        if self.shared_unless_marked and obj.decision == "may_share":
            obj.audience = CASE
        assert done["audience"] == obj.audience, (done, obj)

    @rule(who=staff, item=items)
    def accept_wording(self, who: Name, item: str) -> None:
        obj = self.objects[item]
        done = self.write(who, "POST", f"items/{item}/accept-wording", obj)
        if done is None:
            return
        assert who == "mediator" and obj.proposed_wording, (who, obj)
        assert self.objects[obj.meeting or ""].status != "ended", obj
        REACHED["party's wording accepted"] += 1
        obj.decision, obj.proposed_wording = "may_share_as_worded", False
        # Accepting words does not move the item: it still waits for a disclosure.
        assert done["audience"] == obj.audience and done["confirmed"], (done, obj)

    @precondition(lambda self: self.meetings_in("running", "ended"))
    @rule(target=notes, who=staff, meeting=meetings)
    def write_note(self, who: Name, meeting: str) -> MultipleResults[str]:
        body = self.marker()
        m = self.objects[meeting]
        done = self.write(who, "POST", f"meetings/{meeting}/notes", m, {"body": body})
        if done is None:
            return multiple()
        self.objects[done["id"]] = Obj("note", done["id"], m.audience, [body], meeting=meeting)
        return multiple(done["id"])

    @rule(who=attendees, note=notes)
    def give_feedback(self, who: Name, note: str) -> None:
        body = self.marker()
        obj = self.objects[note]
        done = self.write(who, "POST", f"notes/{note}/feedback", obj, {"body": body})
        if done is None:
            return
        audience = self.side_of[who] or MEDIATORS
        self.objects[done["id"]] = Obj("feedback", done["id"], audience, [body], note=note)

    @rule(who=staff, note=notes, data=st.data())
    def revise(self, who: Name, note: str, data: st.DataObject) -> None:
        body = self.marker()
        obj = self.objects[note]
        own = sorted(o.id for o in self.objects.values() if o.note == note)
        resolves = data.draw(st.lists(st.sampled_from(own), unique=True)) if own else []
        obj.markers.append(body)
        self.write(who, "POST", f"notes/{note}/revise", obj, {"body": body, "resolves": resolves})

    # -- disclosures, consents, concerns, messages, close (issue 5) ----------------------

    def side_uuid(self, name: str) -> str:
        return str(self.world.side_a if name == "side_a" else self.world.side_b)

    def disclosable(self) -> bool:
        return any(
            o.kind == "item" and o.confirmed and o.decision in ("may_share", "may_share_as_worded")
            for o in self.objects.values()
        )

    def pending(self, kind: str) -> bool:
        return any(o.kind == kind and o.status == "pending" for o in self.objects.values())

    @precondition(
        lambda self: not self.closed and sum(o.kind == "meeting" for o in self.objects.values()) < 3
    )
    @rule(
        target=disclosures,
        side=st.sampled_from(["side_a", "side_b"]),
        decision=st.sampled_from(["may_share", "may_share_as_worded", "keep_confidential"]),
        to=st.sampled_from(["case", "side_a", "side_b"]),
    )
    def disclosure_of_a_caucus_item(
        self, side: str, decision: str, to: str
    ) -> MultipleResults[str]:
        """A caucus held, an item raised by its party, decided, confirmed, and a disclosure of
        it drafted: the way into disclosures, taken in one step so that sequences of ten steps
        reach approvals and releases. Every call is checked as the separate rules check it."""
        party, obj = self.decided_caucus_item(side, decision)
        assert self.write(party, "POST", f"items/{obj.id}/confirm", obj) is not None
        obj.confirmed = True
        if self.shared_unless_marked and decision == "may_share":
            obj.audience = CASE
        drafted = self.draft_disclosure("mediator", obj.id, to)
        disclosable = obj.audience != CASE and decision != "keep_confidential"
        if to != side:
            # A kept item, or one the structure rule already shared, is never disclosed.
            assert bool(drafted.values) == disclosable, (drafted, obj)
        return drafted

    def decided_caucus_item(self, side: str, decision: str) -> tuple[Name, Obj]:
        """A caucus with `side` held, an item raised by its party and decided by the mediator,
        each call checked as the separate rules check it."""
        party: Name = "party_a" if side == "side_a" else "party_b"
        side_id = self.side_uuid(side)
        audience = f"side:{side_id}"
        body = {"kind": "caucus", "side_id": side_id, "mode": "in_person", "starts_at": STARTS_AT}
        meeting = self.write("mediator", "POST", f"cases/{self.case_id}/meetings", None, body)
        assert meeting is not None
        self.objects[meeting["id"]] = Obj("meeting", meeting["id"], audience, status="running")
        m = self.objects[meeting["id"]]
        assert self.write("mediator", "POST", f"meetings/{m.id}/start", m) is not None
        assert self.write(party, "POST", f"meetings/{m.id}/join", m, ATTEST) is not None
        admit = {"participant_id": self.participant_id[party]}
        assert self.write("mediator", "POST", f"meetings/{m.id}/admit", m, admit) is not None
        text = self.marker()
        item = self.write(party, "POST", f"meetings/{m.id}/items", m, {"text": text})
        assert item is not None
        obj = Obj("item", item["id"], audience, [text], meeting=m.id, origin_side=audience)
        self.objects[item["id"]] = obj
        decide: dict[str, Any] = {"decision": decision}
        if decision == "may_share_as_worded":
            decide["wording"] = self.marker()
            obj.markers.append(decide["wording"])
        assert self.write("mediator", "PUT", f"items/{obj.id}/decision", obj, decide) is not None
        obj.decision = decision
        return party, obj

    @precondition(
        lambda self: not self.closed and sum(o.kind == "meeting" for o in self.objects.values()) < 3
    )
    @rule(
        target=disclosures,
        side=st.sampled_from(["side_a", "side_b"]),
        proposed=st.sampled_from(["may_share", "may_share_as_worded", "keep_confidential"]),
        choice=st.sampled_from(["keep_confidential", "may_share_as_worded", "may_share"]),
        accept=st.booleans(),
    )
    def party_narrows_a_caucus_item(
        self, side: str, proposed: str, choice: str, accept: bool
    ) -> MultipleResults[str]:
        """Issue 15: the way into the party's choice at close-out in one step; then the
        mediator accepts the party's own wording or not, and tries to disclose the item to
        the case (drafted only from what the party's decision allows)."""
        party, obj = self.decided_caucus_item(side, proposed)
        self.narrow(party, obj.id, choice)
        if accept:
            self.accept_wording("mediator", obj.id)
        return self.draft_disclosure("mediator", obj.id, "case")

    @precondition(lambda self: self.disclosable())
    @rule(
        target=disclosures,
        who=staff,
        item=items,
        to=st.sampled_from(["case", "side_a", "side_b"]),
    )
    def draft_disclosure(self, who: Name, item: str, to: str) -> MultipleResults[str]:
        obj = self.objects[item]
        text = self.marker()
        target = CASE if to == "case" else f"side:{self.side_uuid(to)}"
        body = {"to": "case" if to == "case" else self.side_uuid(to), "text": text}
        done = self.write(who, "POST", f"items/{item}/disclosures", obj, body)
        if done is None:
            return multiple()
        # Only the mediator drafts, only from a confirmed decision that allows sharing, only
        # an item still private to the side it came from, and never to that same side.
        assert who == "mediator", who
        assert obj.confirmed and obj.decision in ("may_share", "may_share_as_worded"), obj
        assert obj.audience == obj.origin_side and obj.audience != CASE, obj
        assert target != obj.audience, (target, obj)
        members: tuple[Name, ...] = ("party_a", "attorney_a", "party_b")
        approvers = {p: "pending" for p in members if self.side_of[p] == obj.audience}
        assert set(done["approvers"]) == {self.participant_id[p] for p in approvers}, done
        self.objects[done["id"]] = Obj(
            "disclosure",
            done["id"],
            obj.audience,
            [text],
            item=item,
            to=target,
            approvers=approvers,
            status="pending",
        )
        self.touched.add(done["id"])
        return multiple(done["id"])

    @precondition(lambda self: self.pending("disclosure"))
    @rule(
        disclosure=disclosures,
        intruder=st.sampled_from([None, None, None, *PERSONAS]),
        # Approvals more often than rejections, so that sequences reach releases.
        answers=st.lists(st.sampled_from([True, True, True, False]), min_size=1, max_size=2),
    )
    def answer_disclosure(
        self, disclosure: str, intruder: Name | None, answers: list[bool]
    ) -> None:
        """Someone who may not be an approver tries first; then the named approvers answer
        in turn (approve or reject), so that two steps reach a release."""
        if intruder is not None:
            self.answer_one(intruder, disclosure, True)
        obj = self.objects[disclosure]
        waiting = [who for who, answer in sorted(obj.approvers.items()) if answer == "pending"]
        for who, approve in zip(waiting, answers, strict=False):
            self.answer_one(who, disclosure, approve)

    def answer_one(self, who: Name, disclosure: str, approve: bool) -> None:
        obj = self.objects[disclosure]
        verb = "approve" if approve else "reject"
        done = self.write(who, "POST", f"disclosures/{disclosure}/{verb}", obj)
        if done is None:
            return
        assert obj.status == "pending" and obj.approvers.get(who) == "pending", (who, obj)
        obj.approvers[who] = "approved" if approve else "rejected"
        if not approve:
            expected = "rejected"
        elif all(a == "approved" for a in obj.approvers.values()):
            expected = "released"
        else:
            expected = "pending"
        assert done["status"] == expected, (done, obj)
        obj.status = expected
        self.touched.add(disclosure)
        if expected == "released":
            REACHED["disclosure released"] += 1
            source = self.objects[obj.item or ""]
            new_id = done["released_item_id"]
            assert obj.to is not None
            # The approved wording now lives in the new item, for the target audience; the
            # disclosure and the original item stay their side's.
            self.objects[new_id] = Obj(
                "item",
                new_id,
                obj.to,
                list(obj.markers),
                origin_side=source.origin_side,
                known_by=obj.audience,
            )
            obj.markers = []
            self.touched.add(new_id)

    @precondition(lambda self: not self.closed)
    @rule(
        who=st.sampled_from(("party_a", "party_b", "attorney_a", *PERSONAS)),
        audience=st.sampled_from(["mediators", "own_side", "case"]),
    )
    def post_message(self, who: Name, audience: str) -> None:
        text = self.marker()
        done = self.write(
            who,
            "POST",
            f"cases/{self.case_id}/messages",
            None,
            {"body": text, "audience": audience},
        )
        if done is None:
            return
        assert who in PARTICIPANTS, who
        expected = {"mediators": MEDIATORS, "case": CASE}.get(audience) or self.side_of[who]
        assert expected is not None, (who, audience)
        self.objects[done["id"]] = Obj("message", done["id"], expected, [text], author=who)
        self.touched.add(done["id"])

    @precondition(lambda self: not self.closed)
    @rule(target=concerns, who=st.sampled_from(("party_a", "party_b", "attorney_a", *PERSONAS)))
    def raise_concern(self, who: Name) -> MultipleResults[str]:
        text = self.marker()
        body = {"topic": "confidentiality", "body": text}
        done = self.write(who, "POST", f"cases/{self.case_id}/concerns", None, body)
        if done is None:
            return multiple()
        audience = self.side_of[who] or MEDIATORS
        self.objects[done["id"]] = Obj("concern", done["id"], audience, [text], author=who)
        self.touched.add(done["id"])
        return multiple(done["id"])

    @rule(who=staff, concern=concerns)
    def respond_to_concern(self, who: Name, concern: str) -> None:
        text = self.marker()
        obj = self.objects[concern]
        obj.markers.append(text)
        if self.write(who, "POST", f"concerns/{concern}/respond", obj, {"body": text}):
            self.touched.add(concern)

    @precondition(lambda self: not self.closed)
    @rule(target=consents, who=staff, guest=st.booleans(), meeting=st.none() | meetings)
    def request_consent(self, who: Name, guest: bool, meeting: str | None) -> MultipleResults[str]:
        name, purpose = self.marker(), self.marker()
        body: dict[str, Any] = {"kind": "add_expert", "name": name, "purpose": purpose}
        if guest:
            body.update(kind="admit_guest", meeting_id=meeting)
        else:
            body["email"] = f"expert{self.counter}@example.com"
        done = self.write(who, "POST", f"cases/{self.case_id}/consents", None, body)
        if done is None:
            return multiple()
        assert who == "mediator", who
        # Every party is asked, so the request is the case's: but which caucus a guest is
        # for stays that side's (checked through the meeting's id being secret).
        self.objects[done["id"]] = Obj("consent", done["id"], CASE, [name, purpose])
        self.objects[done["id"]].status = "pending"
        self.touched.add(done["id"])
        return multiple(done["id"])

    @precondition(lambda self: self.pending("consent"))
    @rule(who=attendees, consent=consents, approve=st.booleans())
    def answer_consent(self, who: Name, consent: str, approve: bool) -> None:
        obj = self.objects[consent]
        verb = "approve" if approve else "deny"
        done = self.write(who, "POST", f"consents/{consent}/{verb}", obj)
        if done is None:
            return
        assert who in ("party_a", "party_b") and obj.status == "pending", (who, obj)
        if not approve:
            assert done["status"] == "denied", done
        obj.status = done["status"]
        if obj.status == "granted":
            REACHED["consent granted"] += 1
        # The link goes to the mediator, never to the party whose approval was the last.
        assert done["invite_url"] is None, done

    @precondition(lambda self: not self.closed and len(self.objects) >= 6)
    @rule(who=staff, outcome=st.sampled_from(["settled", "mediator_withdrew"]))
    def close(self, who: Name, outcome: str) -> None:
        note = self.marker()
        body = {"outcome": outcome, "private_note": note}
        # A running caucus with an item its party has not confirmed refuses the close (issue
        # 14): the mediator is refused exactly then, and nothing changes.
        unfinished = any(
            o.kind == "item"
            and not o.confirmed
            and self.objects[o.meeting or ""].audience != CASE
            and self.objects[o.meeting or ""].status == "running"
            for o in self.objects.values()
            if o.meeting is not None
        )
        # A memorandum everyone signed recorded `settled`: another outcome is refused.
        contradicts = self.settlement_status == "signed" and outcome != "settled"
        done = self.write(who, "POST", f"cases/{self.case_id}/close", None, body)
        if who == "mediator":
            refused = unfinished or contradicts
            assert (done is None) == refused, (done, unfinished, contradicts)
        if done is None:
            return
        assert who == "mediator", who
        REACHED["case closed"] += 1
        self.closed = True
        # The mediator's reasons are the mediators' only.
        self.objects[f"close:{note}"] = Obj("secret", f"close:{note}", MEDIATORS, [note])
        for obj in self.objects.values():
            if obj.kind in ("disclosure", "consent") and obj.status == "pending":
                obj.status = "cancelled"
            if obj.kind == "meeting":
                obj.status = "ended"

    # -- documents (issue 6) -------------------------------------------------------------

    def checked_download(self, who: Name, path: str, body: Any = None) -> tuple[int, bytes]:
        """A call whose answer may be a streamed file (or, with `body`, a multipart upload),
        held to the same rule as `call`: nothing of what `who` may not read."""
        client = self.clients[who]
        url = f"/api/v1/{path}"
        if body is None:
            response = client.django.get(url, headers=client._headers())
        else:
            response = client.django.post(url, data=body, headers=client._headers())
        assert response.status_code < 500, (who, path, response.status_code)
        streamed = getattr(response, "streaming", False)
        content = b"".join(cast(Any, response).streaming_content) if streamed else response.content
        for obj in self.objects.values():
            if self.may_read(who, obj):
                continue
            for mark in obj.markers if obj.kind == "secret" else [*obj.markers, obj.id]:
                assert mark.encode() not in content, (who, path, obj.kind, obj.id, mark)
        return response.status_code, content

    @precondition(lambda self: sum(o.kind == "document" for o in self.objects.values()) < 3)
    @rule(
        who=st.sampled_from(("party_a", "party_b", "attorney_a", *PERSONAS)),
        audience=st.sampled_from(["mediators", "own_side", "case"]),
    )
    def upload_document(self, who: Name, audience: str) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        text = self.marker()
        upload = SimpleUploadedFile(f"{text}.txt", f"{text}\n".encode(), "text/plain")
        status, content = self.checked_download(
            who, f"cases/{self.case_id}/documents", {"file": upload, "audience": audience}
        )
        if who == "anonymous":
            assert status == 401, status
        elif who == "outsider":
            assert status == 404, status
        if status != 201:
            assert status in (400, 401, 404, 409), (who, audience, status, content)
            return
        done = json.loads(content)
        assert who in PARTICIPANTS, who
        REACHED["POST documents"] += 1
        expected = {"mediators": MEDIATORS, "case": CASE}.get(audience) or self.side_of[who]
        assert expected is not None, (who, audience)
        assert done["audience"] == expected, (who, audience, done)
        self.objects[done["id"]] = Obj("document", done["id"], expected, [text], author=who)
        self.touched.add(done["id"])

    @invariant()
    def nobody_lists_or_reads_a_document_outside_its_audience(self) -> None:
        documents = [o for o in self.objects.values() if o.kind == "document"]
        if not documents:
            return
        for who in PERSONAS:
            status, content = self.checked_download(who, f"cases/{self.case_id}/documents")
            if who in ("outsider", "anonymous"):
                assert status == (401 if who == "anonymous" else 404), (who, status)
            else:
                assert status == 200, (who, status, content)
                listed = {row["id"] for row in json.loads(content)["items"]}
                assert listed == self.allowed(who, "document"), (who, listed)
            for obj in documents:
                status, content = self.checked_download(who, f"documents/{obj.id}/content")
                if self.may_read(who, obj):
                    assert status == 200 and obj.markers[0].encode() in content, (who, obj)
                else:
                    assert status == (401 if who == "anonymous" else 404), (who, obj, status)

    # -- the memorandum of understanding (issue 16) --------------------------------------

    @precondition(lambda self: self.settlement is None and not self.closed)
    @rule(who=staff)
    def draft_settlement(self, who: Name) -> None:
        text = self.marker()
        body = {"text": f"1. {text} pays each month."}
        done = self.write(who, "POST", f"cases/{self.case_id}/settlement", None, body)
        if done is None:
            return
        assert who == "mediator" and done["audience"] == CASE, (who, done)
        self.settlement = done["id"]
        self.settlement_status = "draft"
        self.objects[done["id"]] = Obj("settlement", done["id"], CASE, [text])
        self.touched.add(done["id"])

    @precondition(lambda self: self.settlement is not None)
    @rule(who=staff)
    def revise_settlement(self, who: Name) -> None:
        assert self.settlement is not None
        obj = self.objects[self.settlement]
        text = self.marker()
        obj.markers.append(text)
        done = self.write(who, "PUT", f"settlement/{obj.id}", obj, {"text": f"2. {text}."})
        if done is None:
            return
        assert who == "mediator" and not self.closed, who
        assert self.settlement_status != "signed", self.settlement_status
        # A new version voids every signature and waits to be marked ready again.
        assert done["status"] == "draft" and done["signed_by"] == [], done
        self.settlement_status = "draft"
        self.signed.clear()

    @precondition(lambda self: self.settlement is not None)
    @rule(
        who=st.sampled_from(("party_a", "party_b", "attorney_a", *PERSONAS)),
        audience=st.sampled_from(["own_side", "case"]),
    )
    def comment_on_settlement(self, who: Name, audience: str) -> None:
        assert self.settlement is not None
        text = self.marker()
        obj = self.objects[self.settlement]
        body = {"body": text, "audience": audience}
        done = self.write(who, "POST", f"settlement/{obj.id}/comments", obj, body)
        if done is None:
            return
        assert who in PARTICIPANTS and not self.closed, who
        expected = CASE if audience == "case" else self.side_of[who] or MEDIATORS
        assert done["audience"] == expected, (who, audience, done)
        self.objects[done["id"]] = Obj(
            "settlement_comment", done["id"], expected, [text], author=who
        )
        self.touched.add(done["id"])

    @precondition(lambda self: self.settlement is not None)
    @rule(who=staff)
    def settlement_ready(self, who: Name) -> None:
        assert self.settlement is not None
        obj = self.objects[self.settlement]
        done = self.write(who, "POST", f"settlement/{obj.id}/ready", obj)
        if done is None:
            return
        assert who == "mediator" and self.settlement_status == "draft", (who, done)
        self.settlement_status = "ready"

    @precondition(lambda self: self.settlement is not None)
    @rule(who=st.sampled_from(("mediator", "party_a", "party_b", *PERSONAS)))
    def sign_settlement(self, who: Name) -> None:
        assert self.settlement is not None
        obj = self.objects[self.settlement]
        current = parse(self.call("mediator", "GET", f"settlement/{obj.id}"))
        persona = getattr(self.world, who)
        name = persona.user.name if persona.user is not None else "Nobody"
        body = {"typed_name": name, "text_sha256": current["text_sha256"]}
        done = self.write(who, "POST", f"settlement/{obj.id}/sign", obj, body)
        if done is None:
            return
        # The parties and the mediator sign (attorneys do not, by default), once each, a
        # version marked ready, in a case still open.
        assert who in ("mediator", "party_a", "party_b"), who
        assert self.settlement_status == "ready" and who not in self.signed, (who, done)
        assert not self.closed
        self.signed.add(who)
        if self.signed == {"mediator", "party_a", "party_b"}:
            REACHED["settlement signed"] += 1
            assert done["status"] == "signed", done
            self.settlement_status = "signed"
        else:
            assert done["status"] == "ready", done

    @precondition(lambda self: not self.closed)
    @rule(
        audiences=st.lists(st.sampled_from(["own_side", "case"]), min_size=2, max_size=2),
        signers=st.lists(st.sampled_from(("mediator", "party_a", "party_b")), max_size=4),
    )
    def settlement_walk(self, audiences: list[str], signers: list[Name]) -> None:
        """Drafting, a comment by each party, ready and signatures in one step, so that
        sequences of a few steps reach a signed memorandum. Every call is checked as the
        separate rules check it."""
        if self.settlement is None:
            self.draft_settlement("mediator")
        for who, audience in zip(("party_a", "party_b"), audiences, strict=True):
            self.comment_on_settlement(who, audience)
        if self.settlement_status == "draft":
            self.settlement_ready("mediator")
        for who in signers:
            self.sign_settlement(who)

    def detail_path(self, obj: Obj) -> str:
        if obj.kind == "settlement_comment":
            return f"settlement/{self.settlement}/comments/{obj.id}"
        return f"{DETAIL_PATHS[obj.kind]}/{obj.id}"

    # -- the invariant -------------------------------------------------------------------

    def expect_denied(self, who: Name, response: HttpResponse, what: str) -> None:
        expected = 401 if who == "anonymous" else 404
        assert response.status_code == expected, (who, what, response.status_code)

    def expect_audience(self, obj: Obj, shown: str) -> None:
        assert shown == obj.audience, (obj.kind, obj.id, "product says", shown, "model", obj)

    @invariant()
    def everyone_reads_exactly_their_audience_after_each_step(self) -> None:
        if self.every_step:
            self.everyone_reads_exactly_their_audience()

    def everyone_reads_exactly_their_audience(self) -> None:
        for who in PERSONAS:
            self.check_lists(who)
            for obj in list(self.objects.values()):
                if obj.kind in ("feedback", "secret"):
                    continue  # no detail endpoint: checked inside its note / in every response
                if obj.id in self.checked and obj.id not in self.touched:
                    continue  # unchanged since its last check; its lists are checked every step
                response = self.call(who, "GET", self.detail_path(obj))
                if not self.may_read(who, obj):
                    self.expect_denied(who, response, f"{obj.kind} {obj.id} {obj.audience}")
                    continue
                assert response.status_code == 200, (who, obj, response.content)
                shown = parse(response)
                if obj.kind != "consent":
                    self.expect_audience(obj, shown["audience"])
                if obj.kind == "note":
                    self.check_feedback(who, obj.id, shown["feedback"])
        self.checked |= set(self.objects)
        self.touched.clear()

    def check_feedback(self, who: Name, note: str, shown: list[dict[str, Any]]) -> None:
        expected = {
            o.id
            for o in self.objects.values()
            if o.kind == "feedback" and o.note == note and self.may_read(who, o)
        }
        assert {f["id"] for f in shown} == expected, (who, note, shown, expected)
        for f in shown:
            self.expect_audience(self.objects[f["id"]], f["audience"])

    def check_lists(self, who: Name) -> None:
        lists: list[tuple[str, str, str, str]] = [
            ("GET", f"cases/{self.case_id}/meetings", "meeting", "items"),
            ("GET", f"cases/{self.case_id}/items", "item", "items"),
            ("POST", f"cases/{self.case_id}/records-request", "note", "notes"),
            ("GET", f"cases/{self.case_id}/disclosures", "disclosure", "items"),
            ("GET", f"cases/{self.case_id}/messages", "message", "items"),
            ("GET", f"cases/{self.case_id}/concerns", "concern", "items"),
            ("GET", f"cases/{self.case_id}/consents", "consent", "items"),
        ]
        if self.settlement is not None:
            path = f"settlement/{self.settlement}/comments"
            lists.append(("GET", path, "settlement_comment", "items"))
        for method, path, kind, key in lists:
            response = self.call(who, method, path)
            if who in ("outsider", "anonymous"):
                self.expect_denied(who, response, path)
                continue
            assert response.status_code == 200, (who, path, response.content)
            rows: list[dict[str, Any]] = parse(response)[key]
            ids = [row["id"] for row in rows]
            assert len(ids) == len(set(ids)), (who, path, ids)
            assert set(ids) == self.allowed(who, kind), (
                who,
                path,
                "listed",
                sorted(ids),
                "allowed",
                sorted(self.allowed(who, kind)),
            )
            for row in rows:
                if kind != "consent":
                    self.expect_audience(self.objects[row["id"]], row["audience"])
                if kind == "note":
                    self.check_feedback(who, row["id"], row["feedback"])
        self.check_access_log(who)

    def check_access_log(self, who: Name) -> None:
        """Practice 17 (issue 13 item 1): a read is listed only to someone who may read the
        object read; its id, time and reader would tell that hidden content exists."""
        response = self.call(who, "GET", f"cases/{self.case_id}/access-log")
        if who in ("outsider", "anonymous"):
            self.expect_denied(who, response, "access-log")
            return
        assert response.status_code == 200, (who, response.content)
        for entry in parse(response)["items"]:
            obj = self.objects.get(entry["object"]["id"])
            assert obj is None or self.may_read(who, obj), (who, "sees a read of", obj)


def onboarded_world(structure: str) -> World:
    """A world whose case was given `structure` (through the API, while onboarding) and
    then onboarded by everyone; its people's emails are prefixed with the structure."""
    world = build_world(label=f"{structure}-")
    if structure != "permission_required":
        response = world.mediator.client.put(
            f"cases/{world.case.id}/confidentiality-structure", {"policy": structure}
        )
        assert response.status_code == 200, response.content
    complete_onboarding(world)
    return world


@pytest.fixture(scope="module")
def flow_worlds_kept(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[str, World]]:
    """Built once for all the parts a worker runs (in a transaction rolled back after the
    module, as `worlds_kept_for_the_module` does), instead of once per part."""
    with django_db_blocker.unblock(), transaction.atomic():
        with key_scope():
            kept = {structure: onboarded_world(structure) for structure in STRUCTURES}
        yield kept
        transaction.set_rollback(True)


@pytest.fixture
def flow_worlds(flow_worlds_kept: dict[str, World], db: None) -> dict[str, World]:
    """The kept worlds for the hundreds of examples of one part, which start from them in
    turn instead of repeating the same onboarding writes in each; each part runs in a
    savepoint (`db`) and gets its own copy of the Python objects."""
    return copy.deepcopy(flow_worlds_kept)


# The sequences are cut into parts, each a test of its own, so that pytest-xdist runs them on
# several workers at once (tests/parallel.py); together the parts run the profile's count. In
# `ci` each part has its own fixed seed: the same sequences on every run, as one derandomized
# run had.
FLOW_PARTS = min(10, PROFILES[profile_name()].max_examples)


def part_examples(total: int, part: int) -> int:
    return total // FLOW_PARTS + (1 if part < total % FLOW_PARTS else 0)


@pytest.mark.parametrize("part", range(FLOW_PARTS))
def test_nobody_reads_content_outside_its_audience(
    flow_worlds: dict[str, World], part: int
) -> None:
    active = profile_name()
    chosen = PROFILES[active]

    class Bound(InformationFlow):
        worlds = flow_worlds
        every_step = os.environ.get("CAUCUS_FLOW_EVERY_STEP", "") == "1" or active != "ci"

    if chosen.derandomize:
        seed(part)(Bound)

    # Thousands of expected 404s: keep Django's per-request warnings out of the run.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    REACHED.clear()
    try:
        run_state_machine_as_test(
            Bound, settings=settings(chosen, max_examples=part_examples(chosen.max_examples, part))
        )
    finally:
        request_log.setLevel(level)
        print("information flow reached:", dict(sorted(REACHED.items())))
