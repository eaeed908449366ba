from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from caucus.crypto.fields import Sealed
from caucus.kernel.parties import Role as Role
from caucus.kernel.parties import Status as Status
from caucus.kernel.parties import Structure as Structure


def _default_retention() -> int:
    return int(settings.CAUCUS_RETENTION_DAYS)


def _default_intake_kinds() -> list[str]:
    return ["family"]


class Practice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    retention_days = models.PositiveIntegerField(default=_default_retention)
    mfa_required_for_mediators = models.BooleanField(default=True)
    # The kinds of case whose parties answer the intake and safety questionnaire before the
    # case becomes active (family cases by default, litigated or not).
    intake_required_kinds = models.JSONField(default=_default_intake_kinds)
    # Raw Ed25519 public key that verifies this practice's deletion certificates. The private
    # key is in the key store, wrapped by the master key (caucus.retention.signing).
    signing_public_key = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    FAMILY = "family"
    WORKPLACE = "workplace"
    CIVIL = "civil"
    COMMERCIAL = "commercial"
    OTHER = "other"


class Outcome(models.TextChoices):
    SETTLED = "settled"
    # A signed memorandum that settles part of the dispute (issue 16).
    PARTIAL = "partial"
    IMPASSE = "impasse"
    PARTY_WITHDREW = "party_withdrew"
    MEDIATOR_WITHDREW = "mediator_withdrew"


# What every participant is told of how the case ended (practice 15): neutral, the same for
# every case, so that it never hints at why. The mediator's reasons stay in `closing_note`.
CLOSING_STATEMENTS = {
    Outcome.SETTLED: "The mediation has ended with an agreement.",
    Outcome.PARTIAL: "The mediation has ended with an agreement on part of the dispute.",
    Outcome.IMPASSE: "The mediation has ended without an agreement.",
    Outcome.PARTY_WITHDREW: "The mediation has ended: a party has withdrawn, as every party may.",
    Outcome.MEDIATOR_WITHDREW: (
        "The mediation has ended: the mediator has withdrawn, as the agreement to mediate "
        "allows. The mediator's reasons are confidential and are not shared."
    ),
}


class DeclineReason(models.TextChoices):
    """Neutral reasons a mediator may give the parties. The real reasons, when they are
    sensitive, go in the private note that only mediators read."""

    NOT_SUITABLE = "not_suitable_for_mediation"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    OUTSIDE_PRACTICE_AREA = "outside_practice_area"
    MEDIATOR_UNAVAILABLE = "mediator_unavailable"
    OTHER = "other"


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="cases")
    title_sealed = models.BinaryField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    litigated = models.BooleanField(default=False)
    # Written only by caucus.cases.lifecycle.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INTAKE)
    confidentiality_structure = models.CharField(
        max_length=32, choices=Structure.choices, default=Structure.PERMISSION_REQUIRED
    )
    screening_decision = models.CharField(max_length=8, blank=True, default="")
    screening_reason_code = models.CharField(max_length=40, blank=True, default="")
    screening_note_sealed = models.BinaryField(null=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True, default="")
    note_to_parties_sealed = models.BinaryField(null=True)
    # The mediator's own reasons for closing (a withdrawal's, above all): mediators only.
    closing_note_sealed = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True)
    purge_after = models.DateTimeField(null=True)
    purged_at = models.DateTimeField(null=True)

    title = Sealed("title_sealed", case_attr="id")
    screening_note = Sealed("screening_note_sealed", case_attr="id")
    note_to_parties = Sealed("note_to_parties_sealed", case_attr="id")
    closing_note = Sealed("closing_note_sealed", case_attr="id")

    class Meta:
        indexes = [models.Index(fields=["status", "purge_after"])]

    def __str__(self) -> str:
        return str(self.id)


class Side(models.Model):
    """A party and everyone who acts for them: the unit of confidentiality."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sides")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.id)


class CurrentParticipants(models.Manager["Participant"]):
    """Participations that have not ended. The default manager, so that every lookup of who
    is in a case (access, attendees, approvers, signers, notices) leaves out a removed
    attorney; rows that audit entries, signatures and access logs refer to stay, and are
    reached through `all_participations` or a foreign key."""

    def get_queryset(self) -> models.QuerySet[Participant]:
        return super().get_queryset().filter(removed_at__isnull=True)


class Participant(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # issue 15: set when the mediator removes an attorney; their access ends with it.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = CurrentParticipants()
    all_participations = models.Manager["Participant"]()

    class Meta:
        base_manager_name = "all_participations"
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="one_participation_per_case"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class Invitation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    side = models.ForeignKey(Side, null=True, on_delete=models.CASCADE, related_name="+")
    email_sealed = models.BinaryField()
    name_sealed = models.BinaryField()
    invited_by = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True)
    participant = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True)

    email = Sealed("email_sealed")
    name = Sealed("name_sealed")

    def __str__(self) -> str:
        return str(self.id)


class RetiredInvitationLink(models.Model):
    """The hash of a link that a resend replaced: kept so that the old link answers 410
    (gone) rather than 404, and the invitee learns to look for the newer email."""

    token_hash = models.CharField(max_length=64, primary_key=True)
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="+")
    retired_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token_hash[:8]


class StructureAcknowledgement(models.Model):
    """A party's acknowledgement of the case's confidentiality structure. Changing the
    structure deletes them all: an acknowledgement is of one policy, not of whatever comes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="acknowledgements")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    policy = models.CharField(max_length=32, choices=Structure.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "participant"], name="one_ack_per_participant"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class AgreementKind(models.TextChoices):
    AGREEMENT_TO_MEDIATE = "agreement_to_mediate"
    CONFIDENTIALITY = "confidentiality"


class Agreement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(max_length=32, choices=AgreementKind.choices)
    text_sealed = models.BinaryField()
    # The hash of the exact text is what a signature binds to; it is not secret.
    text_sha256 = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    text = Sealed("text_sealed")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="one_agreement_per_kind"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class Signature(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    typed_name_sealed = models.BinaryField()
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(auto_now_add=True)

    typed_name = Sealed("typed_name_sealed")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "participant", "text_sha256"], name="one_signature_per_text"
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class GroundRule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ground_rules")
    proposed_by = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    is_confidentiality_rule = models.BooleanField(default=False)
    text_sealed = models.BinaryField()
    why_sealed = models.BinaryField()
    call_out_sealed = models.BinaryField()
    # Agreed or objected is derived from the responses of the parties there are now, so a
    # party who joins later is never bound by a rule they did not answer.
    withdrawn_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    text = Sealed("text_sealed")
    why = Sealed("why_sealed")
    call_out = Sealed("call_out_sealed")

    def __str__(self) -> str:
        return str(self.id)


class RuleResponse(models.Model):
    """A party's agreement or objection to one version of a rule. Amending the rule deletes
    its responses, so every party answers the new wording."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(GroundRule, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    agrees = models.BooleanField()
    comment_sealed = models.BinaryField(null=True)
    at = models.DateTimeField(auto_now_add=True)

    comment = Sealed("comment_sealed")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "participant"], name="one_response_per_rule"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class IntakeAnswers(models.Model):
    """A party's intake questionnaire, safety screening included. Mediators only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="+")
    answers_sealed = models.BinaryField()
    submitted_at = models.DateTimeField(auto_now=True)

    answers_json = Sealed("answers_sealed")

    def __str__(self) -> str:
        return str(self.id)
