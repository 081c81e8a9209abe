"""What every page's layout needs: the user, project switcher and navigation."""

from .navigation import sections_for


def portal(request):
    user = getattr(request, "cloud_user", None)
    return {
        "cloud_user": user,
        "perms_": getattr(request, "perms", None),
        "nav_sections": sections_for(request) if user else [],
    }
