"""The notifications API under /api/v1/, checked from the outside with APIClient.

The cast: Amina, whose notifications these are, Ben with his own, and anonymous callers
(401). Another person's notification answers 404 and stays as it was; a bad preference
answers 400 naming the kind, and nothing is saved.
"""

from __future__ import annotations

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from meetings.notices import MeetingNotice
from notifications import services
from notifications.enums import Delivery, NotificationKind
from notifications.kinds import NOTIFICATION_KINDS
from notifications.models import Notification, NotificationPreference
from tests.factories import person
from tests.notifications.conftest import START
from workflows.notices import WorkflowNotice

API = "/api/v1"
PREFERENCES = f"{API}/me/notification-preferences/"
SITE = "https://collab.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def amina(db):
    return person(Role.CEPA_MEMBER, username="amina", country="ETH", time_zone="Africa/Addis_Ababa")


@pytest.fixture
def ben(db):
    return person(Role.CEPA_MEMBER, username="ben", country="OMN")


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def token_client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def note(user, subject: str, *, minutes: int = 0, read: bool = False, **fields) -> Notification:
    created = START + datetime.timedelta(minutes=minutes)
    return services.write(
        user,
        fields.pop("kind", WorkflowNotice.REVIEW_ASSIGNED),
        subject,
        fields.pop("body", ""),
        link=fields.pop("link", ""),
        created_at=created,
        read_at=created if read else None,
    )


def subjects(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["subject"] for row in response.json()["results"]]


def _all(delivery: str, **changes: str) -> dict[str, str]:
    return {**dict.fromkeys(NOTIFICATION_KINDS.values(), delivery), **changes}


# --- the list and one notification -------------------------------------------------------------


@pytest.mark.django_db
def test_notification_list_answers_own_notifications_newest_first(clock, amina, ben):
    note(amina, "Review assigned", minutes=1)
    note(amina, "Decision taken", minutes=3)
    note(ben, "Ben's", minutes=4)

    response = client_for(amina).get(f"{API}/notifications/")

    assert subjects(response) == ["Decision taken", "Review assigned"]
    assert response.json()["count"] == 2


@pytest.mark.django_db
def test_notification_answers_every_field_with_an_absolute_link(clock, amina):
    mine = note(
        amina,
        "Review submitted",
        kind=WorkflowNotice.REVIEW_SUBMITTED,
        body="Bruno submitted his review.\nRead it.",
        link="/deliverables/3/",
        read=True,
    )

    response = client_for(amina).get(f"{API}/notifications/{mine.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": mine.pk,
        "kind": "review_submitted",
        "kind_label": "Reviews submitted on my deliverables",
        "subject": "Review submitted",
        "body": "Bruno submitted his review.\nRead it.",
        "link": f"{SITE}/deliverables/3/",
        "created_at": "2026-12-02T06:00:00Z",
        "read_at": "2026-12-02T06:00:00Z",
        "is_read": True,
    }


@pytest.mark.django_db
def test_notification_without_link_answers_null(clock, amina):
    mine = note(amina, "Something happened")

    body = client_for(amina).get(f"{API}/notifications/{mine.pk}/").json()

    assert (body["link"], body["read_at"], body["is_read"]) == (None, None, False)


@pytest.mark.django_db
def test_notification_list_filters_unread_and_read_ones(clock, amina):
    note(amina, "Unread", minutes=2)
    note(amina, "Read", minutes=1, read=True)
    api = client_for(amina)

    unread = api.get(f"{API}/notifications/", {"unread": "1"})
    unread_true = api.get(f"{API}/notifications/", {"unread": "true"})
    read = api.get(f"{API}/notifications/", {"unread": "0"})
    bad = api.get(f"{API}/notifications/", {"unread": "maybe"})

    assert subjects(unread) == ["Unread"]
    assert subjects(unread_true) == ["Unread"]
    assert subjects(read) == ["Read"]
    assert bad.status_code == 400
    assert bad.json() == {"unread": ["Use true or false."]}


