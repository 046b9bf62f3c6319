"""Report, and with --delete remove, stored files that no record points to.

Files go by themselves when their document is deleted or replaced (after commit) and when
the transaction that stored them rolls back (`cepa_collab.documents`); this command finds
what a crash, a restore or an older release left behind, and the spooled files of
uploads a killed worker never finished (FILE_UPLOAD_TEMP_DIR). Files younger than --min-age
minutes are left alone: their transaction may still be open.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cepa_collab import documents


class Command(BaseCommand):
    help = (
        "List the stored files under MEDIA_ROOT that no record points to (a dry run); "
        "with --delete, remove them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--delete", action="store_true", help="Remove the orphans (by default only list)."
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            metavar="MINUTES",
            help="Leave files younger than this alone (default 60).",
        )

    def handle(self, *args, delete: bool, min_age: int, **options) -> None:
        before = timezone.now() - datetime.timedelta(minutes=min_age)
        orphans = documents.orphan_files(older_than=before)
        spools = documents.stale_upload_spools(older_than=before)
        for name in orphans:
            self.stdout.write(name)
        for path in spools:
            self.stdout.write(f"{path} (an upload never finished)")
        if delete:
            removed = documents.remove_files(orphans)
            for path in spools:
                path.unlink(missing_ok=True)
            removed += sum(1 for path in spools if not path.exists())
            self.stdout.write(f"Removed {removed} orphan file(s).")
        else:
            self.stdout.write(
                f"{len(orphans) + len(spools)} orphan file(s); nothing removed "
                "(run with --delete to remove)."
            )
