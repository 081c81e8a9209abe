from django.urls import path

import portal.converters  # noqa: F401 (registers osid, keypair, word)

from . import views

app_name = "volumes"

urlpatterns = [
    path("", views.VolumeList.as_view(), name="list"),
    path("create/", views.VolumeCreate.as_view(), name="create"),
    path("<osid:volume_id>/", views.VolumeDetail.as_view(), name="detail"),
    path("<osid:volume_id>/extend/", views.VolumeExtend.as_view(), name="extend"),
    path("<osid:volume_id>/edit/", views.VolumeEdit.as_view(), name="edit"),
    path("<osid:volume_id>/bootable/", views.VolumeBootable.as_view(), name="bootable"),
    path("<osid:volume_id>/attach/", views.VolumeAttach.as_view(), name="attach"),
    path("<osid:volume_id>/detach/<osid:server_id>/", views.VolumeDetach.as_view(),
         name="detach"),
    path("<osid:volume_id>/snapshot/", views.SnapshotCreate.as_view(), name="snapshot"),
    path("<osid:volume_id>/delete/", views.VolumeDelete.as_view(), name="delete"),
    path("server/<osid:server_id>/", views.ServerPanel.as_view(), name="server_panel"),
    path("server/<osid:server_id>/attach/", views.ServerAttach.as_view(),
         name="server_attach"),
    path("snapshots/<osid:snapshot_id>/delete/", views.SnapshotDelete.as_view(),
         name="snapshot_delete"),
]
