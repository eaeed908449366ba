from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "caucus.meetings"
    label = "meetings"

    def ready(self) -> None:
        from caucus.kernel.audience import register_content
        from caucus.meetings.models import Item, Note

        register_content(Item, "item", owner_field="origin_side_id")
        register_content(Note, "note", "note_pdf", "records_request")
