"""Each person's home page (issue 15, "what needs me"): what waits on them across their
cases and their next meetings, each a link to where it is done."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from caucus.accounts.models import User
from caucus.cases.models import Case
from caucus.disclosures.attention import Waiting, attention

# What each kind asks, in words, and the page where it is done.
WORDS = {
    "screen_case": "Screen this case: accept or decline it",
    "acknowledge_structure": "Acknowledge the confidentiality structure",
    "sign_agreement": "Sign an agreement",
    "answer_ground_rule": "Agree or object to a ground rule",
    "confirm_item": "Confirm what stays confidential from a private session",
    "approve_disclosure": "Approve or reject a proposed disclosure",
    "vote_consent": "Agree or refuse to let someone new join",
    "admit_attendee": "Someone is waiting in a meeting's lobby",
    "answer_concern": "Answer a concern",
    "upcoming_meeting": "Meeting",
}


def link_for(w: Waiting) -> str:
    case = str(w.case_id)
    if w.meeting_id is not None:
        return reverse("web:meeting", args=[w.meeting_id])
    if w.kind in ("acknowledge_structure", "sign_agreement", "answer_ground_rule"):
        return reverse("web:onboarding", args=[case])
    pages = {
        "unread_messages": "web:messages",
        "approve_disclosure": "web:disclosures",
        "vote_consent": "web:consents",
        "answer_concern": "web:concerns",
    }
    if w.kind in pages:
        return reverse(pages[w.kind], args=[case])
    return reverse("web:case", args=[case]) + ("#screening" if w.kind == "screen_case" else "")


@dataclass(frozen=True)
class Shown:
    waiting: Waiting
    words: str
    link: str
    case: Case


def words_for(w: Waiting) -> str:
    if w.kind == "unread_messages":
        return "Read 1 new message" if w.count == 1 else f"Read {w.count} new messages"
    return WORDS.get(w.kind, w.kind)


def shown(rows: list[Waiting], cases: dict[uuid.UUID, Case]) -> list[Shown]:
    return [Shown(w, words_for(w), link_for(w), cases[w.case_id]) for w in rows]


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        return redirect("web:login")
    rows = attention(user)
    ids = {w.case_id for w in rows}
    cases = {c.id: c for c in Case.objects.filter(id__in=ids)}
    everything = shown(rows, cases)
    context = {
        "tasks": [s for s in everything if s.waiting.kind != "upcoming_meeting"],
        "meetings": [s for s in everything if s.waiting.kind == "upcoming_meeting"],
    }
    return render(request, "web/home.html", context)
