"""What other domains do when a case closes, without the cases domain importing them: each
connects its receiver in its AppConfig.ready."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `close_case` inside its transaction, with `case` (locked, already closed) and
# `actor` (the closing mediator's participation). A receiver that raises rolls the close
# back: meetings end, pending disclosures and consents lapse and everyone is notified, or
# the case stays open.
case_closing = Signal()

# Sent by `remove_attorney` inside its transaction, with `case`, `actor` (the mediator's
# participation) and `removed` (the attorney's, already marked removed). Each receiver
# returns what it changed, for the one audit entry; a receiver that raises rolls back.
participant_removed = Signal()
