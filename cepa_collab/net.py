"""The client's network address, behind reverse proxies or not.

Rate limits (calendar feeds) and the login lock-out (django-axes) count per client address.
Served directly (gunicorn, runserver), that is REMOTE_ADDR. Behind reverse proxies that each
append the address they received from to X-Forwarded-For, set TRUSTED_PROXY_COUNT to their
number: the client is then the address the outermost trusted proxy saw, and whatever a client
writes into X-Forwarded-For itself (further left) is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_address(request: HttpRequest) -> str | None:
    """The client's address, or None when the request has none (a test client's login)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        chain = [*forwarded, remote]  # the nearest hop last
        if len(chain) > hops and _is_address(chain[-(hops + 1)]):
            return chain[-(hops + 1)]
    return remote or None
