from django.conf import settings

from cepa_collab.navigation import navigation_for


def shell(request):
    """What the base layout needs on every page: navigation and language choices."""
    return {
        "navigation": navigation_for(getattr(request, "user", None)),
        "site_url": settings.SITE_URL,
        # The sign-in page offers single sign-on when it is configured.
        "sign_on_provider": settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else "",
    }
