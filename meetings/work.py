"""What meetings put on someone's start page (`cepa_collab.work`): invitations to answer;
the meetings they attend coming up."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cepa_collab.work import COMING_UP, HORIZON, WORK, SideList, WorkItem, WorkKind
from meetings.enums import MeetingStatus, Reply
from meetings.models import Participant


def _participations(user, replies) -> QuerySet[Participant]:
    """The person's invitations with one of `replies` to meetings not yet over nor
    cancelled, soonest first."""
    return (
        Participant.objects.filter(
            user_id=user.pk, reply__in=replies, meeting__end__gte=timezone.now()
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
        .order_by("meeting__start", "meeting_id")
    )


def awaiting_reply(user, today: datetime.date) -> QuerySet[Participant]:
    return _participations(user, (Reply.INVITED,))


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _reply_item(participant: Participant, today: datetime.date) -> WorkItem:
    meeting = participant.meeting
    return WorkItem(
        kind="meeting_reply",
        title=meeting.title,
        about=str(meeting.get_kind_display()),
        url=reverse("meetings:detail", args=[meeting.pk]) + "#reply-heading",
        action=str(_("Reply to the invitation")),
        due=_local_day(meeting.start),
        at=meeting.start,
    )


WORK.register(
    WorkKind(
        code="meeting_reply",
        label=_("Meetings awaiting your reply"),
        records=awaiting_reply,
        item=_reply_item,
        see_all="meetings:list",
        order=80,
    )
)


def _attending(user, today: datetime.date) -> QuerySet[Participant]:
    """The meetings they said they attend (or may), starting within HORIZON."""
    return _participations(user, (Reply.ACCEPTED, Reply.TENTATIVE)).filter(
        meeting__start__lte=timezone.now() + HORIZON
    )


def _attending_item(participant: Participant, today: datetime.date) -> WorkItem:
    meeting = participant.meeting
    return WorkItem(
        kind="meeting",
        title=meeting.title,
        about=str(meeting.get_kind_display()),
        url=reverse("meetings:detail", args=[meeting.pk]),
        action=str(_("Open the meeting")),
        due=_local_day(meeting.start),
        at=meeting.start,
    )


WORK.register(SideList("meetings_attending", COMING_UP, _attending, _attending_item))
