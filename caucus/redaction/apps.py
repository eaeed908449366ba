import logging

from django.apps import AppConfig


class RedactionConfig(AppConfig):
    name = "caucus.redaction"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Presidio logs at INFO as it is imported and loads recognizers; the logs stay quiet.
        logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
