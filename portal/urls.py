from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from . import views


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page names: the icon base.html links."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


portal_patterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("overview/usage/", views.UsageView.as_view(), name="usage"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("project/", views.SwitchProjectView.as_view(), name="switch_project"),
]

urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    path("", include((portal_patterns, "portal"))),
    path("servers/", include("vms.urls")),
    path("network/", include("networks.urls")),
    path("consoles/", include("consoles.urls")),
    path("images/", include("images.urls")),
    path("volumes/", include("volumes.urls")),
    path("admin/cloud/", include("cloud.urls")),
]
