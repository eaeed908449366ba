from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "caucus.portal"
    label = "portal"

    def ready(self) -> None:
        from caucus.cases.signals import case_closing
        from caucus.kernel.audience import register_content

        # Registers the system check that keeps a printing email backend out of production.
        from caucus.portal import mailbox  # noqa: F401
        from caucus.portal.models import Message
        from caucus.portal.notify import on_case_closing

        register_content(
            Message,
            "message",
            owner_field="author__side_id",
            author_field="author",
            expert_sees_side=True,
        )
        case_closing.connect(on_case_closing, dispatch_uid="caucus.portal.case_closing")
