from django.urls import path

import portal.converters  # noqa: F401 (registers osid, keypair, word)

from . import views

app_name = "images"

urlpatterns = [
    path("", views.ImageList.as_view(), name="list"),
    path("upload/", views.Upload.as_view(), name="upload"),
    path("upload/data/", views.UploadData.as_view(), name="upload_data"),
    path("<osid:image_id>/", views.ImageDetail.as_view(), name="detail"),
    path("<osid:image_id>/visibility/", views.ImageVisibility.as_view(), name="visibility"),
    path("<osid:image_id>/delete/", views.ImageDelete.as_view(), name="delete"),
]
