from django.urls import path

from caucus.web import views

app_name = "web"

urlpatterns = [
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
    path("invite/<str:token>", views.accept_view, name="accept"),
]
