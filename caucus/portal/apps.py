from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "caucus.portal"
    label = "portal"
