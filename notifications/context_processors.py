"""The unread count shown in the header on every page."""

from __future__ import annotations

from functools import cache

from cepa_collab import work


def unread_notifications(request) -> dict:
    """`unread_notifications`: the signed-in person's unread count, counted the first time a
    template uses it (never for anonymous visitors, never twice a page) in the one query of
    the header's numbers (`cepa_collab.work.counts`, `notifications/work.py`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    # Templates call a callable they are given: the count is made only if the page shows it.
    return {
        "unread_notifications": cache(
            lambda: work.request_counts(request).get("unread_notifications", 0)
        )
    }
