"""What a person may see of meetings, and what goes into each calendar feed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cepa_collab import viewer
from cepa_collab.enums import STAFF_ROLES, Role
from meetings.enums import MeetingStatus, Reply, Visibility
from meetings.models import Meeting, Participant

# A feed covers this window around now (calendar clients need no more).
FEED_PAST = timedelta(days=90)
FEED_FUTURE = timedelta(days=548)
# Cancelled meetings stay in feeds, marked, this long after cancellation.
CANCELLED_KEPT = timedelta(days=30)


def visible_meetings(user) -> QuerySet[Meeting]:
    """Public meetings; participants-only ones for their participants, the branch's staff
    and the secretariat admin."""
    qs = Meeting.objects.select_related("branch", "country")
    if not getattr(user, "is_authenticated", False):
        return qs.filter(visibility=Visibility.PUBLIC)
    if viewer.is_admin(user):
        return qs
    # A condition on each row (no `pk IN (every visible meeting)`): a list narrowed further
    # (a country's meetings, a page of them) reads only its own rows, however many there are.
    takes_part = Participant.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk)
    condition = Q(visibility=Visibility.PUBLIC) | Q(Exists(takes_part))
    branch_id = viewer.user_branch_id(user)
    if branch_id is not None and viewer.is_branch_member(user, branch_id):
        condition |= Q(branch_id=branch_id)
    return qs.filter(condition)


def invitable_people() -> QuerySet:
    """Who may be invited to a meeting, on its page and in the API: active CEPA members
    and staff, CEPA members first (`is_member` says which)."""
    user_model = get_user_model()
    member = user_model.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=Role.CEPA_MEMBER
    )
    names = [Role.CEPA_MEMBER.value, *(role.value for role in STAFF_ROLES)]
    return (
        user_model.objects.filter(is_active=True, groups__name__in=names)
        .annotate(is_member=Exists(member))
        .distinct()
        .order_by("-is_member", "last_name", "first_name", "username")
    )


def with_mission_lead(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Annotate `mission_lead_id`: the lead of the advisory request whose assessment mission
    the meeting is (who may manage it), in the same query."""
    return qs.annotate(mission_lead_id=F("advisory_request__lead_id"))


def get_meeting_for_user(user, pk) -> Meeting:
    try:
        return visible_meetings(user).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No such meeting.") from None


def in_feed_window(qs: QuerySet[Meeting], *, include_cancelled: bool = True) -> QuerySet[Meeting]:
    now = timezone.now()
    qs = qs.filter(end__gte=now - FEED_PAST, start__lte=now + FEED_FUTURE)
    kept = Q(~Q(status=MeetingStatus.CANCELLED))
    if include_cancelled:
        kept |= Q(status=MeetingStatus.CANCELLED, cancelled_at__gte=now - CANCELLED_KEPT)
    return qs.filter(kept)


def public_feed_meetings(*, include_cancelled: bool = True) -> QuerySet[Meeting]:
    return in_feed_window(
        Meeting.objects.filter(visibility=Visibility.PUBLIC), include_cancelled=include_cancelled
    )


def personal_feed_meetings(user, *, include_cancelled: bool = True) -> QuerySet[Meeting]:
    """The meetings the user takes part in (not those they declined)."""
    # One filter() call: both conditions hold for the same participant row (an exclude()
    # over the relation would also drop meetings that anyone else declined).
    taking_part = Meeting.objects.filter(
        participants__user_id=user.pk,
        participants__reply__in=[reply for reply in Reply.values if reply != Reply.DECLINED],
    )
    return in_feed_window(taking_part, include_cancelled=include_cancelled)


def branch_feed_meetings(branch_id: int, *, include_cancelled: bool = True) -> QuerySet[Meeting]:
    return in_feed_window(
        Meeting.objects.filter(branch_id=branch_id), include_cancelled=include_cancelled
    )
