"""Issue 12, findings 4 and 5: the API answers JSON, refuses ids out of range naming the
parameter, documents what it answers and refuses what its schema forbids."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from meetings.models import CalendarToken
from notifications.models import Notification
from tests.factories import person

pytestmark = pytest.mark.django_db

TOO_BIG = "99999999999999999999"


@pytest.fixture
def staff():
    return person(Role.BRANCH_STAFF, branch_code="e-govb")


@pytest.fixture
def api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                yield f"{method.upper()} {path}", operation


# --- finding 4: ids past the database's range -------------------------------------------------


@pytest.mark.parametrize(
    ("address", "parameter"),
    [
        ("/api/v1/deliverables/?owner=", "owner"),
        ("/api/v1/deliverables/?product=", "product"),
        ("/api/v1/reviews/?deliverable=", "deliverable"),
        ("/api/v1/milestones/?request=", "request"),
        ("/api/v1/review-assignments/?deliverable=", "deliverable"),
    ],
)
@pytest.mark.parametrize("value", [TOO_BIG, "1.5", "-3"])
def test_an_id_filter_out_of_range_is_a_400_naming_the_parameter(api, address, parameter, value):
    response = api.get(address + value)

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


@pytest.mark.parametrize(
    "address",
    [
        f"/api/v1/deliverables/{TOO_BIG}/",
        "/api/v1/deliverables/abc/",
        "/api/v1/deliverables/1.5/history/",
        f"/api/v1/deliverables/1/versions/{TOO_BIG}/download/",
        f"/api/v1/meetings/{TOO_BIG}/participants/1/",
        "/api/v1/no-such-thing/",
        "/api/v1/deliverables",
        "/api/nothing",
    ],
)
def test_an_unknown_address_or_an_id_out_of_range_is_a_json_404(api, address):
    response = api.get(address)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_address_is_a_json_404_with_debug_too(api, settings):
    settings.DEBUG = True

    response = api.get("/api/v1/deliverables/abc%2F/x")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_method_not_allowed_is_a_json_405(api):
    response = api.delete("/api/v1/deliverables/")

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_pages_outside_the_api_still_answer_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- finding 5: the server refuses what the schema forbids -------------------------------------


@pytest.mark.parametrize("body", ["5", '"personal"', "[]", "null"])
def test_a_body_that_is_not_a_json_object_is_refused_and_resets_nothing(api, staff, body):
    response = api.post("/api/v1/me/calendar/reset/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "The body must be a JSON object."}
    assert CalendarToken.objects.filter(user=staff).count() == 0


def test_a_form_body_where_json_is_documented_is_a_415_and_resets_nothing(api, staff):
    response = api.post(
        "/api/v1/me/calendar/reset/", "5", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert CalendarToken.objects.filter(user=staff).count() == 0


def test_a_body_where_none_is_documented_must_still_be_a_json_object(api, staff):
    notification = Notification.objects.create(
        user=staff, kind="reminder", subject="Due soon", body="Soon."
    )

    response = api.post("/api/v1/notifications/read-all/", "5", content_type="application/json")

    assert response.status_code == 400
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_json_object_resets_the_feed(api, staff):
    response = api.post("/api/v1/me/calendar/reset/", {}, format="json")

    assert response.status_code == 200
    assert CalendarToken.objects.filter(user=staff).count() == 1


# --- finding 5: the schema documents what the server answers ----------------------------------


def test_every_operation_documents_its_errors_as_json(schema):
    missing = []
    for name, operation in operations(schema):
        responses = operation["responses"]
        expected = set()
        if "requestBody" in operation:
            expected |= {"400", "415"}
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            expected.add("404")
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("400")
        if {} not in operation.get("security", [{}]):
            expected.add("401")
        for code in expected:
            if list(responses.get(code, {}).get("content", {})) != ["application/json"]:
                missing.append(f"{name} {code}")
    assert missing == []


def test_path_ids_are_documented_as_bounded_integers(schema):
    ids = [
        p["schema"]
        for _, operation in operations(schema)
        for p in operation.get("parameters", [])
        if p["in"] == "path" and p["schema"].get("type") == "integer"
    ]

    assert len(ids) > 30
    assert all(s["minimum"] == 1 and s["maximum"] == 10**18 - 1 for s in ids)


def test_downloads_document_the_document_types_they_answer_with(schema):
    download = schema["paths"]["/api/v1/deliverables/{id}/versions/{number}/download/"]["get"]

    assert set(download["responses"]["200"]["content"]) == {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/octet-stream",
    }


def test_blank_values_the_server_shows_are_documented(schema):
    components = schema["components"]["schemas"]
    online_link = components["Meeting"]["properties"]["online_link"]
    category = components["Contribution"]["properties"]["category"]
    country = components["Contribution"]["properties"]["country"]

    assert online_link["anyOf"] == [{"format": "uri"}, {"maxLength": 0}]
    assert {"$ref": "#/components/schemas/BlankEnum"} in category["oneOf"]
    assert country["nullable"] is True


@pytest.mark.parametrize("component", ["DueDate", "AssignmentDueDate", "Cancel", "Decline"])
def test_reasons_the_services_require_are_documented_as_required(schema, component):
    documented = schema["components"]["schemas"][component]

    assert "reason" in documented["required"]
    assert documented["properties"]["reason"]["pattern"] == r"\S"
