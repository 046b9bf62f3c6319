"""What meetings adds to the branch cockpit (`workflows.cockpit`): upcoming meetings with
invitations nobody has answered yet."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.enums import MeetingStatus, Reply
from meetings.models import Meeting, Participant
from workflows.cockpit import SECTIONS, Row, Section

# A meeting this close with invitations unanswered is flagged.
SOON_DAYS = 14


def _participants(which: Q) -> Coalesce:
    """How many participants of the outer meeting match `which` (a scalar subquery)."""
    counted = (
        Participant.objects.filter(which, meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


@SECTIONS.register
def meeting_sections(branch_ids: Sequence[int], today: datetime.date, limit: int) -> list:
    """Upcoming meetings of the branches with at least one unanswered invitation (two
    queries)."""
    waiting = Participant.objects.filter(meeting=OuterRef("pk"), reply=Reply.INVITED)
    upcoming = Meeting.objects.filter(
        Exists(waiting), branch_id__in=branch_ids, start__gte=timezone.now()
    ).exclude(status=MeetingStatus.CANCELLED)
    soon = today + datetime.timedelta(days=SOON_DAYS)
    # Flagged: starts before the end of the day `soon` (in the current time zone).
    soon_ends = timezone.make_aware(
        datetime.datetime.combine(soon + datetime.timedelta(days=1), datetime.time())
    )
    section = Section(
        key="meetings",
        order=40,
        title=_("Upcoming meetings with unanswered invitations"),
        definition=ngettext(
            "Meetings to come with at least one invitation not yet answered; flagged when "
            "the meeting is within %(days)d day.",
            "Meetings to come with at least one invitation not yet answered; flagged when "
            "the meeting is within %(days)d days.",
            SOON_DAYS,
        )
        % {"days": SOON_DAYS},
        list_url=reverse("meetings:list"),
    )
    for row in (
        upcoming.values("branch_id")
        .annotate(n=Count("pk"), soon=Count("pk", filter=Q(start__lt=soon_ends)))
        .order_by()
    ):
        section.counts[row["branch_id"]] = (row["n"], row["soon"])
    if limit:
        # Counted per row by correlated subqueries, which run for the `limit` rows kept
        # only: a join grouped over every upcoming meeting grew with all of them.
        rows = upcoming.annotate(
            unanswered=_participants(Q(reply=Reply.INVITED)), invited=_participants(Q())
        ).order_by("start", "pk")[:limit]
        for meeting in rows:
            day = timezone.localdate(meeting.start)
            reasons = ()
            if day <= soon:
                reasons = (
                    ngettext(
                        "%(n)d of %(total)d invitation unanswered",
                        "%(n)d of %(total)d invitations unanswered",
                        meeting.invited,
                    )
                    % {"n": meeting.unanswered, "total": meeting.invited},
                )
            section.rows.append(
                Row(
                    title=meeting.title,
                    url=reverse("meetings:detail", args=[meeting.pk]),
                    due=None,
                    starts=day,
                    who=ngettext("%(n)d unanswered", "%(n)d unanswered", meeting.unanswered)
                    % {"n": meeting.unanswered},
                    reasons=reasons,
                )
            )
    return [section]
