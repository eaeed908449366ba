from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "caucus.disclosures"
    label = "disclosures"

    def ready(self) -> None:
        from caucus.cases.signals import case_closing, participant_removed
        from caucus.disclosures.models import Concern, Consent, Disclosure
        from caucus.disclosures.selectors import granted_guest_names
        from caucus.disclosures.services import on_case_closing, on_participant_removed
        from caucus.kernel.audience import register_content
        from caucus.meetings.guests import register_granted_guests

        register_content(
            Concern, "concern", owner_field="raised_by__side_id", author_field="raised_by"
        )
        register_content(Disclosure, "disclosure")
        # Consents have no audience (every participant sees them); a consent to an expert
        # retained by one side is that side's.
        register_content(Consent, "consent", owner_field="side_id")
        case_closing.connect(on_case_closing, dispatch_uid="caucus.disclosures.case_closing")
        register_granted_guests(granted_guest_names)
        participant_removed.connect(
            on_participant_removed, dispatch_uid="caucus.disclosures.participant_removed"
        )
