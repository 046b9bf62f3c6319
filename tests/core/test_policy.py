"""Browser policy: every kind of page answers with a strict Content-Security-Policy (no
inline script or style, never framed) and a Permissions-Policy that turns every powerful
feature off. The Swagger UI page widens one directive, for its stylesheet's icons, and only
it. (tests/browser/test_policy.py checks that a browser reports no violation.)"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-src": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'none'",
}
OFF = ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in pairs}


def permissions(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


@pytest.fixture
def signed_in(cast) -> dict[str, Client]:
    clients = {}
    for who in ("owner", "chief", "assigned_reviewer"):
        client = Client()
        client.force_login(cast[who])
        clients["reviewer" if who == "assigned_reviewer" else who] = client
    return clients


@pytest.fixture
def superuser_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def pages(cast, signed_in, superuser_client):
    """(name, response) for each kind of page: public, signed-in, error, admin, API."""
    anonymous = Client()
    owner, chief = signed_in["owner"], signed_in["chief"]
    deliverable = cast.deliverable
    return [
        ("login", anonymous.get("/accounts/login/"), 200),
        ("home", owner.get("/"), 200),
        ("deliverable", owner.get(f"/deliverables/{deliverable.pk}/"), 200),
        ("dashboard", chief.get("/dashboard/"), 200),
        ("region", owner.get("/regions/africa/"), 200),
        ("form", owner.get(f"/deliverables/{deliverable.pk}/due-date/"), 200),
        ("not found", owner.get("/deliverables/999999/"), 404),
        ("forbidden", signed_in["reviewer"].get(f"/deliverables/{deliverable.pk}/due-date/"), 403),
        ("admin", superuser_client.get("/admin/"), 200),
        ("admin list", superuser_client.get("/admin/workflows/deliverable/"), 200),
        ("admin list without actions", superuser_client.get("/admin/workflows/version/"), 200),
        ("admin form", superuser_client.get("/admin/workflows/deliverable/add/"), 200),
        ("API", owner.get("/api/v1/deliverables/"), 200),
        ("API docs", owner.get("/api/docs/"), 200),
    ]


def test_every_kind_of_page_has_a_strict_csp_and_a_permissions_policy(
    cast, signed_in, superuser_client
):
    for name, response, status in pages(cast, signed_in, superuser_client):
        if status is not None:
            assert response.status_code == status, name
        expected = dict(STRICT)
        if name == "API docs":
            expected["img-src"] = "'self' data:"
        assert directives(response) == expected, name
        allowed = permissions(response)
        assert {feature: allowed[feature] for feature in OFF} == dict.fromkeys(OFF, "()"), name


def test_pages_carry_no_inline_style_or_script(cast, signed_in, superuser_client):
    for name, response, _status in pages(cast, signed_in, superuser_client):
        if name == "API":
            continue
        html = response.content.decode()
        assert " style=" not in html, name
        assert "<style" not in html, name
        assert "<script>" not in html, name
        assert " on" + "click=" not in html, name


def test_the_swagger_ui_script_is_a_file_of_its_own(signed_in):
    owner = signed_in["owner"]

    page = owner.get("/api/docs/").content.decode()
    script = owner.get("/api/docs/?script=")

    assert '<script src="/api/docs/?script="></script>' in page
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
