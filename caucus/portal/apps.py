from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "caucus.portal"
    label = "portal"

    def ready(self) -> None:
        # Registers the system check that keeps a printing email backend out of production.
        from caucus.portal import mailbox  # noqa: F401
