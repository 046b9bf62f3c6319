"""The admin shows every meetings record, changes meetings through the services (so the
revision grows as on the pages), cancels only with a reason, and never shows a token's hash."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from meetings import services
from meetings.enums import MeetingKind, MeetingStatus, TokenKind
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant
from tests.factories import branch

MODELS = ["meeting", "participant", "agendaitem", "calendartoken"]
START = datetime.datetime(2031, 5, 6, 7, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(staff, cepa_member):
    meeting = services.create_meeting(
        staff,
        kind=MeetingKind.EXPERT_GROUP,
        title="Expert group meeting",
        branch=branch("e-govb"),
        start=START,
        end=START + datetime.timedelta(hours=8),
        time_zone="Africa/Addis_Ababa",
    )
    participant = services.add_participant(staff, meeting, user=cepa_member)
    agendaitem = AgendaItem.objects.create(meeting=meeting, position=1, title="Opening")
    services.reset_token(cepa_member, TokenKind.PERSONAL)
    calendartoken = CalendarToken.objects.get(user=cepa_member)
    return {
        "meeting": meeting,
        "participant": participant,
        "agendaitem": agendaitem,
        "calendartoken": calendartoken,
    }


def logged_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def change_form_data(response) -> dict:
    """What the admin's change form would post as it stands (fields and inline formsets)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None:
                continue
            if isinstance(value, datetime.datetime):
                # the admin splits a date-time in two inputs
                data[form.add_prefix(name) + "_0"] = value.strftime("%Y-%m-%d")
                data[form.add_prefix(name) + "_1"] = value.strftime("%H:%M:%S")
                continue
            data[form.add_prefix(name)] = value
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_admin_pages_open_for_a_superuser(client, world, superuser, model):
    logged_in(client, superuser)
    obj = world[model]

    listing = client.get(reverse(f"admin:meetings_{model}_changelist"))
    page = client.get(reverse(f"admin:meetings_{model}_change", args=[obj.pk]))

    assert (listing.status_code, page.status_code) == (200, 200)


@pytest.mark.django_db
def test_admin_add_meeting_page_opens(client, superuser):
    logged_in(client, superuser)

    response = client.get(reverse("admin:meetings_meeting_add"))

    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_meetings_are_closed_to_branch_staff(client, world, staff):
    logged_in(client, staff)

    response = client.get(reverse("admin:meetings_meeting_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_admin_meeting_revision_and_cancellation_are_read_only(client, world, superuser):
    logged_in(client, superuser)

    response = client.get(reverse("admin:meetings_meeting_change", args=[world["meeting"].pk]))

    form = response.context["adminform"].form
    assert sorted(form.fields) == [
        "country",
        "description",
        "end",
        "kind",
        "location",
        "online_link",
        "start",
        "status",
        "time_zone",
        "title",
        "visibility",
    ]
    assert [value for value, _label in form.fields["status"].choices] == [
        "tentative",
        "confirmed",
    ]


@pytest.mark.django_db
def test_admin_change_goes_through_the_service_and_raises_the_revision(client, world, superuser):
    meeting = world["meeting"]
    logged_in(client, superuser)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    data = change_form_data(client.get(url))

    data.update(
        title="Expert group meeting (moved)",
        start_1="08:00:00",
        revision="99",
        cancel_reason="sneaky",
        _save="Save",
    )
    response = client.post(url, data)

    stored = Meeting.objects.get(pk=meeting.pk)
    assert response.status_code == 302
    assert (stored.title, stored.start, stored.revision, stored.cancel_reason) == (
        "Expert group meeting (moved)",
        START + datetime.timedelta(hours=1),
        1,
        "",
    )


@pytest.mark.django_db
def test_admin_add_meeting_goes_through_the_service(client, superuser):
    logged_in(client, superuser)

    response = client.post(
        reverse("admin:meetings_meeting_add"),
        {
            "kind": MeetingKind.SEMINAR,
            "title": "Seminar",
            "description": "",
            "branch": branch("pacb").pk,
            "start_0": "2031-06-01",
            "start_1": "09:00:00",
            "end_0": "2031-06-01",
            "end_1": "12:00:00",
            "time_zone": "Europe/Paris",
            "location": "Paris",
            "online_link": "",
            "visibility": "public",
            "status": "tentative",
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
            "agenda-TOTAL_FORMS": "0",
            "agenda-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )

    created = Meeting.objects.get(title="Seminar")
    assert response.status_code == 302
    assert (created.created_by, created.status, created.revision, created.branch.code) == (
        superuser,
        MeetingStatus.TENTATIVE,
        0,
        "pacb",
    )


@pytest.mark.django_db
def test_admin_cancel_action_needs_a_reason(client, world, superuser):
    meeting = world["meeting"]
    logged_in(client, superuser)
    url = reverse("admin:meetings_meeting_changelist")
    selected = {"action": "cancel_selected", helpers.ACTION_CHECKBOX_NAME: [str(meeting.pk)]}

    refused = client.post(url, {**selected, "index": "0"}, follow=True)
    assert texts(refused) == ["Expert group meeting: Give a reason."]
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CONFIRMED

    done = client.post(url, {**selected, "index": "0", "reason": "No quorum."}, follow=True)
    stored = Meeting.objects.get(pk=meeting.pk)
    assert texts(done) == ["1 meeting cancelled."]
    assert (stored.status, stored.cancel_reason, stored.revision) == (
        MeetingStatus.CANCELLED,
        "No quorum.",
        1,
    )


@pytest.mark.django_db
def test_admin_token_page_hides_the_hash_and_revokes(client, world, superuser, cepa_member):
    token = world["calendartoken"]
    logged_in(client, superuser)

    page = client.get(reverse("admin:meetings_calendartoken_change", args=[token.pk]))
    add = client.get(reverse("admin:meetings_calendartoken_add"))
    response = client.post(
        reverse("admin:meetings_calendartoken_changelist"),
        {
            "action": "revoke_selected",
            helpers.ACTION_CHECKBOX_NAME: [str(token.pk)],
            "index": "0",
        },
        follow=True,
    )

    assert token.token_hash not in page.content.decode()
    assert add.status_code == 403
    assert texts(response) == ["1 token revoked."]
    assert CalendarToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.django_db
def test_admin_participant_inline_edit_marks_the_meeting_changed(client, world, superuser):
    meeting = world["meeting"]
    before = Meeting.objects.get(pk=meeting.pk).updated_at
    logged_in(client, superuser)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    data = change_form_data(client.get(url))

    data.update({"participants-0-role": "chair", "_save": "Save"})
    response = client.post(url, data)

    assert response.status_code == 302
    assert Participant.objects.get(pk=world["participant"].pk).role == "chair"
    assert Meeting.objects.get(pk=meeting.pk).updated_at > before
