from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "caucus.settlement"
    label = "settlement"

    def ready(self) -> None:
        from caucus.kernel.audience import register_content
        from caucus.settlement.models import (
            RemovalRequest,
            SettlementComment,
            SettlementVersion,
        )

        # The memorandum is the whole case's: every participant reads every version, so a
        # read of it is the mediators' (no side owns it).
        register_content(
            SettlementVersion, "settlement_version", "settlement_pdf", "settlement_public_record"
        )
        # A comment is its author's side's (and the mediators') unless shared with the case;
        # whoever wrote it always sees it.
        register_content(
            SettlementComment,
            "settlement_comment",
            owner_field="author__side_id",
            author_field="author",
        )
        # A request to remove a passage from the public-record copy: its author's side's
        # (and the mediators'), like an own-side comment.
        register_content(
            RemovalRequest,
            "settlement_removal_request",
            owner_field="author__side_id",
            author_field="author",
        )
