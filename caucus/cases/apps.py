from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "caucus.cases"
    label = "cases"