@pytest.mark.django_db
def test_notification_of_another_person_is_404(clock, amina, ben):
    amina_s = note(amina, "Review assigned")

    as_amina = client_for(amina).get(f"{API}/notifications/{amina_s.pk}/")
    as_ben = client_for(ben).get(f"{API}/notifications/{amina_s.pk}/")

    assert as_amina.status_code == 200
    assert as_ben.status_code == 404


@pytest.mark.django_db
def test_notifications_answer_401_to_anonymous_callers_and_change_nothing(clock, amina):
    mine = note(amina, "Review assigned")
    api = APIClient()

    responses = [
        api.get(f"{API}/notifications/"),
        api.get(f"{API}/notifications/{mine.pk}/"),
        api.post(f"{API}/notifications/{mine.pk}/read/"),
        api.post(f"{API}/notifications/read-all/"),
        api.get(PREFERENCES),
        api.patch(PREFERENCES, {"reminder": "none"}, format="json"),
    ]

    assert [r.status_code for r in responses] == [401] * 6
    assert Notification.objects.get(pk=mine.pk).read_at is None
    assert NotificationPreference.objects.count() == 0


# Token (with its user), the page's count and its rows: the same at any size.
@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 120])
def test_notification_list_runs_a_fixed_number_of_queries(
    clock, amina, count, django_assert_num_queries
):
    Notification.objects.bulk_create(
        Notification(
            user=amina,
            kind=NotificationKind.REMINDER,
            subject=f"Reminder {n}",
            link=f"/deliverables/{n}/",
            created_at=START + datetime.timedelta(minutes=n),
        )
        for n in range(count)
    )
    api = token_client(amina)

    with django_assert_num_queries(3):
        response = api.get(f"{API}/notifications/", {"unread": "1"})

    assert response.json()["count"] == count
    assert len(response.json()["results"]) == min(count, 50)


# --- marking read ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mark_read_marks_own_notification(clock, amina):
    mine = note(amina, "Review assigned")
    other = note(amina, "Decision taken")

    response = client_for(amina).post(f"{API}/notifications/{mine.pk}/read/")

    assert response.status_code == 200
    assert (response.json()["read_at"], response.json()["is_read"]) == (
        "2026-12-02T06:00:00Z",
        True,
    )
    assert Notification.objects.get(pk=mine.pk).read_at == START
    assert Notification.objects.get(pk=other.pk).read_at is None


@pytest.mark.django_db
def test_mark_read_of_another_persons_notification_is_404_and_changes_nothing(clock, amina, ben):
    amina_s = note(amina, "Review assigned")

    as_ben = client_for(ben).post(f"{API}/notifications/{amina_s.pk}/read/")

    assert as_ben.status_code == 404
    assert Notification.objects.get(pk=amina_s.pk).read_at is None


@pytest.mark.django_db
def test_read_all_marks_only_own_notifications_and_answers_the_count(clock, amina, ben):
    note(amina, "One")
    note(amina, "Two")
    note(amina, "Read", read=True)
    ben_s = note(ben, "Ben's")
    api = client_for(amina)

    first = api.post(f"{API}/notifications/read-all/")
    second = api.post(f"{API}/notifications/read-all/")

    assert (first.status_code, first.json()) == (200, {"count": 2})
    assert second.json() == {"count": 0}
    assert Notification.objects.filter(user=amina, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=ben_s.pk).read_at is None


@pytest.mark.django_db
def test_read_endpoints_refuse_get(clock, amina):
    mine = note(amina, "Review assigned")
    api = client_for(amina)

    responses = [
        api.get(f"{API}/notifications/{mine.pk}/read/"),
        api.get(f"{API}/notifications/read-all/"),
    ]

    assert [r.status_code for r in responses] == [405, 405]
    assert Notification.objects.get(pk=mine.pk).read_at is None


