from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "caucus.cases"
    label = "cases"

    def ready(self) -> None:
        from caucus.cases import onboarding
        from caucus.kernel.gate import register_onboarding

        register_onboarding(onboarding.missing, onboarding.has_signed_all)
