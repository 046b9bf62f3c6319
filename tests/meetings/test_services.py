import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cepa_collab.enums import Role
from meetings import services
from meetings.enums import MeetingStatus, Reply
from meetings.models import AgendaItem, Meeting
from tests.factories import branch, person

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def meeting(staff):
    return services.create_meeting(
        staff,
        kind="workshop",
        title="UNPOG regional workshop",
        branch=branch("e-govb"),
        start=datetime.datetime(2027, 3, 2, 9, tzinfo=SEOUL),
        end=datetime.datetime(2027, 3, 3, 17, tzinfo=SEOUL),
        time_zone="Asia/Seoul",
        location="Seoul",
    )


@pytest.mark.django_db
def test_update_meeting_raises_revision_only_for_calendar_fields(staff, meeting):
    described = services.update_meeting(staff, meeting, description="Capacity building")
    moved = services.update_meeting(staff, meeting, location="Incheon")

    assert described.revision == 0
    assert moved.revision == 1


@pytest.mark.django_db
def test_cancelled_meeting_cannot_be_reinstated_by_an_update(staff, meeting):
    services.cancel_meeting(staff, meeting, "Venue unavailable")

    with pytest.raises(ValidationError) as error:
        services.update_meeting(staff, meeting, status=MeetingStatus.CONFIRMED)

    assert list(error.value.message_dict) == ["status"]
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED


@pytest.mark.django_db
def test_reply_to_a_cancelled_meeting_is_refused(staff, cepa_member, meeting):
    services.add_participant(staff, meeting, user=cepa_member)
    services.cancel_meeting(staff, meeting, "Venue unavailable")
    meeting.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        services.set_reply(cepa_member, meeting, Reply.ACCEPTED)

    assert list(error.value.message_dict) == ["reply"]
    assert meeting.participants.get().reply == Reply.INVITED


@pytest.mark.django_db
def test_staff_without_a_branch_schedules_nothing():
    loose = person(Role.BRANCH_STAFF, username="loose")

    with pytest.raises(PermissionDenied):
        services.create_meeting(
            loose,
            kind="seminar",
            title="Seminar",
            branch=None,
            start=datetime.datetime(2027, 3, 2, 9, tzinfo=SEOUL),
            end=datetime.datetime(2027, 3, 2, 10, tzinfo=SEOUL),
        )

    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_set_agenda_keeps_notes_of_items_that_stay(staff, meeting, other_branch_staff):
    services.set_agenda(staff, meeting, ["Opening", "Country reports"])
    AgendaItem.objects.filter(title="Country reports").update(notes="Ghana, Oman")

    services.set_agenda(staff, meeting, ["Country reports", "Closing"])
    with pytest.raises(PermissionDenied):
        services.set_agenda(other_branch_staff, meeting, ["Hijacked"])

    assert list(meeting.agenda.values_list("position", "title", "notes")) == [
        (1, "Country reports", "Ghana, Oman"),
        (2, "Closing", ""),
    ]
