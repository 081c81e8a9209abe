from django.urls import path

from . import views

app_name = "vms"

urlpatterns = [
    path("", views.ServerList.as_view(), name="list"),
    path("launch/", views.Launch.as_view(), name="launch"),
    path("keypairs/", views.Keypairs.as_view(), name="keypairs"),
    path("keypairs/<str:name>/delete/", views.KeypairDelete.as_view(), name="keypair_delete"),
    path("<str:server_id>/", views.ServerDetail.as_view(), name="detail"),
    path("<str:server_id>/console-log/", views.ConsoleLog.as_view(), name="console_log"),
    path("<str:server_id>/actions/<str:action>/", views.ServerAction.as_view(),
         name="action"),
    path("<str:server_id>/delete/", views.ServerDelete.as_view(), name="delete"),
    path("<str:server_id>/deleted/", views.DeletedServer.as_view(), name="deleted"),
]
