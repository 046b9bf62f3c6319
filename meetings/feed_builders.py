"""What each calendar feed contains, as an `ics.Feed` evaluated as its reader.

A builder selects the feed's records through the shared queries (so a feed shows
nothing its reader could not see in the pages), stamps them with one aggregate query
(`ics.stamp_of` over every source at once, reused until the calendar change
counter moves: `ics.cached_stamp`) and hands `Feed` a lazy list of events:
a poll answered 304, or from the cached body, never loads or renders an event.

The personal feed's deadlines are the person's open rows of `notifications.Deadline`,
the one place that says what is due, from whom, by when (the reminder sweep reads it
too); the branch feed still lists the branch's active deliverables directly.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db.models import BigIntegerField, Case, F, OuterRef, QuerySet, Subquery, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cepa_collab.services import profile_for
from meetings import ics, queries, rules
from meetings.enums import TokenKind
from meetings.ics import Deadline, Feed, FeedEvent
from meetings.models import CalendarToken, Meeting, hash_token
from notifications.models import Deadline as DeadlineRow
from workflows.deadlines import WorkflowDeadline
from workflows.enums import DELIVERABLE_ACTIVE_STATES
from workflows.models import Deliverable, ReviewAssignment
from workflows.queries import visible_deliverables

# --- tokens -----------------------------------------------------------------------------


def load_token(raw: str, kind: str) -> CalendarToken | None:
    """The active token of an active user, like `services.token_for`, in ONE query that also
    brings the user's profile (language, branch). Roles are read only when needed (building
    a feed's events, or checking a branch feed), so a poll answered 304 never asks for them.
    None for an unknown or revoked token or an inactive user."""
    if not raw or len(raw) > 100:
        return None
    # token_hash is unique: no ordering needed (the model's default one would join users).
    found = list(
        CalendarToken.objects.select_related("user__profile__branch", "branch")
        .filter(token_hash=hash_token(raw), kind=kind, revoked_at__isnull=True)
        .order_by()
    )
    token = found[0] if found else None
    if token is None or not token.user.is_active:
        return None
    return token


# --- deadlines --------------------------------------------------------------------------


def _deadline_window(qs: QuerySet, field: str = "due_date") -> QuerySet:
    """Deadlines in the same window as meetings (`queries.FEED_PAST`, `FEED_FUTURE`)."""
    today = timezone.localdate()
    return qs.filter(
        **{
            f"{field}__gte": today - queries.FEED_PAST,
            f"{field}__lte": today + queries.FEED_FUTURE,
        }
    )


def open_deadlines(user) -> QuerySet[DeadlineRow]:
    """The user's open deadlines due within the feed window, each with the deliverable it
    concerns (a review's deliverable, or the deliverable itself): its title as it is now
    (a rename made around the services shows too) and its last change, in one query."""
    reviewed = ReviewAssignment.objects.filter(pk=OuterRef("object_id")).values("deliverable_id")
    concerned = Case(
        When(kind=WorkflowDeadline.DELIVERABLE, then=F("object_id")),
        When(kind=WorkflowDeadline.REVIEW, then=Subquery(reviewed[:1])),
        output_field=BigIntegerField(),
    )
    deliverable = Deliverable.objects.filter(pk=OuterRef("concerned_id"))
    return (
        _deadline_window(DeadlineRow.objects.filter(user=user, done_at__isnull=True))
        .annotate(
            concerned_id=concerned,
            concerned_title=Subquery(deliverable.values("title")[:1]),
            concerned_changed=Subquery(deliverable.values("updated_at")[:1]),
        )
        .order_by("due_date", "kind", "object_id")
    )


def concerned_deliverables(rows: QuerySet[DeadlineRow]) -> QuerySet[Deliverable]:
    """The deliverables the deadlines concern: their renames change the feed."""
    return Deliverable.objects.filter(pk__in=rows.values("concerned_id"))


def branch_deliverables(user, branch_id: int) -> QuerySet[Deliverable]:
    """The branch's deliverables still being produced, as `user` may see them."""
    return _deadline_window(
        visible_deliverables(user).filter(
            product__branch_id=branch_id, state__in=DELIVERABLE_ACTIVE_STATES
        )
    ).order_by("due_date", "pk")


def deadline_event(row: DeadlineRow) -> Deadline:
    """One of the person's deadlines as an all-day event, with the UID it always had
    (`review-<assignment>`, `deliverable-<deliverable>`: kind and object of the row)."""
    title = getattr(row, "concerned_title", None) or row.title
    if row.kind == WorkflowDeadline.REVIEW:
        summary = _("Review due: %(title)s") % {"title": title}
    else:
        summary = _("Due: %(title)s") % {"title": title}
    changed = max(filter(None, (row.updated_at, getattr(row, "concerned_changed", None))))
    return Deadline(
        uid=ics.uid(row.kind, row.object_id),
        due=row.due_date,
        summary=summary,
        path=row.link,
        changed=changed,
    )


def deliverable_deadline(deliverable: Deliverable) -> Deadline:
    return Deadline(
        uid=ics.uid("deliverable", deliverable.pk),
        due=deliverable.due_date,
        summary=_("Due: %(title)s") % {"title": deliverable.title},
        path=reverse("workflows:deliverable", args=[deliverable.pk]),
        changed=deliverable.updated_at,
    )


def _events(
    language: str,
    meetings: QuerySet[Meeting],
    due: QuerySet[DeadlineRow] | None = None,
    deliverables: QuerySet[Deliverable] | None = None,
) -> list[FeedEvent]:
    """The events of a feed: its meetings, then its deadlines (one query per source)."""
    events = [ics.meeting_event(meeting) for meeting in meetings.order_by("start", "pk")]
    with translation.override(language):
        if due is not None:
            events += [ics.deadline_event(deadline_event(row)) for row in due]
        if deliverables is not None:
            events += [ics.deadline_event(deliverable_deadline(item)) for item in deliverables]
    return events


def _options(include_cancelled: bool) -> dict:
    return {"cancelled": include_cancelled}


def _key(kind: str, ident, include_cancelled: bool) -> str:
    # The options are part of the key: `Feed.last_modified` remembers one answer per key.
    return f"{kind}:{ident}:c{int(include_cancelled)}"


# --- feeds ------------------------------------------------------------------------------


def public_feed(*, include_cancelled: bool = True) -> Feed:
    """Public meetings, for anyone, in the site's language."""
    language = settings.LANGUAGE_CODE

    @cache
    def sources():
        return (queries.public_feed_meetings(include_cancelled=include_cancelled),)

    with translation.override(language):
        name = _("CEPA Collab: public meetings")
    return Feed(
        key=(key := _key("public", "all", include_cancelled)),
        name=name,
        language=language,
        stamp=ics.cached_stamp(key, sources),
        events=lambda: _events(language, *sources()),
        options=_options(include_cancelled),
    )


def meeting_feed(meeting: Meeting, language: str) -> Feed:
    """One meeting (the "Add to calendar" file); the caller has loaded it for its reader."""
    return Feed(
        key=f"meeting:{meeting.pk}",
        name=meeting.title,
        language=language,
        stamp=(meeting.revision, meeting.updated_at, meeting.status, meeting.cancelled_at),
        events=lambda: [ics.meeting_event(meeting)],
    )


def personal_feed(user, *, include_cancelled: bool = True) -> Feed:
    """The meetings the user takes part in and the user's open deadlines (outstanding
    reviews, active deliverables they own: `notifications.Deadline`), in the user's
    language. The querysets are built only when the stamp or the events are needed; the
    stamp follows the deadlines' `updated_at` (a new, moved or closed deadline changes it)
    and the concerned deliverables' (a rename changes it)."""
    language = profile_for(user).language

    @cache
    def sources():
        meetings = queries.personal_feed_meetings(user, include_cancelled=include_cancelled)
        due = open_deadlines(user)
        return meetings, due, concerned_deliverables(due)

    with translation.override(language):
        name = _("CEPA Collab: my meetings and deadlines")
    return Feed(
        key=(key := _key("personal", user.pk, include_cancelled)),
        name=name,
        language=language,
        stamp=ics.cached_stamp(key, sources),
        events=lambda: _events(language, *sources()[:2]),
        options=_options(include_cancelled),
    )


def branch_feed(user, branch, *, include_cancelled: bool = True) -> Feed:
    """The branch's meetings and its active deliverables' due dates, for its staff."""
    language = profile_for(user).language

    @cache
    def sources():
        meetings = queries.branch_feed_meetings(branch.pk, include_cancelled=include_cancelled)
        return meetings, branch_deliverables(user, branch.pk)

    with translation.override(language):
        name = _("CEPA Collab: %(branch)s meetings and deadlines") % {"branch": branch.name}
    return Feed(
        key=(key := _key(f"branch:{branch.pk}", user.pk, include_cancelled)),
        name=name,
        language=language,
        stamp=ics.cached_stamp(key, sources),
        events=lambda: _events(language, sources()[0], deliverables=sources()[1]),
        options=_options(include_cancelled),
    )


def may_use_branch_feed(token: CalendarToken) -> bool:
    """A branch token works while its user is still staff of that branch."""
    return (
        token.kind == TokenKind.BRANCH
        and token.branch_id is not None
        and rules.has_branch_feed(token.user, token.branch_id)
    )
