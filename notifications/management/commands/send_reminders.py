"""Run one reminder sweep now, or show what it would send (`--dry-run`)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import delivery, mail, reminders


def _instant(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"--at {value!r}: give an ISO date and time, e.g. 2027-01-22T09:00+00:00."
        ) from exc
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class Command(BaseCommand):
    help = (
        "Run one reminder sweep now: claim the reminders that fell due and enqueue their "
        "mails, re-enqueue lost ones, report those stuck in sending. With --dry-run, only "
        "list what it would claim. Beat runs the same sweep every REMINDER_SWEEP_SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the reminders a sweep would send now, and change nothing.",
        )
        parser.add_argument(
            "--at",
            metavar="ISO-DATETIME",
            help="With --dry-run: evaluate this instant instead of now (UTC if no offset).",
        )

    def handle(self, *args, dry_run: bool = False, at: str | None = None, **options):
        if at and not dry_run:
            raise CommandError("--at only goes with --dry-run: a real sweep runs now.")
        now = _instant(at) if at else timezone.now()
        if dry_run:
            self._dry_run(now)
            return
        result = reminders.sweep_reminders(now)
        requeued = delivery.sweep_notifications(now)
        self.stdout.write(
            f"Claimed {_plural(len(result.claimed), 'reminder', 'reminders')}, "
            f"re-enqueued {len(result.requeued)}, "
            f"{result.stuck} newly reported stuck in sending."
        )
        self.stdout.write(f"Re-enqueued {_plural(len(requeued), 'notification', 'notifications')}.")

    def _dry_run(self, now: datetime.datetime) -> None:
        planned = reminders.due_now(now)
        for item in planned:
            deadline, recipient = item.deadline, item.recipient
            marker = ""
            if item.escalation:
                marker = f" [escalation: {deadline.user.get_username()} is responsible]"
            self.stdout.write(
                f"{recipient.get_username()} <{recipient.email}>: {item.label}{marker}: "
                f"{mail.what_is_due(deadline)}, due {deadline.due_date.isoformat()}"
            )
        when = now.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.stdout.write(
            f"{_plural(len(planned), 'reminder', 'reminders')} would be sent at {when} "
            "(dry run: nothing was claimed or sent)."
        )
