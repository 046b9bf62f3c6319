"""The review workflow in a real browser: a CEPA member downloads the draft assigned to
them and submits a review; the chief sees it on the dashboard and approves.

Every page these tests land on is checked with axe-core (see conftest.Site).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from cepa_collab.enums import Role
from tests.browser.conftest import sign_in_cookie
from tests.factories import PDF_BYTES as PDF
from tests.factories import branch, person
from workflows import services
from workflows.enums import AssignmentState, DeliverableState, ReviewStatus
from workflows.models import Deliverable, Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Chapter 3: Digital government for all"


@pytest.fixture
def cast():
    chief = person(
        Role.BRANCH_CHIEF,
        username="chief",
        first_name="Vincenzo",
        last_name="Aquaro",
        branch_code="e-govb",
    )
    owner = person(
        Role.BRANCH_STAFF,
        username="elena",
        first_name="Elena",
        last_name="Marchetti",
        branch_code="e-govb",
    )
    amina = person(
        Role.CEPA_MEMBER, username="amina", first_name="Amina", last_name="Mensah", country="GHA"
    )
    product = services.create_product(
        owner,
        branch=branch("e-govb"),
        kind="survey",
        title="UN E-Government Survey",
        edition="2026",
    )
    deliverable = services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title=TITLE,
        kind="chapter",
        due_date=datetime.date.today() + datetime.timedelta(days=30),
    )
    services.fire_transition(owner, deliverable, "start_drafting")
    services.upload_version(owner, deliverable, SimpleUploadedFile("draft.pdf", PDF), "First")
    services.fire_transition(owner, deliverable, "submit_for_review")
    services.assign_reviewers(
        owner, deliverable, [amina], datetime.date.today() + datetime.timedelta(days=14)
    )
    return {"chief": chief, "owner": owner, "amina": amina, "deliverable": deliverable}


def test_member_reviews_the_draft_and_the_chief_approves_it(open_site, cast):
    deliverable = cast["deliverable"]

    # The CEPA member finds the draft among their reviews and downloads it.
    member = open_site()
    sign_in_cookie(member, cast["amina"])
    member.visit("/reviews/")
    page = member.page
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=TITLE))
    expect(card).to_contain_text("Invited")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download version 1").click()
    download = info.value
    assert download.suggested_filename == "chapter-3-digital-government-for-all-v1.pdf"
    assert Path(download.path()).read_bytes() == PDF

    # They accept, write the review and submit it.
    member.submit(page.get_by_role("button", name=f"Accept the review of {TITLE}"))
    member.visit(
        page.get_by_role("link", name=f"Write the review of {TITLE}").get_attribute("href")
    )
    page.get_by_label("Ready", exact=True).check()
    page.get_by_label("Comments").fill("Clear and well sourced; ready to publish.")
    member.submit(page.get_by_role("button", name="Submit review"))
    review = Review.objects.get(assignment__reviewer=cast["amina"])
    assert (review.status, review.recommendation) == (ReviewStatus.SUBMITTED, "ready")
    assert review.assignment.state == AssignmentState.SUBMITTED

    # The chief sees it waiting for a decision on the dashboard, opens it and approves.
    chief = open_site()
    sign_in_cookie(chief, cast["chief"])
    chief.visit("/dashboard/")
    waiting = chief.page.get_by_role("region", name="Deliverables waiting for a decision")
    expect(waiting).to_contain_text(TITLE)
    chief.visit(waiting.get_by_role("link", name=TITLE).get_attribute("href"))
    expect(chief.page.locator("main")).to_contain_text("Clear and well sourced")
    approve = chief.page.locator("form", has=chief.page.get_by_role("heading", name="Approve"))
    approve.get_by_label("Comment").fill("Thank you, Amina.")
    chief.submit(approve.get_by_role("button", name="Approve"))

    deliverable.refresh_from_db()
    assert deliverable.state == DeliverableState.APPROVED
    expect(chief.page.locator("main")).to_contain_text("Approved")
    assert Deliverable.objects.get(pk=deliverable.pk).history.last().comment == (
        "Thank you, Amina."
    )
