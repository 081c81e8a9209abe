"""A URLconf with one ordinary changing view, to test the global reader rule."""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns


def change_something(request):
    return HttpResponse("changed" if request.method == "POST" else "form")


urlpatterns = [path("test-change/", change_something), path("", include(portal_urlpatterns))]
