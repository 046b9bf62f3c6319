"""No stored file outlives the record that points to it (issue 12, finding 6): a replaced
review file, a deleted record's files and a rolled-back upload's file go after commit, and
`orphan_files` reports (and with --delete removes) what was left behind otherwise."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from cepa_collab import documents
from tests.core.upload_paths import PATHS
from tests.factories import PDF_BYTES
from workflows import services as workflow
from workflows.models import AnnotatedFile


def files(settings) -> list[str]:
    return sorted(
        str(path.relative_to(settings.MEDIA_ROOT))
        for path in settings.MEDIA_ROOT.rglob("*")
        if path.is_file()
    )


def test_replaced_review_files_leave_one_file_on_disk(
    paths, client, settings, django_capture_on_commit_callbacks
):
    # given a reviewer who saves their review with a new annotated file 3 times by the
    # page and 3 times by the API
    client.force_login(paths.cepa_member)
    api = APIClient()
    api.force_authenticate(paths.cepa_member)
    path = PATHS["annotated-file"]
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            page = path.page_post(client, paths, SimpleUploadedFile(f"p{n}.pdf", PDF_BYTES))
        with django_capture_on_commit_callbacks(execute=True):
            sent = path.api_send(api, paths, SimpleUploadedFile(f"a{n}.pdf", PDF_BYTES))
        assert (page.status_code, sent.status_code) == (302, 200)

    # then only the last one is on disk
    (last,) = AnnotatedFile.objects.filter(review__assignment=paths.assignment)
    assert [name for name in files(settings) if name.startswith("reviews/")] == [last.file.name]
    assert last.original_name == "a2.pdf"


def test_a_deleted_record_s_files_go_after_commit(
    paths, settings, chief, django_capture_on_commit_callbacks
):
    # given a deliverable with two versions
    deliverable = paths.deliverable
    for name in ("one.pdf", "two.pdf"):
        workflow.upload_version(paths.staff, deliverable, SimpleUploadedFile(name, PDF_BYTES))
    stored = [v.file.name for v in deliverable.versions.all()]
    assert set(stored) <= set(files(settings))

    # when the chief deletes it (its versions go by cascade)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.delete_deliverable(chief, deliverable)

    # then their files are gone
    assert not set(stored) & set(files(settings))


def test_a_file_stored_in_a_transaction_that_rolls_back_goes(paths, settings):
    before = files(settings)

    with pytest.raises(RuntimeError), transaction.atomic():
        version = workflow.upload_version(
            paths.staff, paths.deliverable, SimpleUploadedFile("late.pdf", PDF_BYTES)
        )
        assert version.file.name in files(settings)
        raise RuntimeError("a later step fails")

    assert files(settings) == before
    # and the orphan report, looking past its age guard, finds nothing left behind
    later = timezone.now() + datetime.timedelta(hours=1)
    assert documents.orphan_files(older_than=later) == []


def test_a_file_stays_when_its_transaction_commits(paths, settings):
    with transaction.atomic():
        version = workflow.upload_version(
            paths.staff, paths.deliverable, SimpleUploadedFile("kept.pdf", PDF_BYTES)
        )

    assert version.file.name in files(settings)


def test_orphan_files_lists_by_default_and_removes_with_delete(paths, settings):
    # given a stored version, and two files nothing points to: an old one and a new one
    version = workflow.upload_version(
        paths.staff, paths.deliverable, SimpleUploadedFile("kept.pdf", PDF_BYTES)
    )
    old = settings.MEDIA_ROOT / "deliverables" / "lost.pdf"
    old.write_bytes(PDF_BYTES)
    long_ago = (timezone.now() - datetime.timedelta(hours=2)).timestamp()
    for path in (old, settings.MEDIA_ROOT / version.file.name):
        os.utime(path, (long_ago, long_ago))
    young = settings.MEDIA_ROOT / "reviews" / "in-flight.pdf"
    young.parent.mkdir(parents=True, exist_ok=True)
    young.write_bytes(PDF_BYTES)

    # when the command runs without, then with --delete
    listed, removed = io.StringIO(), io.StringIO()
    call_command("orphan_files", stdout=listed)
    assert old.exists()
    call_command("orphan_files", "--delete", stdout=removed)

    # then it names the old orphan only, and removes it only when asked
    assert listed.getvalue().splitlines() == [
        "deliverables/lost.pdf",
        "1 orphan file(s); nothing removed (run with --delete to remove).",
    ]
    assert removed.getvalue().splitlines() == [
        "deliverables/lost.pdf",
        "Removed 1 orphan file(s).",
    ]
    assert not old.exists()
    assert young.exists()
    assert (settings.MEDIA_ROOT / version.file.name).exists()
    assert documents.orphan_files(older_than=timezone.now()) == ["reviews/in-flight.pdf"]


def test_a_killed_upload_s_spooled_file_is_reported_and_removed(paths, settings, tmp_path):
    # given Django's upload spool folder holding a file a killed worker left two hours
    # ago, and one of an upload still arriving
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    left = tmp_path / "tmpk1ll3d.upload.pdf"
    left.write_bytes(PDF_BYTES)
    long_ago = (timezone.now() - datetime.timedelta(hours=2)).timestamp()
    os.utime(left, (long_ago, long_ago))
    arriving = tmp_path / "tmpn0w.upload.pdf"
    arriving.write_bytes(PDF_BYTES)

    # when the command runs without, then with --delete
    listed, removed = io.StringIO(), io.StringIO()
    call_command("orphan_files", stdout=listed)
    assert left.exists()
    call_command("orphan_files", "--delete", stdout=removed)

    # then it names the old spool only, and removes it only when asked
    assert listed.getvalue().splitlines() == [
        f"{left} (an upload never finished)",
        "1 orphan file(s); nothing removed (run with --delete to remove).",
    ]
    assert removed.getvalue().splitlines()[-1] == "Removed 1 orphan file(s)."
    assert not left.exists()
    assert arriving.exists()


def test_large_uploads_are_spooled_in_the_project_s_own_folder(settings):
    assert str(settings.VAR_DIR / "upload-tmp") == settings.FILE_UPLOAD_TEMP_DIR
