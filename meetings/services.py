"""Operations on meetings, participants and calendar tokens: one function per operation.

`save_meeting` is the one operation of the meeting's page, of the API and of the advisory
mission: the meeting, its invitations and its agenda, all or nothing.

Each operation that changes what participants expect tells them, in the same transaction
(their mails go after commit): an invitation when they are added, a note when the
meeting's time, place, title, status, description or agenda change, when it is cancelled,
or when they are removed, each with the meeting's calendar file attached (the one its
"Add to calendar" download serves: same UID, same SEQUENCE). See `_tell`.
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cepa_collab import viewer
from cepa_collab.models import Branch
from cepa_collab.services import CALENDAR, bump_counter, profile_for
from meetings import feed_builders, ics, queries, rules
from meetings.enums import (
    CALENDAR_FIELDS,
    MeetingKind,
    MeetingStatus,
    ParticipantRole,
    Reply,
    TokenKind,
)
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant, hash_token
from meetings.notices import MeetingNotice
from notifications import services as notifications
from notifications.models import Notification
from notifications.services import N_

EDITABLE_FIELDS = (
    "kind",
    "title",
    "description",
    "country",
    "start",
    "end",
    "time_zone",
    "location",
    "online_link",
    "visibility",
    "status",
)
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
AGENDA_TITLE_MAX = AgendaItem._meta.get_field("title").max_length


mission_lead_id = rules.mission_lead_id


def _check_times(meeting: Meeting) -> None:
    if meeting.start and meeting.end and meeting.end <= meeting.start:
        raise ValidationError({"end": _("The meeting must end after it starts.")})


@dataclasses.dataclass(frozen=True)
class Invitation:
    """Someone to invite: a user (`user`), or a person without an account (`name`, and an
    `email` to reach them)."""

    user: object | None = None
    name: str = ""
    email: str = ""
    role: str = ParticipantRole.EXPERT


# The fields `add_participant` names in its errors (callers rename them to their own).
INVITATION_FIELDS = ("user", "name", "email")


@transaction.atomic
def save_meeting(
    actor,
    meeting: Meeting | int | None = None,
    *,
    invitations: Iterable[Invitation] = (),
    agenda: Iterable[str] | None = None,
    mission_lead=None,
    **fields,
) -> Meeting:
    """Schedule a meeting (`meeting` None; `fields` name its branch) or change one (only the
    `fields` given), invite people and make the agenda the `agenda` titles (None leaves it
    as it is): all or nothing. Each person is told once, with the meeting's calendar file:
    an invitation if they are new, else a note of what changed.

    `mission_lead` (creation only): the lead of the advisory request whose assessment
    mission this is, whom the advisory service has checked; they manage it like the
    branch's staff."""
    if meeting is None:
        saved = create_meeting(actor, mission_lead=mission_lead, **fields)
    else:
        saved = update_meeting(actor, meeting, **fields)
    for invitation in invitations:
        add_participant(
            actor,
            saved,
            user=invitation.user,
            name=invitation.name,
            email=invitation.email,
            role=invitation.role,
        )
    if agenda is not None:
        set_agenda(actor, saved, list(agenda))
    return saved


@transaction.atomic
def create_meeting(actor, *, mission_lead=None, **fields) -> Meeting:
    """Schedule a meeting; see `save_meeting` for `mission_lead`."""
    meeting = Meeting(created_by=actor, **fields)
    if mission_lead is not None:
        if meeting.kind != MeetingKind.ASSESSMENT_MISSION:
            raise ValidationError({"kind": _("Only an assessment mission has a mission lead.")})
        meeting.mission_lead_id = mission_lead.pk
    rules.MEETING.schedule.require(meeting, actor)
    _check_times(meeting)
    meeting.full_clean()
    meeting.save()
    bump_counter(CALENDAR)
    return meeting


