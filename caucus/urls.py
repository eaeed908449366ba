from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found

from caucus.api.app import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("caucus.web.urls")),
]


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path under the API that matches no endpoint gets the API's JSON error, not a page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "not_found", "detail": "Not found."}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
