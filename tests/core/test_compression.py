"""Weight (issue 14): pages compressed for clients that accept it, calendar feeds never,
static files precompressed under hashed names with a long cache lifetime."""

from __future__ import annotations

import gzip
import json

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory

from cepa_collab.compression import CompressionMiddleware
from tests.meetings.test_feeds import many_meetings, public_url

PAGE = "<!DOCTYPE html><html><body>" + "<p>Chapter 3 of the report</p>" * 100 + "</body></html>"


def _through_middleware(response: HttpResponse, accept: str = "gzip, deflate, br"):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept)
    return CompressionMiddleware(lambda _request: response)(request)


@pytest.mark.django_db
def test_page_is_gzip_compressed_for_a_client_that_accepts_it(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    page = gzip.decompress(response.content)
    assert b"<!DOCTYPE html>" in page
    assert len(response.content) < len(page) / 2


@pytest.mark.django_db
def test_page_is_plain_for_a_client_that_does_not_accept_gzip(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"<!DOCTYPE html>" in response.content


@pytest.mark.django_db
def test_api_json_is_left_as_it_is(client, cepa_member):
    client.force_login(cepa_member)

    response = client.get("/api/v1/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Content-Encoding" not in response
    assert json.loads(response.content)["deliverables"].endswith("/api/v1/deliverables/")


@pytest.mark.django_db
def test_calendar_feed_is_never_compressed(client, staff):
    many_meetings(staff, 5)

    response = client.get(public_url(), HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Encoding" not in response
    assert response.content.startswith(b"BEGIN:VCALENDAR")


def test_middleware_leaves_a_calendar_uncompressed_whatever_the_view_does():
    # given a calendar response from a view that did not protect itself
    body = "BEGIN:VCALENDAR\r\n" + "SUMMARY:Expert group meeting\r\n" * 50 + "END:VCALENDAR\r\n"
    calendar = HttpResponse(body, content_type="text/calendar; charset=utf-8")

    response = _through_middleware(calendar)

    assert "Content-Encoding" not in response
    assert response.content == body.encode()


def test_middleware_leaves_documents_and_no_transform_answers_as_they_are():
    pdf = _through_middleware(
        HttpResponse(b"%PDF-1.7" + b"0" * 2000, content_type="application/pdf")
    )
    no_transform = HttpResponse(PAGE)
    no_transform["Cache-Control"] = "public, no-transform"

    assert "Content-Encoding" not in pdf
    assert "Content-Encoding" not in _through_middleware(no_transform)


def test_middleware_compresses_html_and_csv():
    for content_type in ("text/html; charset=utf-8", "text/csv; charset=utf-8"):
        response = _through_middleware(HttpResponse(PAGE, content_type=content_type))

        assert response["Content-Encoding"] == "gzip", content_type
        assert gzip.decompress(response.content) == PAGE.encode()


def test_compressed_page_length_varies_against_breach():
    # Django's GZipMiddleware pads each body with 0–100 random bytes (Django ≥ 4.2)
    lengths = {len(_through_middleware(HttpResponse(PAGE)).content) for _ in range(30)}

    assert len(lengths) > 1


@pytest.mark.django_db
def test_hashed_static_file_is_precompressed_and_cached_for_long(settings, tmp_path):
    # given the production storage, collected (only the project's own files, for speed)
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = staticfiles_storage.url("css/app.css")

    # when a browser asks for the stylesheet by its hashed name, and by its plain name
    client = Client()
    response = client.get(hashed, HTTP_ACCEPT_ENCODING="gzip, deflate")
    plain = client.get("/static/css/app.css", HTTP_ACCEPT_ENCODING="gzip, deflate")

    # then the hashed one comes gzip-compressed (made at collectstatic) and cached for a year
    assert hashed.startswith("/static/css/app.") and hashed != "/static/css/app.css"
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    body = gzip.decompress(b"".join(response.streaming_content))
    assert b".tag--overdue" in body
    assert (tmp_path / hashed.removeprefix("/static/")).with_suffix(".css.gz").exists()
    # and the plain name, which may change, is not cached for long
    assert plain.status_code == 200
    assert "immutable" not in plain["Cache-Control"]