@transaction.atomic
def update_meeting(actor, meeting: Meeting | int, **changes) -> Meeting:
    """Change a meeting; a change of time, place, status or title raises its revision."""
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    locked = Meeting.objects.select_for_update().get(pk=pk)
    rules.MEETING.edit.require_person(locked, actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if changes.get("status") == MeetingStatus.CANCELLED:
        raise ValidationError({"status": _("Cancel the meeting with a reason instead.")})
    rules.MEETING.edit.require(locked, actor)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if (
        "kind" in changed
        and locked.kind == MeetingKind.ASSESSMENT_MISSION
        and mission_lead_id(locked) is not None
    ):
        raise ValidationError(
            {"kind": _("This is the assessment mission of an advisory request: its kind stays.")}
        )
    for name in changed:
        setattr(locked, name, changes[name])
    if not changed:
        return locked
    _check_times(locked)
    locked.full_clean()
    if set(changed) & set(CALENDAR_FIELDS):
        locked.revision = F("revision") + 1
        changed.append("revision")
    locked.save(update_fields=[*changed, "updated_at"])
    locked.refresh_from_db()
    bump_counter(CALENDAR)
    told = [name for name in changed if name in CHANGES_TOLD]
    if told:
        _tell(actor, locked, _participating_users(locked), Notice.CHANGED, changes=told)
    return locked


def agenda_titles(titles: Iterable[str]) -> list[str]:
    """The agenda's titles as kept: trimmed, blank ones left out; too long a title is an
    error of `agenda`."""
    kept = [title.strip() for title in titles if title.strip()]
    if any(len(title) > AGENDA_TITLE_MAX for title in kept):
        raise ValidationError(
            {
                "agenda": _("Keep each agenda item under %(limit)d characters.")
                % {"limit": AGENDA_TITLE_MAX}
            }
        )
    return kept


@transaction.atomic
def set_agenda(actor, meeting: Meeting, titles: list[str]) -> None:
    """Make the agenda the list of titles, in order; an item whose title stays keeps its
    notes and linked deliverable."""
    rules.MEETING.set_agenda.require(meeting, actor)
    titles = agenda_titles(titles)
    existing = list(meeting.agenda.order_by("position", "pk"))
    if [item.title for item in existing] == titles:
        return
    kept: dict[str, list[AgendaItem]] = {}
    for item in existing:
        kept.setdefault(item.title, []).append(item)
    rows = []
    for position, title in enumerate(titles, start=1):
        previous = kept[title].pop(0) if kept.get(title) else None
        rows.append(
            AgendaItem(
                meeting=meeting,
                position=position,
                title=title,
                notes=previous.notes if previous else "",
                deliverable_id=previous.deliverable_id if previous else None,
            )
        )
    AgendaItem.objects.filter(meeting=meeting).delete()
    AgendaItem.objects.bulk_create(rows)
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
    bump_counter(CALENDAR)
    fresh = Meeting.objects.get(pk=meeting.pk)
    _tell(actor, fresh, _participating_users(fresh), Notice.CHANGED, changes=["agenda"])


@transaction.atomic
def cancel_meeting(actor, meeting: Meeting | int, reason: str) -> Meeting:
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    locked = Meeting.objects.select_for_update().get(pk=pk)
    rules.MEETING.cancel.require_person(locked, actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    rules.MEETING.cancel.require(locked, actor)
    locked.status = MeetingStatus.CANCELLED
    locked.cancel_reason = reason.strip()
    locked.cancelled_at = timezone.now()
    locked.revision = F("revision") + 1
    locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "revision", "updated_at"])
    locked.refresh_from_db()
    bump_counter(CALENDAR)
    _tell(actor, locked, _participating_users(locked), Notice.CANCELLED)
    return locked


