from django.conf import settings

from cepa_collab.navigation import navigation_for


def shell(request):
    """What the base layout needs on every page: navigation and language choices."""
    return {
        "navigation": navigation_for(getattr(request, "user", None)),
        "site_url": settings.SITE_URL,
    }