# --- preferences -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preferences_list_every_kind_with_its_delivery(amina):
    services.set_preferences(amina, {MeetingNotice.MEETING: Delivery.DIGEST})

    response = client_for(amina).get(PREFERENCES)

    assert response.status_code == 200
    assert response.json()[:2] == [
        {
            "kind": "reminder",
            "label": "Deadline reminders",
            "delivery": "immediate",
            "delivery_label": "Mail at once",
        },
        {
            "kind": "escalation",
            "label": "Overdue items in my branch",
            "delivery": "immediate",
            "delivery_label": "Mail at once",
        },
    ]
    assert {row["kind"]: row["delivery"] for row in response.json()} == _all(
        "immediate", meeting="digest"
    )
    assert [row["kind"] for row in response.json()] == NOTIFICATION_KINDS.values()


@pytest.mark.django_db
def test_preferences_patch_changes_only_the_kinds_given(amina, ben):
    services.set_preferences(amina, {MeetingNotice.MEETING: Delivery.DIGEST})

    response = client_for(amina).patch(
        PREFERENCES, {"reminder": "none", "decision": "digest"}, format="json"
    )

    assert response.status_code == 200
    expected = _all("immediate", reminder="none", decision="digest", meeting="digest")
    assert {row["kind"]: row["delivery"] for row in response.json()} == expected
    assert services.preferences_of(amina) == expected
    assert services.preferences_of(ben) == _all("immediate")


@pytest.mark.django_db
def test_preferences_put_sets_every_kind(amina):
    response = client_for(amina).put(PREFERENCES, _all("digest", escalation="none"), format="json")

    assert response.status_code == 200
    assert services.preferences_of(amina) == _all("digest", escalation="none")


@pytest.mark.django_db
def test_preferences_put_names_the_kinds_left_out_and_saves_nothing(amina):
    choices = _all("none")
    del choices["meeting"], choices["contribution"]

    response = client_for(amina).put(PREFERENCES, choices, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "meeting": ["This field is required."],
        "contribution": ["This field is required."],
    }
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_preferences_reject_a_bad_delivery_naming_the_kind_and_save_nothing(amina):
    response = client_for(amina).patch(
        PREFERENCES, {"reminder": "none", "decision": "weekly"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"decision": ['"weekly" is not a valid choice.']}
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_preferences_reject_an_unknown_kind_and_save_nothing(amina):
    response = client_for(amina).patch(
        PREFERENCES, {"reminder": "none", "newsletter": "none"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"newsletter": ["Unknown kind of notification."]}
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_preferences_reject_a_body_that_is_not_an_object(amina):
    response = client_for(amina).patch(PREFERENCES, ["reminder", "none"], format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "The body must be a JSON object."}
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("saved", [0, 8])
def test_preferences_run_a_fixed_number_of_queries(amina, saved, django_assert_num_queries):
    services.set_preferences(
        amina, dict.fromkeys(NOTIFICATION_KINDS.values()[:saved], Delivery.DIGEST)
    )
    api = token_client(amina)

    with django_assert_num_queries(2):  # token (with its user), preferences
        response = api.get(PREFERENCES)

    assert len(response.json()) == len(NOTIFICATION_KINDS.values())


# --- schema and root -------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_documents_the_notification_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    paths = schema["paths"]
    assert {
        "/api/v1/notifications/",
        "/api/v1/notifications/{id}/",
        "/api/v1/notifications/{id}/read/",
        "/api/v1/notifications/read-all/",
        "/api/v1/me/notification-preferences/",
    } <= set(paths)
    assert set(paths["/api/v1/me/notification-preferences/"]) == {"get", "patch", "put"}
    filters = {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
    assert filters == {"page", "unread"}
    delivery = schema["components"]["schemas"]["Delivery"]
    assert delivery["enum"] == ["immediate", "digest", "none"]
    write = schema["components"]["schemas"]["PreferencesWrite"]["properties"]
    assert list(write) == NOTIFICATION_KINDS.values()
    assert write["reminder"]["allOf"] == [{"$ref": "#/components/schemas/Delivery"}]


@pytest.mark.django_db
def test_api_root_lists_the_notification_endpoints(amina):
    body = client_for(amina).get(f"{API}/").json()

    assert (body["notifications"], body["notification-preferences"]) == (
        "http://testserver/api/v1/notifications/",
        "http://testserver/api/v1/me/notification-preferences/",
    )
