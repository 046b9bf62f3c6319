"""Participants are told when a meeting is created for them, changed, cancelled, or when
they are removed: one notification of kind "meeting" each (never the actor), in their
language and time zone, with a link to the meeting and its calendar file attached, the
same UID and SEQUENCE as the feeds.

Time is pinned at 2 December 2026 (the `clock` fixture); the meeting is on 2 March 2027,
09:00-12:00 in Addis Ababa (06:00 UTC)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from cepa_collab.enums import Role
from meetings import services
from meetings.enums import MeetingKind, MeetingStatus, Visibility
from meetings.models import Meeting
from meetings.notices import MeetingNotice
from notifications.enums import Delivery, MailState
from notifications.models import Notification
from notifications.services import muted, set_preferences
from tests.factories import branch, person

ADDIS = ZoneInfo("Africa/Addis_Ababa")
START = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=ADDIS)
TITLE = "Expert group meeting on digital government"

pytestmark = pytest.mark.django_db


# --- the cast -------------------------------------------------------------------------------------


@pytest.fixture
def meeting(clock, staff):
    """Scheduled by the branch staff member, who will also take part."""
    return services.create_meeting(
        staff,
        kind=MeetingKind.EXPERT_GROUP,
        title=TITLE,
        branch=branch("e-govb"),
        start=START,
        end=START + datetime.timedelta(hours=3),
        time_zone="Africa/Addis_Ababa",
        location="UNCC, Addis Ababa",
    )


@pytest.fixture
def claire(db):
    """A French-speaking expert in Paris (UTC+1 in March)."""
    return person(
        Role.CEPA_MEMBER, username="claire", country="SEN", time_zone="Europe/Paris", language="fr"
    )


@pytest.fixture
def nora(db):
    """An expert in New York (UTC-5 in March)."""
    return person(Role.CEPA_MEMBER, username="nora", time_zone="America/New_York")


@pytest.fixture
def taking_part(meeting, staff, cepa_member, claire, nora):
    """Staff, Amina (Accra), Claire (Paris, French), Nora (New York) and an external guest
    take part; the invitations are sent and forgotten."""
    with muted():
        for user in (staff, cepa_member, claire, nora):
            services.add_participant(staff, meeting, user=user)
        services.add_participant(staff, meeting, name="Dr Guest", email="guest@example.org")
    return Meeting.objects.get(pk=meeting.pk)


def meeting_notes() -> list[tuple[str, str]]:
    """(username, subject) of every meeting notification. Claire's are French: the words
    depend on the catalogue, so hers keep only what follows the title (the French date)."""
    found = []
    for username, subject in Notification.objects.filter(kind=MeetingNotice.MEETING).values_list(
        "user__username", "subject"
    ):
        if username == "claire":
            subject = "… " + subject.rsplit(f"{TITLE}, ", 1)[-1]
        found.append((username, subject))
    return sorted(found)


def mails_by_recipient() -> dict[str, list]:
    found: dict[str, list] = {}
    for message in mail.outbox:
        for address in message.to:
            found.setdefault(address.split("@")[0], []).append(message)
    return found


def calendar_of(message) -> icalendar.Event:
    """The attached .ics, parsed: its one event."""
    [part] = message.attachments
    assert part.get_content_type() == "text/calendar"
    assert (part.get_param("method"), part.get_filename()) == ("PUBLISH", "meeting.ics")
    parsed = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    [event] = parsed.walk("VEVENT")
    return event


def uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{settings.SITE_HOST}"


# --- invitations ----------------------------------------------------------------------------------


def test_added_participant_invited_with_calendar_file(
    meeting, staff, cepa_member, django_capture_on_commit_callbacks
):
    # when the staff member adds Amina (Accra, UTC+0) and themself
    with django_capture_on_commit_callbacks(execute=True):
        services.add_participant(staff, meeting, user=cepa_member)
        services.add_participant(staff, meeting, user=staff)

    # then Amina alone gets an invitation, at 06:00 her time, linking to the meeting
    [note] = Notification.objects.all()
    assert (note.user, note.kind, note.state) == (cepa_member, MeetingNotice.MEETING, "sent")
    assert note.subject == f"Meeting invitation: {TITLE}, 2 March 2027, 06:00"
    assert note.link == f"/meetings/{meeting.pk}/"
    assert "When: 2 March 2027, 06:00 to 2 March 2027, 09:00 (Africa/Accra)" in note.body
    assert "Where: UNCC, Addis Ababa" in note.body
    [message] = mail.outbox
    assert message.to == [cepa_member.email]
    assert message.subject == note.subject
    assert f"{settings.SITE_URL}/meetings/{meeting.pk}/" in message.body
    event = calendar_of(message)
    assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (
        uid(meeting),
        0,
        "CONFIRMED",
    )
    assert event.decoded("DTSTART") == START


def test_invitation_calendar_file_is_the_download(
    client, meeting, staff, cepa_member, django_capture_on_commit_callbacks
):
    # given Amina invited
    with django_capture_on_commit_callbacks(execute=True):
        services.add_participant(staff, meeting, user=cepa_member)

    # when she downloads the meeting's .ics
    client.force_login(cepa_member)
    download = client.get(f"/calendar/meetings/{meeting.pk}.ics")

    # then the attachment is that very file
    [message] = mail.outbox
    [part] = message.attachments
    assert part.get_payload(decode=True) == download.content


def test_external_and_inactive_participants_not_notified(meeting, staff):
    # given an inactive user
    gone = person(Role.CEPA_MEMBER, username="gone", is_active=False)

    # when they and an external guest are added
    services.add_participant(staff, meeting, user=gone)
    services.add_participant(staff, meeting, name="Dr Guest", email="guest@example.org")

    # then nobody is notified
    assert meeting_notes() == []


def test_invitation_to_a_cancelled_or_past_meeting_not_sent(clock, meeting, staff, cepa_member):
    # given a cancelled meeting and one already over
    services.cancel_meeting(staff, meeting, "No quorum")
    past = services.create_meeting(
        staff,
        kind=MeetingKind.SEMINAR,
        title="Last year's seminar",
        branch=branch("e-govb"),
        start=datetime.datetime(2026, 11, 3, 9, tzinfo=ADDIS),
        end=datetime.datetime(2026, 11, 3, 12, tzinfo=ADDIS),
    )

    # when someone is added to them
    services.add_participant(staff, meeting, user=cepa_member)
    services.add_participant(staff, past, user=cepa_member)

    # then nothing is said
    assert meeting_notes() == []


# --- changes --------------------------------------------------------------------------------------


def test_time_change_notifies_each_participant_once_not_the_actor(
    taking_part, staff, django_capture_on_commit_callbacks
):
    # when the staff member moves the meeting an hour later
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(
            staff,
            taking_part,
            start=START + datetime.timedelta(hours=1),
            end=START + datetime.timedelta(hours=4),
        )

    # then each other participant gets one mail, the time in their own zone
    assert meeting_notes() == [
        ("amina", f"Meeting changed: {TITLE}, 2 March 2027, 07:00"),
        ("claire", "… 2 mars 2027, 08:00"),
        ("nora", f"Meeting changed: {TITLE}, 2 March 2027, 02:00"),
    ]
    sent = mails_by_recipient()
    assert sorted((name, len(messages)) for name, messages in sent.items()) == [
        ("amina", 1),
        ("claire", 1),
        ("nora", 1),
    ]
    amina_note = Notification.objects.get(user__username="amina")
    assert "has changed: time." in amina_note.body
    event = calendar_of(sent["amina"][0])
    assert (str(event["UID"]), event["SEQUENCE"]) == (uid(taking_part), 1)
    assert event.decoded("DTSTART") == START + datetime.timedelta(hours=1)


def test_french_recipient_gets_dates_in_french(
    taking_part, staff, claire, django_capture_on_commit_callbacks
):
    # when the meeting moves
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(staff, taking_part, location="ECA Conference Centre")

    # then Claire's note is written in French (dates at least, whatever the catalogue holds)
    # and the calendar file says which language it is in
    note = Notification.objects.get(user=claire)
    assert note.subject.endswith(f"{TITLE}, 2 mars 2027, 07:00")
    assert "2 mars 2027, 07:00" in note.body
    assert "March" not in note.body
    assert "(Europe/Paris)" in note.body
    [message] = mails_by_recipient()["claire"]
    assert message.extra_headers["Content-Language"] == "fr"


def test_change_nobody_cares_about_tells_nobody(taking_part, staff):
    # when only the kind, host country and visibility change
    services.update_meeting(
        staff, taking_part, kind=MeetingKind.WORKSHOP, visibility=Visibility.PARTICIPANTS
    )
    # or nothing changes at all
    services.update_meeting(staff, taking_part, title=TITLE)

    # then nobody is told
    assert meeting_notes() == []


def test_agenda_change_notifies_participants(taking_part, staff):
    services.set_agenda(staff, taking_part, ["Opening", "Country reports"])

    notes = Notification.objects.filter(kind=MeetingNotice.MEETING)
    assert sorted(notes.values_list("user__username", flat=True)) == ["amina", "claire", "nora"]
    assert "has changed: agenda." in notes.get(user__username="amina").body


def test_page_save_sends_one_note_per_person(
    client, taking_part, staff, chief, django_capture_on_commit_callbacks
):
    # given the edit form
    client.force_login(staff)
    form = client.get(f"/meetings/{taking_part.pk}/edit/").context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or form.fields[name].disabled:
            continue
        if isinstance(value, datetime.datetime):
            value = value.strftime("%Y-%m-%dT%H:%M")
        data[name] = value

    # when one save moves the meeting, sets its agenda and invites the chief
    data.update(
        {
            "start": "2027-03-02T10:00",
            "agenda": "Opening\nCountry reports",
            f"role_{chief.pk}": "expert",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/meetings/{taking_part.pk}/edit/", data)

    # then each participant gets one mail saying all of it, the chief one invitation
    assert response.status_code == 302
    assert sorted(mails_by_recipient()) == ["amina", "chief", "claire", "nora"]
    assert all(len(messages) == 1 for messages in mails_by_recipient().values())
    assert meeting_notes() == [
        ("amina", f"Meeting changed: {TITLE}, 2 March 2027, 07:00"),
        ("chief", f"Meeting invitation: {TITLE}, 2 March 2027, 07:00"),
        ("claire", "… 2 mars 2027, 08:00"),
        ("nora", f"Meeting changed: {TITLE}, 2 March 2027, 02:00"),
    ]
    assert "has changed: time, agenda." in Notification.objects.get(user__username="amina").body
    [chief_mail] = mails_by_recipient()["chief"]
    assert calendar_of(chief_mail)["SEQUENCE"] == 1


def test_rolled_back_change_tells_nobody(taking_part, staff, django_capture_on_commit_callbacks):
    # when a change is rolled back
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.update_meeting(staff, taking_part, location="Nairobi")
        raise RuntimeError("something later failed")

    # then nothing was stored nor sent
    assert meeting_notes() == []
    assert mail.outbox == []


def test_digest_preference_keeps_calendar_file_for_the_digest(
    taking_part, staff, cepa_member, django_capture_on_commit_callbacks
):
    # given Amina wants meeting news in her digest
    set_preferences(cepa_member, {MeetingNotice.MEETING: Delivery.DIGEST})

    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(staff, taking_part, title="Expert group meeting, new title")

    # then no mail to her now; the note waits, with its calendar file
    note = Notification.objects.get(user=cepa_member)
    assert (note.state, note.attachment_name) == (MailState.DIGEST, "meeting.ics")
    assert "SUMMARY:Expert group meeting\\, new title" in note.attachment
    assert sorted(mails_by_recipient()) == ["claire", "nora"]


def test_muted_changes_tell_nobody(taking_part, staff):
    with muted():
        services.update_meeting(staff, taking_part, location="Nairobi")
        services.cancel_meeting(staff, taking_part, "No quorum")

    assert meeting_notes() == []


# --- cancellation ---------------------------------------------------------------------------------


def test_cancellation_tells_participants_with_cancelled_calendar_file(
    taking_part, staff, django_capture_on_commit_callbacks
):
    # when the meeting is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(staff, taking_part, "The venue is unavailable.")

    # then each other participant is told why, with a file that removes the event
    assert meeting_notes() == [
        ("amina", f"Meeting cancelled: {TITLE}, 2 March 2027, 06:00"),
        ("claire", "… 2 mars 2027, 07:00"),
        ("nora", f"Meeting cancelled: {TITLE}, 2 March 2027, 01:00"),
    ]
    note = Notification.objects.get(user__username="amina")
    assert "Reason: The venue is unavailable." in note.body
    [message] = mails_by_recipient()["amina"]
    event = calendar_of(message)
    assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (
        uid(taking_part),
        taking_part.revision + 1,
        "CANCELLED",
    )
    assert "The venue is unavailable." in str(event["DESCRIPTION"])


# --- removal --------------------------------------------------------------------------------------


def test_removed_participant_gets_cancelling_note_others_nothing(
    taking_part, staff, nora, django_capture_on_commit_callbacks
):
    # given Nora received the meeting at SEQUENCE 0
    participant = taking_part.participants.get(user=nora)

    # when she is removed
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_participant(staff, taking_part, participant)

    # then she alone is told, with a file cancelling the event at a higher SEQUENCE
    assert meeting_notes() == [("nora", f"No longer taking part: {TITLE}, 2 March 2027, 01:00")]
    [message] = mail.outbox
    event = calendar_of(message)
    assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (
        uid(taking_part),
        1,
        "CANCELLED",
    )
    assert not taking_part.participants.filter(user=nora).exists()
    # the meeting itself is not cancelled for the others
    assert Meeting.objects.get(pk=taking_part.pk).status == MeetingStatus.CONFIRMED


def test_removed_from_participants_only_meeting_gets_no_link(
    taking_part, staff, nora, django_capture_on_commit_callbacks
):
    # given a participants-only meeting
    with muted():
        services.update_meeting(staff, taking_part, visibility=Visibility.PARTICIPANTS)

    # when Nora is removed (she may no longer see it)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_participant(staff, taking_part, taking_part.participants.get(user=nora))

    # then her note does not point to a page she cannot open
    note = Notification.objects.get(user=nora)
    assert note.link == ""
    [message] = mail.outbox
    assert f"/meetings/{taking_part.pk}/" not in message.body
    assert calendar_of(message)["STATUS"] == "CANCELLED"


def test_remove_participant_refused_to_who_cannot_manage(taking_part, cepa_member, nora):
    from django.core.exceptions import PermissionDenied

    participant = taking_part.participants.get(user=nora)

    with pytest.raises(PermissionDenied):
        services.remove_participant(cepa_member, taking_part, participant)

    assert taking_part.participants.filter(user=nora).exists()
    assert meeting_notes() == []
    assert Meeting.objects.get(pk=taking_part.pk).revision == 0
