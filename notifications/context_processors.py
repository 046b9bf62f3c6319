"""The unread count shown in the header on every page."""

from __future__ import annotations

from functools import cache

from notifications import services


def unread_notifications(request) -> dict:
    """`unread_notifications`: the signed-in person's unread count, counted by one query the
    first time a template uses it (never for anonymous visitors, never twice a page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    # Templates call a callable they are given: the count is made only if the page shows it.
    return {"unread_notifications": cache(lambda: services.unread_count(user))}