@transaction.atomic
def add_participant(actor, meeting: Meeting, *, user=None, name="", email="", role="expert"):
    rules.MEETING.invite.require(meeting, actor)
    if user is not None and meeting.participants.filter(user=user).exists():
        raise ValidationError({"user": _("This person already takes part.")})
    participant = Participant(meeting=meeting, user=user, name=name, email=email, role=role)
    if user is None and not name.strip():
        raise ValidationError({"name": _("Name the participant.")})
    participant.full_clean()
    participant.save()
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
    bump_counter(CALENDAR)
    if user is not None:
        fresh = Meeting.objects.get(pk=meeting.pk)
        if not fresh.is_cancelled:
            _tell(actor, fresh, [user], Notice.INVITED)
    return participant


@transaction.atomic
def remove_participant(actor, meeting: Meeting | int, participant: Participant | int) -> None:
    """Take someone off the meeting. A user is told, with a calendar file that cancels the
    meeting in their calendar; the meeting's revision grows so that the file's SEQUENCE is
    above every one they received (and a later invitation's is not below it)."""
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    locked = Meeting.objects.select_for_update().get(pk=pk)
    rules.MEETING.remove_participant.require(locked, actor)
    participant_pk = participant.pk if isinstance(participant, Participant) else participant
    found = (
        Participant.objects.select_related("user__profile")
        .filter(pk=participant_pk, meeting=locked)
        .first()
    )
    if found is None:
        raise ValidationError({"participant": _("This person does not take part.")})
    found.delete()
    Meeting.objects.filter(pk=locked.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    bump_counter(CALENDAR)
    if found.user is not None and not locked.is_cancelled:
        locked.refresh_from_db()
        _tell(actor, locked, [found.user], Notice.REMOVED)


@transaction.atomic
def set_reply(actor, meeting: Meeting, reply: str) -> Participant:
    """The caller's own reply to an invitation."""
    if reply not in Reply.values or reply == Reply.INVITED:
        raise ValidationError({"reply": _("Reply accepted, declined or tentative.")})
    if meeting.is_cancelled:
        raise ValidationError({"reply": _("The meeting is cancelled.")})
    participant = (
        Participant.objects.select_for_update().filter(meeting=meeting, user=actor).first()
    )
    if participant is None:
        raise PermissionDenied(rules.ONLY_PARTICIPANTS)
    participant.reply = reply
    participant.save(update_fields=["reply", "updated_at"])
    notifications.mark_read_for(actor, reverse("meetings:detail", args=[meeting.pk]))
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
    bump_counter(CALENDAR)
    return participant


# --- telling participants -------------------------------------------------------------


class Notice(StrEnum):
    INVITED = "invited"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    REMOVED = "removed"


# Changes participants are told about (a new time zone alone moves nothing: the same
# instants show in everyone's own zone), and how the note names them.
CHANGE_LABELS = {
    "title": gettext_lazy("title"),
    "start": gettext_lazy("time"),
    "end": gettext_lazy("time"),
    "location": gettext_lazy("place"),
    "online_link": gettext_lazy("online link"),
    "status": gettext_lazy("status"),
    "description": gettext_lazy("description"),
    "agenda": gettext_lazy("agenda"),
}
CHANGES_TOLD = frozenset(CHANGE_LABELS) - {"agenda"}

SUBJECTS = {
    Notice.INVITED: N_("Meeting invitation: %(title)s, %(start)s"),
    Notice.CHANGED: N_("Meeting changed: %(title)s, %(start)s"),
    Notice.CANCELLED: N_("Meeting cancelled: %(title)s, %(start)s"),
    Notice.REMOVED: N_("No longer taking part: %(title)s, %(start)s"),
}
BODIES = {
    Notice.INVITED: N_(
        "You are invited to “%(title)s”.\n\n"
        "When: %(start)s to %(end)s (%(zone)s)\n"
        "Where: %(place)s\n"
        "Status: %(status)s\n\n"
        "Reply on the meeting's page. The calendar file attached adds the meeting to "
        "your calendar."
    ),
    Notice.CHANGED: N_(
        "“%(title)s” has changed: %(changes)s.\n\n"
        "When: %(start)s to %(end)s (%(zone)s)\n"
        "Where: %(place)s\n"
        "Status: %(status)s\n\n"
        "The calendar file attached updates the meeting in your calendar."
    ),
    Notice.CANCELLED: N_(
        "“%(title)s”, planned for %(start)s (%(zone)s), is cancelled.\n\n"
        "Reason: %(reason)s\n\n"
        "The calendar file attached removes the meeting from your calendar."
    ),
    Notice.REMOVED: N_(
        "You no longer take part in “%(title)s”, planned for %(start)s (%(zone)s).\n\n"
        "The calendar file attached removes the meeting from your calendar."
    ),
}
NOT_GIVEN = gettext_lazy("not given yet")
ATTACHMENT_NAME = "meeting.ics"


def _participating_users(meeting: Meeting) -> list:
    """The users taking part (external participants have no account to tell), with what
    deciding whether they may see the meeting needs (profile, roles)."""
    return [
        participant.user
        for participant in Participant.objects.filter(meeting=meeting, user__isnull=False)
        .select_related("user__profile")
        .prefetch_related("user__groups")
        .order_by("pk")
    ]


def _may_see(user, meeting: Meeting) -> bool:
    return queries.visible_meetings(user).filter(pk=meeting.pk).exists()


def _calendar_file(meeting: Meeting, language: str, *, removed: bool = False) -> str:
    """The meeting's .ics in `language`, as its "Add to calendar" download serves it (the
    same rendering, shared through the cache: same UID, SEQUENCE and content); for a removed
    participant, the same event marked cancelled, rendered under its own cache key so that
    it never stands in for the meeting's event."""
    if not removed:
        return feed_builders.meeting_feed(meeting, language).body().decode()
    gone = copy.copy(meeting)
    gone.status = MeetingStatus.CANCELLED
    with translation.override(language):
        gone.cancel_reason = _("You no longer take part in this meeting.")
    event = ics.FeedEvent(
        key=f"meeting-removed:{meeting.pk}",
        version=f"{meeting.revision}:{meeting.updated_at.timestamp()}",
        render=lambda: ics.render_meeting(gone),
        tzid=meeting.time_zone,
    )
    return ics.render_calendar(meeting.title, [event], language).decode()


@dataclasses.dataclass
class _Told:
    notification_id: int
    notice: Notice
    changes: list[str]


@dataclasses.dataclass
class _Transaction:
    marker: Callable[[], None]
    told: dict[tuple[int, int], _Told]


def _told_in_this_transaction() -> dict[tuple[int, int], _Told]:
    """What participants were told in the current transaction, by (meeting, user).

    Saving a meeting's page runs several operations in one transaction (the change, the
    invitations, the agenda): each person gets one note that says it all, not one per
    operation. The record lives as long as a marker callback waits in the transaction's
    on-commit list: commit or rollback (of the savepoint that registered it) drops it."""
    connection = transaction.get_connection()
    state = getattr(connection, "_cepa_meeting_notices", None)
    waiting = getattr(connection, "run_on_commit", [])
    if state is None or not any(state.marker in entry for entry in waiting):
        state = _Transaction(marker=lambda: None, told={})
        transaction.on_commit(state.marker)
        connection._cepa_meeting_notices = state
    return state.told


def _take_back(told: _Told, user) -> bool:
    """Delete a note not mailed yet (its mail task, enqueued on commit, finds nothing)."""
    deleted, _rows = Notification.objects.filter(
        pk=told.notification_id,
        user=user,
        kind=MeetingNotice.MEETING,
        attempts=0,
        sent_at__isnull=True,
        digest__isnull=True,
    ).delete()
    return bool(deleted)


def _merge(previous: _Told | None, notice: Notice, changes: list[str]) -> tuple[Notice, list]:
    if previous is None:
        return notice, changes
    if notice == Notice.CHANGED and previous.notice != Notice.CHANGED:
        notice = previous.notice  # invited, then the agenda set: still an invitation
    return notice, list(dict.fromkeys([*previous.changes, *changes]))


def _tell(
    actor, meeting: Meeting, users: Iterable, notice: Notice, *, changes: Iterable[str] = ()
) -> None:
    """Notify each user (not the actor, nobody inactive, nobody who may not see the meeting)
    with the meeting's calendar file, in their language and time zone. Nothing is said about
    meetings already over. A second note to the same person in the same transaction
    replaces the first."""
    if notifications.is_muted() or meeting.end <= timezone.now():
        return
    told = _told_in_this_transaction()
    link = reverse("meetings:detail", args=[meeting.pk])
    place = ", ".join(part for part in (meeting.location, meeting.online_link) if part)
    files: dict[tuple[str, bool], str] = {}
    for user in users:
        if user.pk == getattr(actor, "pk", None) or not user.is_active:
            continue
        key = (meeting.pk, user.pk)
        previous = told.pop(key, None)
        if previous is not None and not _take_back(previous, user):
            previous = None  # mailed already, or rolled back with its savepoint
        if notice == Notice.REMOVED and previous and previous.notice == Notice.INVITED:
            continue  # invited and removed at once: they never knew
        final, final_changes = _merge(previous, notice, list(changes))
        visible = _may_see(user, meeting)
        if not visible and final != Notice.REMOVED:
            continue  # never tell anyone about a meeting they may not see
        language = notifications.language_of(user)
        removed = final == Notice.REMOVED
        if (language, removed) not in files:
            files[language, removed] = _calendar_file(meeting, language, removed=removed)
        labels = list(dict.fromkeys(CHANGE_LABELS[name] for name in final_changes))
        notification = notifications.notify(
            user,
            MeetingNotice.MEETING,
            subject=SUBJECTS[final],
            body=BODIES[final],
            params={
                "title": meeting.title,
                "start": meeting.start,
                "end": meeting.end,
                "zone": profile_for(user).time_zone,
                "place": place or NOT_GIVEN,
                "status": MeetingStatus(meeting.status).label,
                "reason": meeting.cancel_reason,
                "changes": format_lazy(", ".join(["{}"] * len(labels)), *labels),
            },
            # A removed person may no longer see a participants-only meeting: no link then.
            link=link if visible else "",
            attachment=(ATTACHMENT_NAME, files[language, removed]),
        )
        if notification is not None:
            told[key] = _Told(notification.pk, final, final_changes)


# --- calendar tokens --------------------------------------------------------------------


@transaction.atomic
def reset_token(user, kind: str = TokenKind.PERSONAL, branch: Branch | None = None) -> str:
    """Revoke the user's active token of this kind and issue a new one (256 random bits).

    Returns the raw token: it is shown once and never stored."""
    if kind == TokenKind.BRANCH:
        rules.BRANCH_FEED.require(None, user)
        branch = Branch.objects.get(pk=viewer.user_branch_id(user))
    CalendarToken.objects.filter(user=user, kind=kind, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    raw = secrets.token_urlsafe(32)
    CalendarToken.objects.create(
        user=user, kind=kind, branch=branch, token_hash=hash_token(raw), prefix=raw[:6]
    )
    return raw


def revoke_token(user, kind: str = TokenKind.PERSONAL) -> int:
    return CalendarToken.objects.filter(user=user, kind=kind, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def token_for(raw: str, kind: str) -> CalendarToken | None:
    """The active token of an active user, looked up by its hash; None otherwise."""
    if not raw or len(raw) > 100:
        return None
    token = (
        CalendarToken.objects.select_related("user", "branch")
        .filter(token_hash=hash_token(raw), kind=kind, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def touch_token(token: CalendarToken) -> None:
    """Record a use, at most once per few minutes (calendar clients poll often)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
