"""The review workflow in a real browser: a CEPA member downloads the draft assigned to
them and submits a review; the chief is told, sees it on the dashboard and decides in the
one decision form of the deliverable page (approve; or return, with the reason).

Every page these tests land on is checked with axe-core (see conftest.Site).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from cepa_collab.enums import Role
from notifications.models import Notification
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

    # They accept, declaring no conflict of interest, then write the review and submit it.
    member.visit(
        page.get_by_role("link", name=f"Accept the review of {TITLE}").get_attribute("href")
    )
    page.get_by_label("I have no conflict of interest", exact=False).check()
    member.submit(page.get_by_role("button", name="Accept the review"))
    page.get_by_label("Ready", exact=True).check()
    page.get_by_label("Comments for the owner", exact=True).fill(
        "Clear and well sourced; ready to publish."
    )
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
    main = chief.page.locator("main")
    expect(main).to_contain_text("Clear and well sourced")
    expect(chief.page.locator(".step-list [aria-current=step]")).to_contain_text("Decision")
    # The reviews and their summary come first, then one decision form.
    decision = chief.page.locator("form#decision")
    expect(decision.get_by_role("radio")).to_have_count(2)
    decision.get_by_label("Approve", exact=True).check()
    decision.get_by_label("Reason or comment").fill("Thank you, Amina.")
    chief.submit(decision.get_by_role("button", name="Record the decision"))

    deliverable.refresh_from_db()
    assert deliverable.state == DeliverableState.APPROVED
    expect(main).to_contain_text(f"{TITLE} is approved. Next: publish it.")
    # Approved: the decision stands, cancelling is no longer offered, and the page says why.
    expect(chief.page.get_by_role("link", name="Cancel the deliverable…")).to_have_count(0)
    expect(main).to_contain_text("An approved deliverable can no longer be cancelled.")
    assert Deliverable.objects.get(pk=deliverable.pk).history.last().comment == (
        "Thank you, Amina."
    )
    # The chief was told the deliverable was ready for the decision, with the recommendation.
    notice = Notification.objects.get(user=cast["chief"], kind="decision_ready")
    assert notice.body.endswith("– Amina Mensah: Ready")


def test_chief_returns_the_draft_with_a_reason_from_the_one_decision_form(open_site, cast):
    deliverable = cast["deliverable"]
    chief = open_site()
    sign_in_cookie(chief, cast["chief"])
    chief.visit(f"/deliverables/{deliverable.pk}/")
    decision = chief.page.locator("form#decision")

    # Returning without a reason is refused, the error summary says so.
    decision.get_by_label("Return for revision").check()
    with chief.page.expect_navigation() as refused:
        decision.get_by_role("button", name="Record the decision").click()
    assert refused.value.status == 400
    chief.check_accessibility()
    expect(chief.page.locator(".error-summary")).to_contain_text("Give a reason.")

    decision = chief.page.locator("form#decision")
    decision.get_by_label("Return for revision").check()
    decision.get_by_label("Reason or comment").fill("Wait for Amina's review.")
    chief.submit(decision.get_by_role("button", name="Record the decision"))

    deliverable.refresh_from_db()
    assert deliverable.state == DeliverableState.REVISING
    expect(chief.page.locator("main")).to_contain_text(
        f"{TITLE} was returned to Elena Marchetti for revision."
    )
