"""The reminder sweep: claim, set-wise, every reminder that has fallen due.

For each kind of deadline its `ReminderPolicy` gives offsets in days from the due
moment (-7, -2, 0, then 3, 6, … while overdue). Offset i applies to a deadline
while `due_at + offset_i <= now < due_at + offset_{i+1}`: a sweep that was
missed catches up with the latest offset crossed, and an offset superseded by a
later one is never sent late. Claiming is two INSERT … SELECT statements (the
people responsible, then the branch chiefs for overdue items) that skip what a
`Reminder` row already records (NOT EXISTS) and let the unique constraint settle
any race (ON CONFLICT DO NOTHING): the number of queries does not depend on how
many deadlines there are or how many reminders are claimed.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from cepa_collab.enums import Role
from cepa_collab.models import Profile
from notifications.enums import DeadlineKind, MailState
from notifications.models import Deadline, Reminder, ReminderPolicy

logger = logging.getLogger(__name__)

DAY = datetime.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Window:
    """Deadlines of `kind` with `lower < due_at <= upper` are due the `offset` reminder."""

    kind: str
    offset: int
    lower: datetime.datetime
    upper: datetime.datetime
    escalate: bool


def policies() -> dict[str, ReminderPolicy]:
    """Every kind's policy (the defaults for a kind the admin has not edited)."""
    found = {policy.kind: policy for policy in ReminderPolicy.objects.all()}
    return {kind: found.get(kind) or ReminderPolicy(kind=kind) for kind in DeadlineKind.values}


def next_boundary(policy: ReminderPolicy, offsets: list[int], index: int) -> int:
    if index + 1 < len(offsets):
        return offsets[index + 1]
    return offsets[index] + (policy.overdue_every_days if offsets[index] > 0 else 1)


