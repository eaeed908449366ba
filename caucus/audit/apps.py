from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "caucus.audit"
    label = "audit"
