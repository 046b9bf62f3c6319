"""The notifications part of the demo world: reminders that go out soon after `make demo`.

`seed_demo` builds the workflow demo with notifications muted, so this part adds what a
branch that has been working for a while would show:

- review assignments timed around `REMINDER_HOUR` in the reviewers' own time zones, so
  that the first sweep after seeding sends "due today" and "due in 2 days" reminders,
  and a reminder whose moment ("7 days before") comes within the next hours. With the
  workflow demo's overdue items (reviews four days late, a chapter three days late) the
  first sweep also escalates to the e-Government Branch's chief;
- the notification centre of the people concerned: "review requested" (read once the
  reviewer accepted), "review submitted" and "review declined" for the owners;
- one person, Claire Tremblay (Toronto, French), who prefers a daily digest: one
  notification waits for her 08:00 digest.

The assignments are made through `workflows.services` (demo people as actors) on
deliverables already in review; the notifications of the past are written as they would
have been (in each person's language) but not mailed. Nothing is mailed while seeding;
the sweep (Celery beat, every `REMINDER_SWEEP_SECONDS`) sends the reminders, and the
worker logs each mail it sends. At the end the deadlines are rebuilt from their sources
(the workflow demo back-dates some assignments around the services).

`seed_notifications()` is idempotent: once the digest person's preferences exist it
adds nothing (whatever the day) and the rebuild changes nothing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from demo.core import CEPA_MEMBERS
from meetings.notices import MeetingNotice
from notifications import deadlines
from notifications.enums import Delivery, MailState, NotificationKind
from notifications.models import NotificationPreference
from notifications.services import N_, set_preferences, write
from workflows import services as workflows
from workflows.enums import AssignmentState, DeliverableState, ReviewStatus, RoundState
from workflows.models import Deliverable, Review, ReviewAssignment
from workflows.notices import WorkflowNotice

DIGEST_PERSON = "claire"
DIGEST_KINDS = (
    NotificationKind.REMINDER,
    WorkflowNotice.REVIEW_ASSIGNED,
    WorkflowNotice.REVIEW_WITHDRAWN,
    WorkflowNotice.DECISION,
    MeetingNotice.MEETING,
)
# Deliverables of the workflow demo that are in review with a reviewer outstanding:
# one more reviewer changes none of the dashboard's figures.
TARGETS = (
    "Chapter 4: Telecommunication infrastructure",
    "Case studies from Africa",
    "Chapter 6: E-participation and citizen engagement",
)
# Not asked for more reviews: the CEPA members away in the workflow demo, and amina, whose
# reviews the workflow demo describes in full (its tests check her object permissions).
NOT_ASKED = {"kenji", "olivia", "amina"}


@dataclass
class NotificationDemoResult:
    assignments_created: int = 0
    notifications_created: int = 0
    preferences_set: int = 0
    open_deadlines: int = 0
    already_there: bool = False

    def summary(self) -> str:
        if self.already_there:
            return (
                f"Reminders: already there; {self.open_deadlines} open deadlines "
                "(the first sweep sends what has fallen due)."
            )
        return (
            f"Reminders: {self.assignments_created} review assignments timed to cross "
            f"reminder offsets soon, {self.notifications_created} notifications and "
            f"{self.preferences_set} digest preferences created; {self.open_deadlines} open "
            "deadlines (the worker sends the reminders at the next sweep)."
        )


@dataclass(frozen=True)
class Moment:
    """Where a person's day stands: their local now and their next REMINDER_HOUR."""

    username: str
    local: datetime.datetime
    next_hour: datetime.datetime  # aware, in the person's zone

    @property
    def past_hour(self) -> bool:
        return self.local.hour >= settings.REMINDER_HOUR


def _moments(people: Mapping[str, object], now: datetime.datetime) -> list[Moment]:
    moments = []
    for username, *_rest in CEPA_MEMBERS:
        user = people.get(username)
        if user is None or username in NOT_ASKED:
            continue
        local = now.astimezone(zoneinfo.ZoneInfo(user.profile.time_zone))
        hour = local.replace(hour=settings.REMINDER_HOUR, minute=0, second=0, microsecond=0)
        if hour <= local:
            hour += datetime.timedelta(days=1)  # wall-clock arithmetic: still the same hour
        moments.append(Moment(username, local, hour))
    return moments


def _plan(moments: list[Moment], today: datetime.date) -> list[tuple[str, datetime.date]]:
    """(reviewer, due date) for each reminder the demo wants, first choice first.

    - due today, for someone whose REMINDER_HOUR has passed: the sweep sends "due today";
    - due in two days, same: the sweep sends "due in 2 days";
    - due seven days after the next REMINDER_HOUR to come anywhere: nothing yet, then
      "due in 7 days" at that hour, within the next hours."""
    plan: list[tuple[str, datetime.date]] = []
    used: set[str] = set()

    def pick(candidates: Iterable[Moment], due) -> None:
        for moment in candidates:
            if moment.username not in used and due(moment) >= today:
                used.add(moment.username)
                plan.append((moment.username, due(moment)))
                return

    after = [m for m in moments if m.past_hour]
    pick(after, lambda m: m.local.date())
    pick(after, lambda m: m.local.date() + datetime.timedelta(days=2))
    soonest = sorted(moments, key=lambda m: (m.next_hour, m.username))
    pick(soonest, lambda m: m.next_hour.date() + datetime.timedelta(days=7))
    return plan


