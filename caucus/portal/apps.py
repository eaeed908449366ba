from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "caucus.portal"
    label = "portal"

    def ready(self) -> None:
        # Registers the system check that keeps a printing email backend out of production.
        from caucus.kernel.audience import register_content
        from caucus.portal import mailbox  # noqa: F401
        from caucus.portal.models import Message

        register_content(
            Message,
            "message",
            owner_field="author__side_id",
            author_field="author",
            expert_sees_side=True,
        )
