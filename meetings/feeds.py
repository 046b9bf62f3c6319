"""The calendar feeds (.ics): public, one meeting, personal and branch.

Thin on purpose: `feed_builders` says what a feed holds, as its reader may see it;
these views add what calendar clients need over HTTP: `text/calendar` whatever the
Accept header, conditional requests (ETag first, then If-Modified-Since) answered 304
without rendering, HEAD, no compression (compressed feeds break Outlook
subscriptions), private caching for private feeds, and rate limits per address and per
token. An unknown, revoked or deactivated token answers a bare 404 at once.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from cepa_collab.net import client_address
from meetings import feed_builders, queries, ratelimit, services
from meetings.enums import TokenKind
from meetings.ics import Feed

CONTENT_TYPE = "text/calendar; charset=utf-8"
# `no-transform` asks proxies and CDNs not to re-encode (compress) the feed either.
PUBLIC_CACHING = "public, max-age=300, no-transform"
PRIVATE_CACHING = "private, max-age=0, no-transform"
TOO_MANY_REQUESTS = 429
LENGTH_SECONDS = 60 * 60 * 24 * 7


def include_cancelled(request: HttpRequest) -> bool:
    """`?cancelled=0` hides cancelled meetings; by default they stay, marked, for 30 days."""
    return request.GET.get("cancelled", "1").strip().lower() not in {"0", "false", "no", "off"}


def _too_many(verdict: ratelimit.Verdict) -> HttpResponse:
    response = HttpResponse(
        "Too many requests.\n", status=TOO_MANY_REQUESTS, content_type="text/plain"
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _not_found() -> HttpResponse:
    return HttpResponseNotFound("Not found.\n", content_type="text/plain")


def _limited(request: HttpRequest, token: str | None = None) -> HttpResponse | None:
    """A 429 answer if the address, or the token, is over its limit; None otherwise."""
    verdict = ratelimit.feed_address_hit(client_address(request) or "unknown")
    if verdict.allowed and token is not None:
        verdict = ratelimit.feed_token_hit(token)
    return None if verdict.allowed else _too_many(verdict)


def _answer(
    request: HttpRequest, feed: Feed, *, caching: str, filename: str | None = None
) -> HttpResponse:
    """The feed over HTTP: 304 when the client's copy is current (nothing is rendered), the
    body otherwise (from the feed's cache when unchanged); HEAD gets the same headers."""
    # Nothing may compress a feed: GZipMiddleware, were it added, compresses only for
    # clients that say they accept gzip.
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    etag = feed.etag
    modified = feed.last_modified()
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(modified.timestamp()),
        "Cache-Control": caching,
        "Content-Language": feed.language,
    }
    length_key = f"ics:length:v1:{etag}"
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(modified.timestamp())
    )
    if conditional is not None:  # 304 Not Modified (or 412 for If-Match)
        for name, value in headers.items():
            conditional[name] = value
        # A 304 may only state the length of the 200 it stands for (else CommonMiddleware
        # would add "Content-Length: 0"); it is known without rendering once served.
        length = cache.get(length_key) if conditional.status_code == 304 else None
        if length is not None:
            conditional["Content-Length"] = str(length)
        return conditional
    body = feed.body()
    cache.set(length_key, len(body), LENGTH_SECONDS)
    response = HttpResponse(b"" if request.method == "HEAD" else body, content_type=CONTENT_TYPE)
    response["Content-Length"] = str(len(body))
    for name, value in headers.items():
        response[name] = value
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def public_feed(request: HttpRequest) -> HttpResponse:
    """Public meetings, no login."""
    if limited := _limited(request):
        return limited
    feed = feed_builders.public_feed(include_cancelled=include_cancelled(request))
    return _answer(request, feed, caching=PUBLIC_CACHING)


@require_safe
def meeting_file(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting as a download, for those who may see it (404 for others)."""
    if limited := _limited(request):
        return limited
    meeting = queries.get_meeting_for_user(request.user, pk)
    feed = feed_builders.meeting_feed(meeting, get_language())
    filename = slugify(meeting.title)[:80].strip("-") or f"meeting-{meeting.pk}"
    return _answer(request, feed, caching=PRIVATE_CACHING, filename=f"{filename}.ics")


@require_safe
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The meetings the token's user takes part in, and their deadlines."""
    if limited := _limited(request, token):
        return limited
    found = feed_builders.load_token(token, TokenKind.PERSONAL)
    if found is None:
        return _not_found()
    services.touch_token(found)
    feed = feed_builders.personal_feed(found.user, include_cancelled=include_cancelled(request))
    return _answer(request, feed, caching=PRIVATE_CACHING)


@require_safe
def branch_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The meetings and active deliverables of the token's branch, for its staff."""
    if limited := _limited(request, token):
        return limited
    found = feed_builders.load_token(token, TokenKind.BRANCH)
    if found is None or not feed_builders.may_use_branch_feed(found):
        return _not_found()
    services.touch_token(found)
    feed = feed_builders.branch_feed(
        found.user, found.branch, include_cancelled=include_cancelled(request)
    )
    return _answer(request, feed, caching=PRIVATE_CACHING)
