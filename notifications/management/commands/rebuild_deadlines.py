"""Recompute the Deadline table from the apps that own deadlines."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from notifications import deadlines
from notifications.models import Deadline


class Command(BaseCommand):
    help = (
        "Recompute the open deadlines of every registered source (deliverables, review "
        "assignments, …) after a data migration, an import or edits made around the "
        "services; reminders already claimed are kept, so nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            metavar="KIND",
            help="Only this kind of deadline (repeat for several); default: all registered.",
        )

    def handle(self, *args, kinds: list[str] | None = None, **options):
        known = sorted(deadlines.registered_kinds())
        unknown = sorted(set(kinds or ()) - set(known))
        if unknown:
            raise CommandError(
                f"Unknown kind(s): {', '.join(unknown)}. Registered: {', '.join(known)}."
            )
        chosen = kinds or known
        total = deadlines.rebuild(chosen)
        counts = dict(
            Deadline.objects.filter(done_at__isnull=True, kind__in=chosen)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for kind in sorted(chosen):
            self.stdout.write(f"{kind}: {counts.get(kind, 0)} open")
        self.stdout.write(f"{total} open deadlines in all.")
