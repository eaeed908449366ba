from django.urls import path

from caucus.web import document_views as dv
from caucus.web import exchange_views as xv
from caucus.web import meeting_views as mv
from caucus.web import onboarding_views as ob
from caucus.web import redaction_views as rv
from caucus.web import retention_views as rt
from caucus.web import views

app_name = "web"

AGREEMENT = "cases/<uuid:case_id>/agreements/<uuid:agreement_id>"
RULE = "cases/<uuid:case_id>/rules/<uuid:rule_id>"
DISCLOSURE = "disclosures/<uuid:disclosure_id>"

urlpatterns = [
    path("cases/<uuid:case_id>/documents", dv.documents_view, name="documents"),
    path("documents/<uuid:document_id>/download", dv.download_view, name="download_document"),
    path("documents/<uuid:document_id>/redact", rv.start_view, name="start_redaction"),
    path("redactions/<uuid:redaction_id>", rv.redaction_view, name="redaction"),
    path("", views.home, name="home"),
    path("login", views.login_view, name="login"),
    path("login/code", views.otp_view, name="otp"),
    path("logout", views.logout_view, name="logout"),
    path("cases", views.cases_view, name="cases"),
    path("cases/new", views.open_case_view, name="open_case"),
    path("cases/<uuid:case_id>", views.case_view, name="case"),
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
]
