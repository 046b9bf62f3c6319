"""The reminder sweep: claim, set-wise, every reminder that has fallen due.

For each kind of deadline its `ReminderPolicy` gives offsets in days from the due
moment (-7, -2, 0, then 3, 6, … while overdue). Offset i applies to a deadline
while `due_at + offset_i <= now < due_at + offset_{i+1}` (the last one for
`overdue_every_days`, or one day if it is not an overdue one): a sweep that was
missed catches up with the latest offset crossed, and an offset superseded by a
later one is never sent late. Offsets are whole days of 24 hours from the due
moment, so a reminder that falls on the other side of a daylight-saving change
than the due date comes an hour earlier or later on the local clock.

Claiming is two INSERT … SELECT statements (the people responsible, then the
branch chiefs for overdue items) that skip what a `Reminder` row already records
(NOT EXISTS) and let the unique constraint settle any race (ON CONFLICT DO
NOTHING): the number of queries does not depend on how many deadlines there are
or how many reminders are claimed. `due_now` runs the same SELECTs without
inserting, so a dry run lists exactly what a sweep would claim.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cepa_collab.enums import Role
from cepa_collab.models import Profile
from notifications import delivery
from notifications.enums import MailState
from notifications.kinds import DEADLINE_KINDS
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
    """Every registered kind's policy (for a kind the admin has not edited, the defaults its
    app registered, or the model's)."""
    found = {policy.kind: policy for policy in ReminderPolicy.objects.all()}
    return {
        kind.value: found.get(kind.value) or ReminderPolicy(kind=kind.value, **kind.policy)
        for kind in DEADLINE_KINDS
    }


def next_boundary(policy: ReminderPolicy, offsets: list[int], index: int) -> int:
    """Where the window of `offsets[index]` ends, in days from the due moment."""
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


def offset_label(offset: int) -> str:
    """“7 days before”, “on the day”, “3 days overdue”, in the active language."""
    if offset < 0:
        return ngettext("%(days)d day before", "%(days)d days before", -offset) % {"days": -offset}
    if offset == 0:
        return _("on the day")
    return ngettext("%(days)d day overdue", "%(days)d days overdue", offset) % {"days": offset}


# --- claiming ----------------------------------------------------------------------------


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
        # `+d.branch_id` is not a bare column, so SQLite reads the open-deadline index rather
        # than driving the chiefs' join through the branch index (no effect on PostgreSQL).
        f"SELECT d.id AS id, d.user_id AS user_id, +d.branch_id AS branch_id, "
        f"d.due_date AS due_date, CASE {' '.join(case)} END AS offset_days "
        f"FROM {_q(Deadline._meta.db_table)} d "
        f"WHERE d.done_at IS NULL AND ({' OR '.join(where)})"
    )
    return sql, case_params + where_params


def _not_claimed(recipient: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM {_q(Reminder._meta.db_table)} r "
        f"WHERE r.deadline_id = c.id AND r.offset_days = c.offset_days "
        f"AND r.recipient_id = {recipient} AND r.due_date = c.due_date)"
    )


def _due_selects(found: list[Window], extra: str = "", extra_params=()) -> list[tuple[str, list]]:
    """SELECTs of the reminders due in `found` and not claimed yet, as rows of
    (deadline_id, recipient_id, offset_days, due_date, escalation, *extra): the people
    responsible (active ones), then the active branch chiefs of the item's branch for
    escalating windows (never the responsible person a second time)."""
    if not found:
        return []
    user_table = _q(get_user_model()._meta.db_table)
    statements = []
    candidates, params = _candidates(found)
    statements.append(
        (
            f"SELECT c.id, c.user_id, c.offset_days, c.due_date, %s{extra} "
            f"FROM ({candidates}) c JOIN {user_table} u ON u.id = c.user_id "
            f"WHERE u.is_active = %s AND {_not_claimed('c.user_id')}",
            [False, *extra_params, *params, True],
        )
    )
    escalating = [window for window in found if window.escalate]
    if escalating:
        candidates, params = _candidates(escalating)
        groups = get_user_model().groups.through._meta
        statements.append(
            (
                f"SELECT c.id, u.id, c.offset_days, c.due_date, %s{extra} "
                f"FROM ({candidates}) c "
                f"JOIN {_q(Profile._meta.db_table)} p ON p.branch_id = c.branch_id "
                f"JOIN {user_table} u ON u.id = p.user_id "
                f"JOIN {_q(groups.db_table)} ug ON ug.user_id = u.id "
                f"JOIN {_q(Group._meta.db_table)} g ON g.id = ug.group_id "
                f"WHERE g.name = %s AND u.is_active = %s AND u.id <> c.user_id "
                f"AND {_not_claimed('u.id')}",
                [True, *extra_params, *params, Role.BRANCH_CHIEF.value, True],
            )
        )
    return statements


_COLUMNS = (
    "deadline_id, recipient_id, offset_days, due_date, escalation, state, attempts, "
    "next_attempt_at, last_error, created_at"
)


def _claim_sql(found: list[Window], now: datetime.datetime) -> list[tuple[str, list]]:
    requeue = _dt(now + settings.MAIL_REQUEUE_AFTER)
    constants = [MailState.PENDING.value, 0, requeue, "", _dt(now)]
    table = _q(Reminder._meta.db_table)
    return [
        (f"INSERT INTO {table} ({_COLUMNS}) {select} ON CONFLICT DO NOTHING RETURNING id", params)
        for select, params in _due_selects(found, ", %s, %s, %s, %s, %s", constants)
    ]


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
    claimed: list[int] = []
    with connection.cursor() as cursor:
        for sql, params in _claim_sql(windows(now), now):
            cursor.execute(sql, params)
            claimed += [row[0] for row in cursor.fetchall()]
    return claimed