def _assign(people, plan, result: NotificationDemoResult) -> list[ReviewAssignment]:
    targets = list(
        Deliverable.objects.filter(
            title__in=TARGETS, state=DeliverableState.IN_REVIEW, rounds__state=RoundState.OPEN
        ).select_related("owner")
    )
    targets.sort(key=lambda d: TARGETS.index(d.title))
    created = []
    for username, due in plan:
        reviewer = people[username]
        for deliverable in targets:
            taken = ReviewAssignment.objects.filter(
                deliverable=deliverable, reviewer=reviewer, round__state=RoundState.OPEN
            ).exists()
            if taken or deliverable.owner_id == reviewer.pk:
                continue
            created += workflows.assign_reviewers(deliverable.owner, deliverable, [reviewer], due)
            break
    result.assignments_created = len(created)
    return created


def _note(user, kind: str, subject: str, body: str, params: dict, link: str, **fields):
    """A notification of the past, written in the person's language, not mailed."""
    with translation.override(user.profile.language or settings.LANGUAGE_CODE):
        values = {
            key: formats.date_format(value, "DATE_FORMAT")
            if isinstance(value, datetime.date)
            else str(value)
            for key, value in params.items()
        }
        return write(user, kind, _(subject) % values, _(body) % values, link=link, **fields)


def _centre(now: datetime.datetime, result: NotificationDemoResult) -> None:
    """What the notification centres of reviewers and owners hold after some weeks."""
    notes = 0
    outstanding = (
        ReviewAssignment.objects.filter(
            state__in=(AssignmentState.INVITED, AssignmentState.ACCEPTED),
            round__state=RoundState.OPEN,
        )
        .select_related("reviewer__profile", "deliverable__product", "round__version")
        .order_by("pk")
    )
    for assignment in outstanding:
        deliverable = assignment.deliverable
        _note(
            assignment.reviewer,
            WorkflowNotice.REVIEW_ASSIGNED,
            N_("Review requested: %(title)s, due %(due)s"),
            N_(
                "You are asked to review “%(title)s” (%(product)s), version %(version)s, "
                "by %(due)s. Accept or decline the assignment on your reviews page."
            ),
            {
                "title": deliverable.title,
                "product": deliverable.product,
                "version": assignment.round.version.number,
                "due": assignment.due_date,
            },
            reverse("workflows:my_reviews"),
            created_at=assignment.created_at,
            read_at=assignment.responded_at,  # read when the reviewer answered
        )
        notes += 1
    submitted = (
        Review.objects.filter(
            status=ReviewStatus.SUBMITTED, assignment__round__state=RoundState.OPEN
        )
        .select_related("assignment__deliverable__owner__profile")
        .order_by("pk")
    )
    for review in submitted:
        deliverable = review.assignment.deliverable
        _note(
            deliverable.owner,
            WorkflowNotice.REVIEW_SUBMITTED,
            N_("Review submitted: %(title)s"),
            N_("A reviewer submitted their review of “%(title)s”."),
            {"title": deliverable.title},
            reverse("workflows:deliverable", args=[deliverable.pk]),
            created_at=review.submitted_at or now,
            read_at=(review.submitted_at or now) + datetime.timedelta(hours=2),
        )
        notes += 1
    declined = ReviewAssignment.objects.filter(
        state=AssignmentState.DECLINED, round__state=RoundState.OPEN
    ).select_related("reviewer", "deliverable__owner__profile")
    for assignment in declined.order_by("pk"):
        deliverable = assignment.deliverable
        _note(
            deliverable.owner,
            WorkflowNotice.REVIEW_WITHDRAWN,
            N_("Review declined: %(title)s"),
            N_("%(name)s declined to review “%(title)s”."),
            {"name": assignment.reviewer, "title": deliverable.title},
            reverse("workflows:deliverable", args=[deliverable.pk]),
            created_at=assignment.responded_at or now,
        )
        notes += 1
    result.notifications_created = notes


def _digest_person(people, now: datetime.datetime, result: NotificationDemoResult) -> None:
    """Claire prefers a daily digest; the decision on a round she reviewed waits for it."""
    person = people.get(DIGEST_PERSON)
    if person is None:
        return
    set_preferences(person, dict.fromkeys(DIGEST_KINDS, Delivery.DIGEST))
    result.preferences_set = len(DIGEST_KINDS)
    reviewed = (
        ReviewAssignment.objects.filter(
            reviewer=person, state=AssignmentState.SUBMITTED, round__state=RoundState.CLOSED
        )
        .select_related("deliverable", "round")
        .order_by("pk")
        .first()
    )
    if reviewed is None:
        return
    deliverable = reviewed.deliverable
    # A closed round followed by another one was returned for revision.
    returned = deliverable.rounds.filter(number__gt=reviewed.round.number).exists()
    state = DeliverableState.REVISING if returned else DeliverableState(deliverable.state)
    _note(
        person,
        WorkflowNotice.DECISION,
        N_("%(title)s: %(state)s"),
        N_("“%(title)s” is now: %(state)s."),
        {"title": deliverable.title, "state": state.label},
        reverse("workflows:deliverable", args=[deliverable.pk]),
        state=MailState.DIGEST,
        created_at=now,
    )
    result.notifications_created += 1


@transaction.atomic
def seed_notifications(now: datetime.datetime | None = None) -> NotificationDemoResult:
    """Add the reminder part of the demo world (once); rebuild the deadlines.

    Call it with notifications muted (`seed_demo` does): nothing is mailed."""
    now = now or timezone.now()
    result = NotificationDemoResult()
    users = get_user_model().objects.select_related("profile")
    people = {user.username: user for user in users if hasattr(user, "profile")}
    if NotificationPreference.objects.filter(user__username=DIGEST_PERSON).exists():
        result.already_there = True
    elif people:
        plan = _plan(_moments(people, now), timezone.localdate(now))
        _assign(people, plan, result)
        _centre(now, result)
        _digest_person(people, now, result)
    result.open_deadlines = deadlines.rebuild()
    return result
