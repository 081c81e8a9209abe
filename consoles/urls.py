from django.urls import path

import portal.converters  # noqa: F401 (registers osid, keypair, word)

from . import views

app_name = "consoles"

urlpatterns = [
    path("helpdesk/", views.HelpdeskView.as_view(), name="helpdesk"),
    path("sessions/", views.AuditView.as_view(), name="audit"),
    path("<osid:server_id>/", views.ConsolePageView.as_view(), name="console"),
    path("<osid:server_id>/ticket/", views.TicketView.as_view(), name="ticket"),
]