@transaction.atomic
def sweep_reminders(now: datetime.datetime | None = None) -> SweepResult:
    """One pass: claim what fell due, re-enqueue what was lost, report what is stuck.

    The delivery tasks are enqueued after this transaction commits."""
    now = now or timezone.now()
    claimed = claim_due(now)
    requeued = delivery.requeue_due(Reminder, now)
    stuck = delivery.report_stuck(Reminder, now)
    ids = claimed + requeued
    if ids:
        transaction.on_commit(lambda: delivery.enqueue_reminders(ids))
    return SweepResult(claimed=claimed, requeued=requeued, stuck=stuck)


# --- what a sweep would do (dry run) -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Planned:
    deadline: Deadline
    recipient_id: int
    offset: int
    escalation: bool
    recipient: object = None

    @property
    def label(self) -> str:
        return offset_label(self.offset)


def due_now(now: datetime.datetime | None = None) -> list[Planned]:
    """What a sweep at `now` would claim (for `send_reminders --dry-run`): the same
    SELECTs as the sweep, without inserting. Ordered by due moment, then recipient."""
    now = now or timezone.now()
    rows = []
    with connection.cursor() as cursor:
        for sql, params in _due_selects(windows(now)):
            cursor.execute(sql, params)
            rows += cursor.fetchall()
    deadlines = Deadline.objects.select_related("user").in_bulk({row[0] for row in rows})
    people = get_user_model().objects.in_bulk({row[1] for row in rows})
    planned = [
        Planned(
            deadline=deadlines[deadline_id],
            recipient_id=recipient_id,
            offset=int(offset),
            escalation=bool(escalation),
            recipient=people[recipient_id],
        )
        for deadline_id, recipient_id, offset, _due, escalation in rows
    ]
    planned.sort(
        key=lambda p: (p.deadline.due_at, p.deadline.pk, p.escalation, p.recipient.get_username())
    )
    return planned


# --- the next reminder, for the pages ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NextReminder:
    """The next reminder a deadline will trigger for the person responsible."""

    deadline: Deadline
    offset: int
    at: datetime.datetime

    @property
    def label(self) -> str:
        return offset_label(self.offset)

    @property
    def time_zone(self) -> str:
        """The responsible person's time zone (the reminder goes at their local hour)."""
        profile = getattr(self.deadline.user, "profile", None)
        return getattr(profile, "time_zone", None) or "UTC"


def _next(
    deadline: Deadline, policy: ReminderPolicy, sent: set[int], now: datetime.datetime
) -> NextReminder | None:
    offsets = policy.offsets()
    for index, offset in enumerate(offsets):
        ends = deadline.due_at + next_boundary(policy, offsets, index) * DAY
        if offset in sent or ends <= now:
            continue
        return NextReminder(deadline, offset, max(deadline.due_at + offset * DAY, now))
    return None


def next_reminders(
    deadlines: Iterable[Deadline], now: datetime.datetime | None = None
) -> dict[int, NextReminder | None]:
    """The next reminder of each open deadline, by deadline id, in two queries for any
    number of deadlines (the policies, the reminders already claimed). A reminder whose
    moment has come but that the sweep has not claimed yet is due `now`."""
    rows = [row for row in deadlines if row.done_at is None]
    if not rows:
        return {}
    now = now or timezone.now()
    by_kind = policies()
    sent: dict[int, set[int]] = defaultdict(set)
    for deadline_id, offset in (
        Reminder.objects.filter(
            deadline_id__in=[row.pk for row in rows],
            recipient_id=F("deadline__user_id"),
            due_date=F("deadline__due_date"),
        )
        .order_by()
        .values_list("deadline_id", "offset_days")
    ):
        sent[deadline_id].add(offset)
    return {row.pk: _next(row, by_kind[row.kind], sent[row.pk], now) for row in rows}


def next_reminders_for(
    kind: str, object_ids: Iterable[int], now: datetime.datetime | None = None, *, user=None
) -> dict[int, NextReminder | None]:
    """The next reminder of the open deadlines of `kind` for `object_ids` (of `user`
    only, if given), by object id (None: open, but every reminder has gone); one query
    for the deadlines and `next_reminders`' two, whatever the number of objects."""
    object_ids = list(object_ids)
    if not object_ids:
        return {}
    qs = Deadline.objects.filter(open_for(kind, object_ids)).select_related("user__profile")
    if user is not None:
        qs = qs.filter(user=user)
    rows = list(qs.order_by("pk"))
    found = next_reminders(rows, now)
    return {row.object_id: found[row.pk] for row in rows}


def next_reminder(
    deadline: Deadline, now: datetime.datetime | None = None
) -> tuple[int, datetime.datetime] | None:
    """The next reminder this deadline will trigger for its owner: (offset, when)."""
    found = next_reminders([deadline], now).get(deadline.pk)
    return (found.offset, found.at) if found else None


def open_for(kind: str, object_ids: Iterable[int]) -> Q:
    return Q(kind=kind, object_id__in=list(object_ids), done_at__isnull=True)
