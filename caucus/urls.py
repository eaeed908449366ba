from django.urls import include, path

from caucus.api.app import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("caucus.web.urls")),
]
