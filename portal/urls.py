from django.urls import include, path

from . import views

portal_patterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("project/", views.SwitchProjectView.as_view(), name="switch_project"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("servers/", include("vms.urls")),
    path("network/", include("networks.urls")),
    path("consoles/", include("consoles.urls")),
]
