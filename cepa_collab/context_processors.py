from functools import cache

from django.conf import settings

from cepa_collab import work
from cepa_collab.navigation import navigation_for


def shell(request):
    """What the base layout needs on every page: navigation and language choices."""
    return {
        "navigation": navigation_for(getattr(request, "user", None)),
        "site_url": settings.SITE_URL,
        # The sign-in page offers single sign-on when it is configured.
        "sign_on_provider": settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else "",
        # The header's numbers (things waiting, unread notifications): one query, made the
        # first time a template asks for them (`cepa_collab.work.counts`).
        "header_counts": cache(lambda: _header_counts(request)),
    }


def _header_counts(request) -> dict:
    numbers = work.request_counts(request)
    return {**numbers, "waiting": work.waiting_total(numbers)}
