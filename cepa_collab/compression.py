"""Pages go out gzip-compressed to clients that accept it; calendar feeds never do.

`CompressionMiddleware` is Django's `GZipMiddleware` for the pages people load: HTML, and
the lists' CSV exports. Everything else leaves as it was made:

- calendar feeds (`text/calendar`, the `.ics` addresses; they also say
  `Cache-Control: no-transform`) stay uncompressed: compressed feeds break Outlook
  subscriptions, and clients poll them with conditional requests on their strong ETag
  (gzip would weaken it);
- the API's JSON stays byte-exact for its clients (scripts and contract tools that do not
  all decode Content-Encoding; its pages are bounded by PAGE_SIZE);
- uploaded documents (PDF, Word, images) are compressed already and are served with their
  exact length;
- static files never reach it: WhiteNoise (above it) serves them precompressed (gzip, and
  Brotli where the `brotli` package is installed) under hashed names.

BREACH: a compressed page that reflects attacker-chosen text next to a secret can leak
that secret through its length. Django's answers (docs, "GZipMiddleware"): the CSRF token
in every form is masked with a fresh random value on each response (Django ≥ 1.10), and
since Django 4.2 `GZipMiddleware` pads each compressed body with 0–100 random bytes in the
gzip header ("Heal the Breach", `max_random_bytes`), which makes length measurements
unreliable. Session cookies and API tokens are never in a page body.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = frozenset({"text/html", "text/csv"})


def compressible(response: HttpResponse) -> bool:
    """Whether the response is of a type the app writes and compresses (never a feed), and
    does not ask to be left as it is (`Cache-Control: no-transform`, as the feeds do)."""
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if "no-transform" in response.get("Cache-Control", "").lower():
        return False
    return content_type in COMPRESSED_TYPES


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not compressible(response):
            return response
        return super().process_response(request, response)
