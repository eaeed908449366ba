from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "caucus.disclosures"
    label = "disclosures"
