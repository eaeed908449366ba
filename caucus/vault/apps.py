from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "caucus.vault"
    label = "vault"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from caucus.kernel.audience import register_content
        from caucus.vault.models import Document

        register_content(
            Document,
            "document",
            owner_field="origin_side_id",
            author_field="uploaded_by",
            expert_sees_side=True,
        )
