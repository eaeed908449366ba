from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "caucus.meetings"
    label = "meetings"

    def ready(self) -> None:
        from caucus.cases.signals import case_closing, participant_removed
        from caucus.kernel.audience import register_content
        from caucus.meetings.models import Item, Note
        from caucus.meetings.services import on_case_closing, on_participant_removed

        register_content(Item, "item", owner_field="origin_side_id")
        register_content(Note, "note", "note_pdf", "records_request")
        case_closing.connect(on_case_closing, dispatch_uid="caucus.meetings.case_closing")
        participant_removed.connect(
            on_participant_removed, dispatch_uid="caucus.meetings.participant_removed"
        )
