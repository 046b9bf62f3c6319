"""Versions' texts and comparisons: read after an upload by a Celery task, stored, and read
by the preview and comparison pages and the API (`workflows.texts`, `workflows.comparison`)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from bench.text_documents import document_text, docx_bytes, revised
from cepa_collab import documents, extraction
from tests.factories import DeliverableFactory, pdf
from workflows import comparison, services, texts
from workflows.enums import DeliverableState
from workflows.models import TextStatus, VersionComparison, VersionText

SECTIONS = [
    ("Introduction", ["The survey covers every Member State.", "It is published often."]),
    ("Method", ["Indices are computed from three components."]),
]
REVISED = [
    ("Introduction", ["The survey covers all Member States.", "It is published often."]),
    ("Method", ["Indices are computed from three components."]),
]


def docx(sections, name: str = "draft.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(sections), content_type=documents.DOCX.content_type)


@pytest.fixture
def drafting(db):
    return DeliverableFactory(state=DeliverableState.DRAFTING)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --- the tasks --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_upload_reads_its_text_after_commit_and_compares_it_with_the_previous(drafting):
    owner = drafting.owner

    # the real path: after commit, the (eager) task reads in the bounded child process
    services.upload_version(owner, drafting, docx(SECTIONS))
    services.upload_version(owner, drafting, docx(REVISED))

    first, second = VersionText.objects.order_by("version__number")
    assert (first.status, second.status) == (TextStatus.READY, TextStatus.READY)
    assert [s["title"] for s in second.sections] == ["Introduction", "Method"]
    assert second.words == 2 + 6 + 4 + 6
    (compared,) = VersionComparison.objects.all()
    assert (compared.old.number, compared.new.number, compared.status) == (1, 2, "ready")
    assert (compared.added, compared.removed) == (2, 2)  # "every Member State" → "all … States"


def test_an_upload_only_asks_for_its_text_inside_the_transaction(
    drafting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = services.upload_version(drafting.owner, drafting, docx(SECTIONS))

    assert VersionText.objects.get(version=version).status == TextStatus.PENDING
    assert len([c for c in callbacks if not documents.keeps_a_file(c)]) == 1


def test_reading_twice_reads_once(drafting, monkeypatch):
    with comparison.now():
        version = services.upload_version(drafting.owner, drafting, docx(SECTIONS))
    monkeypatch.setattr(extraction, "extract_bounded", pytest.fail)

    again = texts.read_text(version.pk)

    assert again.status == TextStatus.READY


def test_the_sweep_reads_versions_without_a_text_and_those_whose_task_was_lost(
    drafting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        old = services.upload_version(drafting.owner, drafting, docx(SECTIONS))
        lost = services.upload_version(drafting.owner, drafting, docx(REVISED))
        fresh = services.upload_version(drafting.owner, drafting, docx(SECTIONS))
    VersionText.objects.filter(version=old).delete()  # uploaded before texts were read
    later = timezone.now() + texts.STALE_AFTER
    VersionText.objects.filter(version=fresh).update(updated_at=later)  # just queued

    with django_capture_on_commit_callbacks(execute=True):
        queued = texts.read_missing(now=later + datetime.timedelta(seconds=1))
    again = texts.read_missing(now=later + datetime.timedelta(seconds=2))

    assert queued == 2
    statuses = dict(VersionText.objects.values_list("version_id", "status"))
    assert statuses == {
        old.pk: TextStatus.READY,
        lost.pk: TextStatus.READY,
        fresh.pk: TextStatus.PENDING,  # its task may still run: not queued twice
    }
    assert again == 0  # claimed: the next sweep does not queue them again


def test_reading_a_version_that_is_gone_does_nothing(db):
    assert texts.read_text(10**9) is None
    assert comparison.compute(10**9) is None


def test_a_scanned_pdf_is_unreadable_and_the_comparison_says_so(drafting):
    with comparison.now():
        services.upload_version(drafting.owner, drafting, pdf("scan.pdf"))
        services.upload_version(drafting.owner, drafting, docx(SECTIONS))

    scan = VersionText.objects.get(version__number=1)
    assert (scan.status, scan.reason) == (TextStatus.UNREADABLE, extraction.SCANNED)
    assert VersionComparison.objects.get().status == TextStatus.UNREADABLE


def test_a_comparison_waits_for_both_texts(drafting):
    one = services.upload_version(drafting.owner, drafting, docx(SECTIONS))
    two = services.upload_version(drafting.owner, drafting, docx(REVISED))
    asked = comparison.request_comparison(drafting, one, two)

    assert comparison.compute(asked.pk).status == TextStatus.PENDING
    with comparison.now():
        texts.read_text(one.pk, bounded=False)
        texts.read_text(two.pk, bounded=False)  # asks again for what waited on it

    assert VersionComparison.objects.get(pk=asked.pk).status == TextStatus.READY


# --- the difference -----------------------------------------------------------------------------


def test_diff_words_counts_words_added_and_removed():
    ops, added, removed = comparison.diff_words(
        ["Same paragraph here.", "One two three four."], ["Same paragraph here.", "One 2 three."]
    )

    assert ops == [
        ["=", "Same paragraph here.\nOne"],
        ["-", "two three four."],
        ["+", "2 three."],
    ]
    assert (added, removed) == (2, 3)


def test_diff_words_of_long_texts_counts_every_change():
    old = [p for _title, ps in document_text(20) for p in ps]
    new = [p for _title, ps in revised(document_text(20), every=2) for p in ps]

    _ops, added, removed = comparison.diff_words(old, new)

    assert added > 0 and removed > 0
    rebuilt = " ".join(text for op, text in _ops if op != "-").split()
    assert rebuilt == " ".join(new).split()


def test_the_rendered_difference_escapes_the_text(drafting):
    found = VersionComparison(shown=[["=", "<b>"], ["+", "<script>x</script>"]])

    html = comparison.render(found)

    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_long_unchanged_runs_are_shown_by_their_ends():
    same = " ".join(f"w{i}" for i in range(200))

    shown = comparison.condense([["=", same], ["+", "new"]])

    head = " ".join(f"w{i}" for i in range(25))
    tail = " ".join(f"w{i}" for i in range(175, 200))
    assert shown == [["=", head], ["…", 150], ["=", tail], ["+", "new"]]
    assert "[… 150 unchanged words …]" in comparison.render(VersionComparison(shown=shown))


# --- the pages ----------------------------------------------------------------------------------


@pytest.fixture
def two_versions(drafting):
    with comparison.now():
        services.upload_version(drafting.owner, drafting, docx(SECTIONS))
        services.upload_version(drafting.owner, drafting, docx(REVISED))
    return drafting


def test_the_preview_shows_the_text_with_anchors_and_its_size(client, two_versions):
    client.force_login(two_versions.owner)

    response = client.get(f"/deliverables/{two_versions.pk}/versions/2/preview/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<section id="section-1">' in html
    assert '<a href="#section-2">Method</a>' in html
    assert "18 words, about" in html
    assert "Download version 2 (" in html


def test_the_preview_says_when_the_text_is_being_read(client, drafting):
    services.upload_version(drafting.owner, drafting, docx(SECTIONS))
    client.force_login(drafting.owner)

    response = client.get(f"/deliverables/{drafting.pk}/versions/1/preview/")

    assert "The text of this version is being read." in response.content.decode()


def test_the_preview_says_plainly_why_a_scan_cannot_be_read(client, drafting):
    with comparison.now():
        services.upload_version(drafting.owner, drafting, pdf("scan.pdf"))
    client.force_login(drafting.owner)

    response = client.get(f"/deliverables/{drafting.pk}/versions/1/preview/")

    assert "it looks like a scan" in response.content.decode()


def test_the_deliverable_page_links_the_preview_and_the_comparison(client, two_versions):
    client.force_login(two_versions.owner)

    html = client.get(f"/deliverables/{two_versions.pk}/").content.decode()

    assert f"/deliverables/{two_versions.pk}/versions/2/preview/" in html
    assert "What changed from version 1 to version 2" in html


def test_the_comparison_page_shows_the_stored_difference(client, two_versions):
    client.force_login(two_versions.owner)

    response = client.get(f"/deliverables/{two_versions.pk}/compare/?old=1&new=2")

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 words added, 2 words removed." in html
    assert '<del><span class="visually-hidden">removed: </span>every' in html


def test_the_comparison_page_says_while_it_is_prepared(client, drafting):
    services.upload_version(drafting.owner, drafting, docx(SECTIONS))
    services.upload_version(drafting.owner, drafting, docx(REVISED))
    client.force_login(drafting.owner)

    response = client.get(f"/deliverables/{drafting.pk}/compare/?old=2&new=1")

    assert "The comparison is being prepared." in response.content.decode()
    assert VersionComparison.objects.get().status == TextStatus.PENDING


def test_the_comparison_page_refuses_one_version_twice(client, two_versions):
    client.force_login(two_versions.owner)

    response = client.get(f"/deliverables/{two_versions.pk}/compare/?old=2&new=2")

    assert response.status_code == 400
    assert "Choose two different versions." in response.content.decode()
    assert VersionComparison.objects.filter(old=None).count() == 0


@pytest.mark.parametrize("pages", [1, 20])
def test_the_comparison_page_reads_the_stored_result_in_few_queries(
    client, drafting, django_assert_num_queries, pages
):
    with comparison.now():
        services.upload_version(drafting.owner, drafting, docx(document_text(pages)))
        services.upload_version(drafting.owner, drafting, docx(revised(document_text(pages))))
    client.force_login(drafting.owner)
    url = f"/deliverables/{drafting.pk}/compare/?old=1&new=2"

    with django_assert_num_queries(9):
        response = client.get(url)

    assert "words added" in response.content.decode()


# --- the API --------------------------------------------------------------------------------------


def test_the_api_gives_a_versions_text(two_versions):
    response = _client(two_versions.owner).get(
        f"/api/v1/deliverables/{two_versions.pk}/versions/1/text/"
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["words"], body["reason"]) == ("ready", 18, "")
    assert [s["anchor"] for s in body["sections"]] == ["section-1", "section-2"]


def test_the_api_compares_two_versions(two_versions):
    response = _client(two_versions.owner).get(
        f"/api/v1/deliverables/{two_versions.pk}/comparisons/?old=1&new=2"
    )

    body = response.json()
    assert (body["status"], body["added"], body["removed"]) == ("ready", 2, 2)
    assert ["-", "every"] in body["differences"]


@pytest.mark.parametrize(
    ("query", "field"), [("old=1&new=1", "new"), ("old=1", "new"), ("old=x&new=2", "old")]
)
def test_the_api_names_the_field_in_error(two_versions, query, field):
    response = _client(two_versions.owner).get(
        f"/api/v1/deliverables/{two_versions.pk}/comparisons/?{query}"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
