"""Review rounds that build on each other, in a real browser (issue 16): round 1 is
returned; the owner answers the reviews and sends version 2; a new reviewer of round 2
reads what changed and the owner's response, declares no conflict, scores each criterion
and submits; the chief decides from the scores per criterion.

Every page these tests land on is checked with axe-core (see conftest.Site).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from bench.text_documents import docx_bytes
from cepa_collab import documents
from cepa_collab.enums import Role
from tests.browser.conftest import sign_in_cookie
from tests.factories import branch, person
from workflows import services
from workflows.enums import DeliverableState, Recommendation
from workflows.models import CriterionScore, Deliverable, Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Chapter 4: Data governance"
FIRST = [
    ("Introduction", ["Every Member State collects data on its public services."]),
    ("Method", ["We surveyed ministries in each region over two years."]),
]
SECOND = [
    ("Introduction", ["All Member States collect data on their public services."]),
    ("Method", ["We surveyed ministries in each region over two years."]),
]
RESPONSE = "Thank you: the introduction now speaks of all Member States."


def docx(sections, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(sections), content_type=documents.DOCX.content_type)


@pytest.fixture
def returned():
    """A Survey chapter whose round 1 (Amina's review) the chief returned for revision."""
    chief = person(
        Role.BRANCH_CHIEF, username="chief", first_name="Vincenzo", last_name="Aquaro",
        branch_code="e-govb",
    )  # fmt: skip
    owner = person(
        Role.BRANCH_STAFF, username="elena", first_name="Elena", last_name="Marchetti",
        branch_code="e-govb",
    )  # fmt: skip
    amina = person(Role.CEPA_MEMBER, username="amina", first_name="Amina", last_name="Mensah")
    palesa = person(Role.CEPA_MEMBER, username="palesa", first_name="Palesa", last_name="Dlamini")
    product = services.create_product(
        owner, branch=branch("e-govb"), kind="survey", title="UN E-Government Survey"
    )
    deliverable = services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title=TITLE,
        kind="chapter",
        due_date=datetime.date.today() + datetime.timedelta(days=60),
    )
    services.fire_transition(owner, deliverable, "start_drafting")
    services.upload_version(owner, deliverable, docx(FIRST, "draft-1.docx"), "First")
    services.fire_transition(owner, deliverable, "submit_for_review")
    (first,) = services.assign_reviewers(
        owner, deliverable, [amina], datetime.date.today() + datetime.timedelta(days=14)
    )
    services.accept_assignment(amina, first)
    services.save_review(
        amina,
        first,
        recommendation=Recommendation.MINOR_REVISION,
        comments="Say all Member States, not every one of them.",
        submit=True,
    )
    services.fire_transition(
        chief, deliverable, "return_for_revision", comment="Please take Amina's point."
    )
    return {"chief": chief, "owner": owner, "amina": amina, "palesa": palesa, "d": deliverable}


def test_a_second_round_builds_on_the_first_and_the_chief_decides_from_the_scores(
    open_site, returned
):
    deliverable = returned["d"]
    url = f"/deliverables/{deliverable.pk}/"

    # The owner answers round 1's review, point by point, on the deliverable's page.
    owner = open_site()
    sign_in_cookie(owner, returned["owner"])
    owner.visit(url)
    owner.visit(owner.page.get_by_role("link", name="Respond to the reviews").get_attribute("href"))
    owner.page.get_by_label("Your response to the reviews").fill(RESPONSE)
    owner.page.get_by_label("Reply to the review by Amina Mensah", exact=False).fill("Done.")
    owner.submit(owner.page.get_by_role("button", name="Save the response"))

    # Then sends version 2 to a new reviewer in one step.
    owner.visit(f"/deliverables/{deliverable.pk}/send-for-review/")
    page = owner.page
    page.get_by_label("Draft file").set_input_files(
        files=[
            {
                "name": "draft-2.docx",
                "mimeType": documents.DOCX.content_type,
                "buffer": docx_bytes(SECOND),
            }
        ]
    )
    page.get_by_label("Palesa Dlamini").check()
    due = datetime.date.today() + datetime.timedelta(days=14)
    page.get_by_label("Reviews due").fill(due.isoformat())
    owner.submit(page.get_by_role("button", name="Send for review"))
    deliverable.refresh_from_db()
    assert deliverable.state == DeliverableState.IN_REVIEW
    assert deliverable.rounds.count() == 2

    # The round-2 reviewer accepts, declaring no conflict of interest.
    reviewer = open_site()
    sign_in_cookie(reviewer, returned["palesa"])
    reviewer.visit("/reviews/")
    page = reviewer.page
    reviewer.visit(
        page.get_by_role("link", name=f"Accept the review of {TITLE}").get_attribute("href")
    )
    page.get_by_label("I have no conflict of interest", exact=False).check()
    reviewer.submit(page.get_by_role("button", name="Accept the review"))

    # On the review page: the criteria, round 1 with the owner's response, but not yet
    # Amina's review (blind until Palesa's own is in).
    main = page.locator("main")
    expect(main).to_contain_text("Earlier rounds")
    expect(main).to_contain_text(RESPONSE)
    expect(main).not_to_contain_text("Say all Member States")
    review_page = reviewer.path

    # What changed between the two versions, word by word, read on the page.
    reviewer.visit(
        page.get_by_role("link", name="What changed from version 1 to version 2").get_attribute(
            "href"
        )
    )
    expect(main).to_contain_text("words added")
    expect(main.locator("ins").first).to_contain_text("All")
    expect(main.locator("del").first).to_contain_text("Every")
    # On a phone the comparison reflows: nothing wider than the window at 320 px.
    page.set_viewport_size({"width": 320, "height": 640})
    width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window
    page.set_viewport_size({"width": 1280, "height": 800})

    # Scores each criterion of the Survey's form and submits.
    reviewer.visit(review_page)
    for criterion, score in (
        ("Methodology", "4"),
        ("Data quality", "3"),
        ("Clarity", "5"),
        ("Policy relevance", "4"),
    ):
        page.get_by_role("group", name=criterion).get_by_label(score, exact=True).check()
    page.get_by_label("Ready", exact=True).check()
    page.get_by_label("Comments for the owner", exact=True).fill("The point is taken; ready.")
    reviewer.submit(page.get_by_role("button", name="Submit review"))
    review = Review.objects.get(assignment__reviewer=returned["palesa"])
    assert review.recommendation == Recommendation.READY
    assert CriterionScore.objects.filter(review=review).count() == 4
    # Submitted: Amina's round-1 review is now in view.
    expect(main).to_contain_text("Say all Member States")

    # The chief decides from the scores per criterion beside the recommendations.
    chief = open_site()
    sign_in_cookie(chief, returned["chief"])
    chief.visit(url)
    scores = chief.page.get_by_role("region", name="From 1 submitted review")
    expect(scores).to_contain_text("Methodology")
    expect(scores).to_contain_text("Policy relevance")
    expect(chief.page.locator("main")).to_contain_text(RESPONSE)
    decision = chief.page.locator("form#decision")
    decision.get_by_label("Approve", exact=True).check()
    chief.submit(decision.get_by_role("button", name="Record the decision"))
    assert Deliverable.objects.get(pk=deliverable.pk).state == DeliverableState.APPROVED
