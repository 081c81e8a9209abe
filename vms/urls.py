from django.urls import path

import portal.converters  # noqa: F401 (registers osid, keypair, word)

from . import dayurls, views
from .views import admin, flavors

app_name = "vms"

urlpatterns = [
    path("", views.ServerList.as_view(), name="list"),
    path("launch/", views.Launch.as_view(), name="launch"),
    path("keypairs/", views.Keypairs.as_view(), name="keypairs"),
    path("keypairs/<keypair:name>/delete/", views.KeypairDelete.as_view(), name="keypair_delete"),
    # Admin (before <osid:server_id>/, which "admin" would match)
    path("admin/", admin.AllServers.as_view(), name="admin_servers"),
    path("admin/<osid:server_id>/actions/<word:action>/", admin.AdminServerAction.as_view(),
         name="admin_action"),
    path("admin/flavors/", flavors.FlavorList.as_view(), name="flavors"),
    path("admin/flavors/create/", flavors.FlavorCreate.as_view(), name="flavor_create"),
    path("admin/flavors/<osid:flavor_id>/", flavors.FlavorDetail.as_view(), name="flavor"),
    path("admin/flavors/<osid:flavor_id>/delete/", flavors.FlavorDelete.as_view(),
         name="flavor_delete"),
    path("admin/flavors/<osid:flavor_id>/access/<osid:project_id>/remove/",
         flavors.AccessRemove.as_view(), name="flavor_access_remove"),
    path("<osid:server_id>/", views.ServerDetail.as_view(), name="detail"),
    path("<osid:server_id>/actions/<word:action>/", views.ServerAction.as_view(),
         name="action"),
    path("<osid:server_id>/lock/", views.ServerLock.as_view(), name="lock"),
    path("<osid:server_id>/rescue/", views.ServerRescue.as_view(), name="rescue"),
    path("bulk/<word:action>/", views.ServerBulk.as_view(), name="bulk"),
    path("<osid:server_id>/delete/", views.ServerDelete.as_view(), name="delete"),
    path("<osid:server_id>/deleted/", views.DeletedServer.as_view(), name="deleted"),
]
urlpatterns += dayurls.urlpatterns