def windows(
    now: datetime.datetime, by_kind: dict[str, ReminderPolicy] | None = None
) -> list[Window]:
    found = []
    for kind, policy in (by_kind or policies()).items():
        offsets = policy.offsets()
        for index, offset in enumerate(offsets):
            found.append(
                Window(
                    kind=kind,
                    offset=offset,
                    lower=now - next_boundary(policy, offsets, index) * DAY,
                    upper=now - offset * DAY,
                    escalate=policy.escalate and offset > 0,
                )
            )
    return found


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _dt(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _candidates(found: list[Window]) -> tuple[str, list]:
    """SELECT id, user_id, branch_id, due_date, offset of open deadlines in a window."""
    case, where, case_params, where_params = [], [], [], []
    for window in found:
        condition = "(d.kind = %s AND d.due_at > %s AND d.due_at <= %s)"
        bounds = [window.kind, _dt(window.lower), _dt(window.upper)]
        case.append(f"WHEN {condition} THEN {int(window.offset)}")
        case_params += bounds
        where.append(condition)
        where_params += bounds
    sql = (
        f"SELECT d.id AS id, d.user_id AS user_id, d.branch_id AS branch_id, "
        f"d.due_date AS due_date, CASE {' '.join(case)} END AS offset_days "
        f"FROM {_q(Deadline._meta.db_table)} d "
        f"WHERE d.done_at IS NULL AND ({' OR '.join(where)})"
    )
    return sql, case_params + where_params


_COLUMNS = (
    "deadline_id, recipient_id, offset_days, due_date, escalation, state, attempts, "
    "next_attempt_at, last_error, created_at"
)


def _not_claimed(recipient: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM {_q(Reminder._meta.db_table)} r "
        f"WHERE r.deadline_id = c.id AND r.offset_days = c.offset_days "
        f"AND r.recipient_id = {recipient} AND r.due_date = c.due_date)"
    )


def _claim_sql(found: list[Window], now: datetime.datetime) -> list[tuple[str, list]]:
    user_table = _q(get_user_model()._meta.db_table)
    reminder_table = _q(Reminder._meta.db_table)
    requeue = _dt(now + settings.MAIL_REQUEUE_AFTER)
    constants = [MailState.PENDING.value, 0, requeue, "", _dt(now)]
    statements = []
    candidates, params = _candidates(found)
    statements.append(
        (
            f"INSERT INTO {reminder_table} ({_COLUMNS}) "
            f"SELECT c.id, c.user_id, c.offset_days, c.due_date, %s, %s, %s, %s, %s, %s "
            f"FROM ({candidates}) c JOIN {user_table} u ON u.id = c.user_id "
            f"WHERE u.is_active = %s AND {_not_claimed('c.user_id')} "
            f"ON CONFLICT DO NOTHING RETURNING id",
            [False, *constants, *params, True],
        )
    )
    escalating = [window for window in found if window.escalate]
    if escalating:
        candidates, params = _candidates(escalating)
        groups = get_user_model().groups.through._meta
        statements.append(
            (
                f"INSERT INTO {reminder_table} ({_COLUMNS}) "
                f"SELECT c.id, u.id, c.offset_days, c.due_date, %s, %s, %s, %s, %s, %s "
                f"FROM ({candidates}) c "
                f"JOIN {_q(Profile._meta.db_table)} p ON p.branch_id = c.branch_id "
                f"JOIN {user_table} u ON u.id = p.user_id "
                f"JOIN {_q(groups.db_table)} ug ON ug.user_id = u.id "
                f"JOIN {_q(Group._meta.db_table)} g ON g.id = ug.group_id "
                f"WHERE g.name = %s AND u.is_active = %s AND u.id <> c.user_id "
                f"AND {_not_claimed('u.id')} "
                f"ON CONFLICT DO NOTHING RETURNING id",
                [True, *constants, *params, Role.BRANCH_CHIEF.value, True],
            )
        )
    return statements


@dataclasses.dataclass
class SweepResult:
    claimed: list[int]
    requeued: list[int]
    stuck: int

    def __int__(self) -> int:
        return len(self.claimed)


def claim_due(now: datetime.datetime | None = None) -> list[int]:
    """Insert the `Reminder` rows due at `now` that do not exist yet; returns their ids."""
    now = now or timezone.now()
    found = windows(now)
    claimed: list[int] = []
    with connection.cursor() as cursor:
        for sql, params in _claim_sql(found, now):
            cursor.execute(sql, params)
            claimed += [row[0] for row in cursor.fetchall()]
    return claimed


@transaction.atomic
def sweep_reminders(now: datetime.datetime | None = None) -> SweepResult:
    """One pass: claim what fell due, re-enqueue what was lost, report what is stuck.

    The delivery tasks are enqueued after this transaction commits."""
    from notifications import delivery

    now = now or timezone.now()
    claimed = claim_due(now)
    requeued = delivery.requeue_due(Reminder, now)
    stuck = delivery.report_stuck(Reminder, now)
    ids = claimed + requeued
    if ids:
        transaction.on_commit(lambda: delivery.enqueue_reminders(ids))
    return SweepResult(claimed=claimed, requeued=requeued, stuck=stuck)


@dataclasses.dataclass(frozen=True)
class Planned:
    deadline: Deadline
    recipient_id: int
    offset: int
    escalation: bool


def due_now(now: datetime.datetime | None = None) -> list[Planned]:
    """What a sweep at `now` would claim (for `send_reminders --dry-run`)."""
    now = now or timezone.now()
    found = windows(now)
    planned = []
    claimed = set(
        Reminder.objects.filter(deadline__done_at__isnull=True).values_list(
            "deadline_id", "offset_days", "recipient_id", "due_date"
        )
    )
    chiefs = _chiefs_by_branch()
    for window in found:
        rows = Deadline.objects.filter(
            kind=window.kind,
            done_at__isnull=True,
            due_at__gt=window.lower,
            due_at__lte=window.upper,
            user__is_active=True,
        ).select_related("user")
        for row in rows:
            recipients = [(row.user_id, False)]
            if window.escalate:
                recipients += [
                    (chief, True) for chief in chiefs.get(row.branch_id, ()) if chief != row.user_id
                ]
            for recipient, escalation in recipients:
                if (row.pk, window.offset, recipient, row.due_date) not in claimed:
                    planned.append(Planned(row, recipient, window.offset, escalation))
    return planned


def _chiefs_by_branch() -> dict[int, list[int]]:
    chiefs: dict[int, list[int]] = {}
    for user_id, branch_id in Profile.objects.filter(
        user__groups__name=Role.BRANCH_CHIEF, user__is_active=True, branch__isnull=False
    ).values_list("user_id", "branch_id"):
        chiefs.setdefault(branch_id, []).append(user_id)
    return chiefs


def next_reminder(
    deadline: Deadline, now: datetime.datetime | None = None
) -> tuple[int, datetime.datetime] | None:
    """The next reminder this deadline will trigger for its owner: (offset, when)."""
    if deadline.done_at is not None:
        return None
    now = now or timezone.now()
    policy = policies()[deadline.kind]
    sent = set(
        Reminder.objects.filter(
            deadline=deadline, recipient_id=deadline.user_id, due_date=deadline.due_date
        ).values_list("offset_days", flat=True)
    )
    offsets = policy.offsets()
    for index, offset in enumerate(offsets):
        moment = deadline.due_at + offset * DAY
        ends = deadline.due_at + next_boundary(policy, offsets, index) * DAY
        if offset in sent or ends <= now:
            continue
        return offset, max(moment, now)
    return None


def open_for(kind: str, object_ids: Iterable[int]) -> Q:
    return Q(kind=kind, object_id__in=list(object_ids), done_at__isnull=True)
