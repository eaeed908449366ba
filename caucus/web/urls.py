from django.urls import path

from caucus.web import access_views, home_views, views, withdraw_views
from caucus.web import account_views as av
from caucus.web import document_views as dv
from caucus.web import exchange_views as xv
from caucus.web import meeting_views as mv
from caucus.web import onboarding_views as ob
from caucus.web import redaction_views as rv
from caucus.web import retention_views as rt
from caucus.web import settlement_views as sv

app_name = "web"

AGREEMENT = "cases/<uuid:case_id>/agreements/<uuid:agreement_id>"
RULE = "cases/<uuid:case_id>/rules/<uuid:rule_id>"
DISCLOSURE = "disclosures/<uuid:disclosure_id>"
SETTLEMENT = "settlement/<uuid:settlement_id>"
RECORD = f"{SETTLEMENT}/public-record"
INVITATION = "invitations/<uuid:invitation_id>"

urlpatterns = [
    # issue 16
    path("cases/<uuid:case_id>/settlement", sv.settlement_view, name="settlement"),
    path(f"{SETTLEMENT}/revise", sv.revise_view, name="revise_settlement"),
    path(f"{SETTLEMENT}/comments", sv.comment_view, name="comment_settlement"),
    path(f"{SETTLEMENT}/ready", sv.ready_view, name="settlement_ready"),
    path(f"{SETTLEMENT}/sign", sv.sign_view, name="sign_settlement"),
    path(f"{SETTLEMENT}/pdf", sv.pdf_view, name="settlement_pdf"),
    path(f"{SETTLEMENT}/docx", sv.docx_view, name="settlement_docx"),
    path(RECORD, sv.public_record_view, name="settlement_public_record"),
    path(f"{RECORD}/show", sv.show_public_record_view, name="settlement_public_record_show"),
    path(f"{RECORD}/requests", sv.removal_request_view, name="settlement_removal_request"),
    path(f"{RECORD}/final", sv.finalize_public_record_view, name="settlement_public_record_final"),
    path(f"{RECORD}/docx", sv.public_record_docx_view, name="settlement_public_record_docx"),
    path(f"{RECORD}/pdf", sv.public_record_pdf_view, name="settlement_public_record_pdf"),
    path("cases/<uuid:case_id>/documents", dv.documents_view, name="documents"),
    path("documents/<uuid:document_id>/download", dv.download_view, name="download_document"),
    path("documents/<uuid:document_id>/redact", rv.start_view, name="start_redaction"),
    path("redactions/<uuid:redaction_id>", rv.redaction_view, name="redaction"),
    path("", home_views.home, name="home"),
    path("login", views.login_view, name="login"),
    path("login/code", views.otp_view, name="otp"),
    path("logout", views.logout_view, name="logout"),
    path("cases", views.cases_view, name="cases"),
    path("cases/new", views.open_case_view, name="open_case"),
    path("cases/<uuid:case_id>", views.case_view, name="case"),
    path("cases/<uuid:case_id>/withdraw", withdraw_views.withdraw_view, name="withdraw"),
    path(
        "participants/<uuid:participant_id>/remove",
        withdraw_views.remove_attorney_view,
        name="remove_attorney",
    ),
    path("cases/<uuid:case_id>/invite", views.invite_view, name="invite"),
    path("cases/<uuid:case_id>/screening", views.screening_view, name="screening"),
    path("cases/<uuid:case_id>/close", views.close_view, name="close"),
    path("cases/<uuid:case_id>/certificate", rt.certificate_view, name="deletion_certificate"),
    path("invite/<str:token>", views.accept_view, name="accept"),
    path("cases/<uuid:case_id>/onboarding", ob.onboarding_view, name="onboarding"),
    path("cases/<uuid:case_id>/onboarding/structure", ob.structure_view, name="structure"),
    path("cases/<uuid:case_id>/onboarding/acknowledge", ob.acknowledge_view, name="acknowledge"),
    path(f"{AGREEMENT}/sign", ob.sign_view, name="sign"),
    path(f"{AGREEMENT}/edit", ob.edit_agreement_view, name="edit_agreement"),
    path(f"{AGREEMENT}/pdf", ob.agreement_pdf_view, name="agreement_pdf"),
    path("cases/<uuid:case_id>/rules", ob.propose_rule_view, name="propose_rule"),
    path(f"{RULE}/agree", ob.agree_rule_view, name="agree_rule"),
    path(f"{RULE}/object", ob.object_rule_view, name="object_rule"),
    path(f"{RULE}/amend", ob.amend_rule_view, name="amend_rule"),
    path(f"{RULE}/withdraw", ob.withdraw_rule_view, name="withdraw_rule"),
    path("cases/<uuid:case_id>/onboarding/intake", ob.intake_view, name="intake"),
    path("cases/<uuid:case_id>/meetings", views.schedule_meeting_view, name="schedule_meeting"),
    path("cases/<uuid:case_id>/records-request", mv.records_request_view, name="records_request"),
    path("meetings/<uuid:meeting_id>", mv.meeting_view, name="meeting"),
    path("meetings/<uuid:meeting_id>/closeout", mv.closeout_view, name="closeout"),
    path("meetings/<uuid:meeting_id>/start", mv.start_view, name="start_meeting"),
    path("meetings/<uuid:meeting_id>/end", mv.end_view, name="end_meeting"),
    path("meetings/<uuid:meeting_id>/join", mv.join_view, name="join_meeting"),
    path("meetings/<uuid:meeting_id>/admit", mv.admit_view, name="admit"),
    path("meetings/<uuid:meeting_id>/remove", mv.remove_view, name="remove_attendee"),
    path("meetings/<uuid:meeting_id>/caucus", mv.open_caucus_view, name="open_caucus"),
    path("meetings/<uuid:meeting_id>/leave", mv.leave_view, name="leave_meeting"),
    path("meetings/<uuid:meeting_id>/items", mv.raise_item_view, name="raise_item"),
    path("meetings/<uuid:meeting_id>/notes", mv.write_note_view, name="write_note"),
    path("items/<uuid:item_id>/decision", mv.decide_view, name="decide_item"),
    path("items/<uuid:item_id>/confirm", mv.confirm_view, name="confirm_item"),
    path("items/<uuid:item_id>/accept-wording", mv.accept_wording_view, name="accept_wording"),
    path("notes/<uuid:note_id>/feedback", mv.feedback_view, name="feedback"),
    path("notes/<uuid:note_id>/revise", mv.revise_view, name="revise_note"),
    path("cases/<uuid:case_id>/disclosures", xv.disclosures_view, name="disclosures"),
    path("items/<uuid:item_id>/disclose", mv.disclose_view, name="disclose_item"),
    path(f"{DISCLOSURE}/approve", xv.approve_disclosure_view, name="approve_disclosure"),
    path(f"{DISCLOSURE}/reject", xv.reject_disclosure_view, name="reject_disclosure"),
    path("cases/<uuid:case_id>/consents", xv.consents_view, name="consents"),
    path("consents/<uuid:consent_id>/approve", xv.approve_consent_view, name="approve_consent"),
    path("consents/<uuid:consent_id>/deny", xv.deny_consent_view, name="deny_consent"),
    path("cases/<uuid:case_id>/concerns", xv.concerns_view, name="concerns"),
    path("concerns/<uuid:concern_id>/respond", xv.respond_concern_view, name="respond_concern"),
    path("cases/<uuid:case_id>/messages", xv.messages_view, name="messages"),
    # issue 15 (h15)
    path(f"{INVITATION}/resend", views.resend_invitation_view, name="resend_invitation"),
    path(f"{INVITATION}/revoke", views.revoke_invitation_view, name="revoke_invitation"),
    path("password-reset", av.password_reset_view, name="password_reset"),
    path(
        "password-reset/<str:token>",
        av.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path("account", av.account_view, name="account"),
    path("cases/<uuid:case_id>/access-log", access_views.access_log_view, name="access_log"),
    path("account/name", av.account_name_view, name="account_name"),
    path("account/password", av.account_password_view, name="account_password"),
    path("account/sign-out-others", av.sign_out_others_view, name="sign_out_others"),
    path("account/time-zone", av.time_zone_view, name="time_zone"),
    path(
        "meetings/<uuid:meeting_id>/reschedule",
        views.reschedule_meeting_view,
        name="reschedule_meeting",
    ),
    path("meetings/<uuid:meeting_id>/cancel", views.cancel_meeting_view, name="cancel_meeting"),
]
