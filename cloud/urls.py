from django.urls import path

import portal.converters  # noqa: F401 (registers osid, keypair, word)

from . import views

app_name = "cloud"

urlpatterns = [
    path("", views.CloudPage.as_view(), name="overview"),
    path("capacity/", views.Capacity.as_view(), name="capacity"),
    path("usage/", views.ProjectUsage.as_view(), name="usage"),
    path("services/<osid:service_id>/disable/", views.DisableService.as_view(),
         name="service_disable"),
    path("services/<osid:service_id>/enable/", views.EnableService.as_view(),
         name="service_enable"),
]
