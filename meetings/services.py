"""Operations on meetings, participants and calendar tokens: one function per operation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cepa_collab.models import Branch
from cepa_collab.services import CALENDAR, bump_counter
from meetings.enums import CALENDAR_FIELDS, MeetingStatus, Reply, TokenKind
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant
from workflows import rules

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


def can_manage_meeting(user, meeting: Meeting) -> bool:
    """Branch staff and the chief of the meeting's branch create, edit and cancel it."""
    return rules.can_create_in_branch(user, meeting.branch_id)


def _check_times(meeting: Meeting) -> None:
    if meeting.start and meeting.end and meeting.end <= meeting.start:
        raise ValidationError({"end": _("The meeting must end after it starts.")})


@transaction.atomic
def create_meeting(actor, **fields) -> Meeting:
    meeting = Meeting(created_by=actor, **fields)
    if not rules.can_create_in_branch(actor, meeting.branch_id):
        raise PermissionDenied(_("Only the branch's staff schedule its meetings."))
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
    if not can_manage_meeting(actor, locked):
        raise PermissionDenied(_("Only the branch's staff edit its meetings."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if changes.get("status") == MeetingStatus.CANCELLED:
        raise ValidationError({"status": _("Cancel the meeting with a reason instead.")})
    if locked.is_cancelled:
        raise ValidationError({"status": _("A cancelled meeting cannot be changed.")})
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
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
    return locked


@transaction.atomic
def set_agenda(actor, meeting: Meeting, titles: list[str]) -> None:
    """Make the agenda the list of titles, in order; an item whose title stays keeps its
    notes and linked deliverable."""
    if not can_manage_meeting(actor, meeting):
        raise PermissionDenied(_("Only the branch's staff edit the agenda."))
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


@transaction.atomic
def cancel_meeting(actor, meeting: Meeting | int, reason: str) -> Meeting:
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    locked = Meeting.objects.select_for_update().get(pk=pk)
    if not can_manage_meeting(actor, locked):
        raise PermissionDenied(_("Only the branch's staff cancel its meetings."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    if locked.is_cancelled:
        raise ValidationError({"status": _("The meeting is already cancelled.")})
    locked.status = MeetingStatus.CANCELLED
    locked.cancel_reason = reason.strip()
    locked.cancelled_at = timezone.now()
    locked.revision = F("revision") + 1
    locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "revision", "updated_at"])
    locked.refresh_from_db()
    bump_counter(CALENDAR)
    return locked


@transaction.atomic
def add_participant(actor, meeting: Meeting, *, user=None, name="", email="", role="expert"):
    if not can_manage_meeting(actor, meeting):
        raise PermissionDenied(_("Only the branch's staff invite participants."))
    if user is not None and meeting.participants.filter(user=user).exists():
        raise ValidationError({"user": _("This person already takes part.")})
    participant = Participant(meeting=meeting, user=user, name=name, email=email, role=role)
    if user is None and not name.strip():
        raise ValidationError({"name": _("Name the participant.")})
    participant.full_clean()
    participant.save()
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
    bump_counter(CALENDAR)
    return participant


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
        raise PermissionDenied(_("Only participants reply."))
    participant.reply = reply
    participant.save(update_fields=["reply", "updated_at"])
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
    bump_counter(CALENDAR)
    return participant


# --- calendar tokens --------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def reset_token(user, kind: str = TokenKind.PERSONAL, branch: Branch | None = None) -> str:
    """Revoke the user's active token of this kind and issue a new one (256 random bits).

    Returns the raw token: it is shown once and never stored."""
    if kind == TokenKind.BRANCH:
        branch_id = rules.user_branch_id(user)
        if branch_id is None or not rules.is_branch_member(user, branch_id):
            raise PermissionDenied(_("Only branch staff have a branch feed."))
        branch = Branch.objects.get(pk=branch_id)
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
