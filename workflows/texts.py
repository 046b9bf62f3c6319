"""The text of each version, read once after upload (issue 16, items 5 and 6).

`version_uploaded` (called by `services.upload_version`) stores a pending `VersionText`
and, after commit, enqueues the Celery task that reads the file in a bounded child process
(`cepa_collab.extraction.extract_bounded`) and stores the result (`read_text`): its
sections, words and characters, or why it cannot be read. A new version's text is then
compared with the previous version's (`workflows.comparison`).

Who may read a text is who may see the version (`workflows.queries.visible_versions`):
the pages and the API load the version through `queries.get_version_for_user` first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from celery import current_app
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cepa_collab import extraction
from workflows import comparison
from workflows.models import TextStatus, Version, VersionText

EXTRACT_TASK = "workflows.extract_version_text"
# A text still pending this long after its last queueing lost its task (a broker restart):
# the sweep queues it again. Longer than a reading may take (its child's timeout).
STALE_AFTER = datetime.timedelta(minutes=15)
SWEEP_BATCH = 200

REASON_MESSAGES = {
    extraction.SCANNED: _(
        "This PDF has no text to read: it looks like a scan (images of pages). "
        "Download the file to read it."
    ),
    extraction.ENCRYPTED: _("This file is protected by a password: its text cannot be read."),
    extraction.DAMAGED: _("This file could not be opened to read its text (damaged?)."),
    extraction.EMPTY: _("This file contains no text."),
    extraction.TOO_BIG: _("This file needs too much memory to read its text."),
    extraction.TOO_SLOW: _("Reading this file's text took too long and was stopped."),
    extraction.UNSUPPORTED: _("The text of this type of file is not read."),
}


def reason_message(code: str):
    return REASON_MESSAGES.get(code, REASON_MESSAGES[extraction.DAMAGED])


def _kind(version: Version) -> str:
    return version.extension if version.extension in extraction.KINDS else ""


def version_uploaded(version: Version) -> VersionText:
    """A new version: its text is pending, and read after commit."""
    text, _created = VersionText.objects.get_or_create(version=version)
    pk = version.pk
    if comparison.is_now():
        return read_text(pk, bounded=False)
    transaction.on_commit(lambda: current_app.tasks[EXTRACT_TASK].delay(version_id=pk))
    return text


def read_missing(now: datetime.datetime | None = None) -> int:
    """Beat: queue the reading of versions that have no text yet (uploaded before texts
    were read) or whose pending text lost its task; each is claimed (its pending row
    stamped now) before it is queued, so a sweep queues it once. Returns how many."""
    now = now or timezone.now()
    missing = list(
        Version.objects.filter(text__isnull=True).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    VersionText.objects.bulk_create(
        [VersionText(version_id=pk) for pk in missing], ignore_conflicts=True
    )
    stale = list(
        VersionText.objects.filter(status=TextStatus.PENDING, updated_at__lt=now - STALE_AFTER)
        .exclude(version_id__in=missing)
        .values_list("version_id", flat=True)[:SWEEP_BATCH]
    )
    VersionText.objects.filter(version_id__in=stale).update(updated_at=now)
    queued = [*missing, *stale]
    for pk in queued:
        transaction.on_commit(lambda pk=pk: current_app.tasks[EXTRACT_TASK].delay(version_id=pk))
    return len(queued)


def read_text(version_id: int, *, bounded: bool = True) -> VersionText | None:
    """Read and store the text of a version (the Celery task); `None` if it is gone.
    `bounded=False` reads in this process (the demo's own small files)."""
    version = Version.objects.select_related("deliverable").filter(pk=version_id).first()
    if version is None:
        return None
    text, _created = VersionText.objects.get_or_create(version=version)
    if text.status != TextStatus.PENDING:
        return text  # read already (the task ran twice)
    try:
        with version.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        result = extraction.Unreadable(extraction.DAMAGED)
    else:
        read = extraction.extract_bounded if bounded else extraction.extract
        result = read(data, _kind(version))
    if isinstance(result, extraction.Unreadable):
        fields = {"status": TextStatus.UNREADABLE, "reason": result.reason}
    else:
        fields = {
            "status": TextStatus.READY,
            "reason": "",
            "sections": [section.as_dict() for section in result.sections],
            "words": result.words,
            "chars": len(result.text),
            "truncated": result.truncated,
        }
    # Claim, then store: a second run finds it no longer pending.
    VersionText.objects.filter(pk=text.pk, status=TextStatus.PENDING).update(**fields)
    text.refresh_from_db()
    previous = (
        version.deliverable.versions.filter(number__lt=version.number).order_by("number").last()
    )
    with transaction.atomic():
        if previous is not None:
            comparison.request_comparison(version.deliverable, previous, version)
        comparison.texts_ready(version)
    return text


# --- the preview -------------------------------------------------------------------------------


@dataclass
class PreviewSection:
    anchor: str
    title: str
    level: int
    paragraphs: list[str]


def section_title(section: dict):
    """A section's heading as the reader sees it (pages, sheets and slides in their
    language)."""
    kind, number, title = section.get("kind"), section.get("number", 0), section.get("title", "")
    if kind == extraction.PAGE:
        return format_lazy(_("Page {number}"), number=number)
    if kind == extraction.SLIDE:
        return (
            format_lazy(_("Slide {number}: {title}"), number=number, title=title)
            if title
            else format_lazy(_("Slide {number}"), number=number)
        )
    if kind == extraction.SHEET:
        return format_lazy(_("Sheet {number}: {title}"), number=number, title=title)
    return title


def preview(text: VersionText) -> list[PreviewSection]:
    """The sections of a ready text, each with its anchor (`section-1`, `section-2`…)."""
    return [
        PreviewSection(
            anchor=f"section-{index}",
            title=str(section_title(section)),
            level=min(max(int(section.get("level", 1)), 1), 4),
            paragraphs=section.get("paragraphs", []),
        )
        for index, section in enumerate(text.sections, start=1)
    ]
