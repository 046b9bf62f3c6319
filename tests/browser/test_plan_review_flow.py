"""The review round of a plan of action in a real browser: the lead Inter-Regional Advisor
sends Oman's drafted plan to review from the request's page, chooses a CEPA member as
reviewer on the review's page, the member finds it among their reviews; the request's page
then shows the round and the history — and the country's focal point sees neither.

Every page these tests land on is checked with axe-core (see conftest.Site).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from advisory import services as advisory
from advisory.enums import DocumentKind, RequestKind
from cepa_collab.enums import Role
from tests.browser.conftest import sign_in_cookie
from tests.factories import PDF_BYTES as PDF
from tests.factories import branch, member_state, person
from workflows.enums import AssignmentState, DeliverableState
from workflows.models import ReviewAssignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Assessment of the e-Oman programme"
PLAN = "Plan of action: Oman, Assessment of the e-Oman programme"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def cast():
    chief = person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb")
    staff = person(Role.BRANCH_STAFF, username="staff", branch_code="e-govb")
    ira = person(
        Role.INTER_REGIONAL_ADVISOR,
        username="ira",
        first_name="Ines",
        last_name="Rahal",
        branch_code="e-govb",
    )
    amina = person(
        Role.CEPA_MEMBER, username="amina", first_name="Amina", last_name="Mensah", country="GHA"
    )
    focal = person(Role.FOCAL_POINT, username="focal", country="OMN")
    request = advisory.register_request(
        staff,
        country=member_state("OMN"),
        branch=branch("e-govb"),
        kind=RequestKind.ASSESSMENT,
        channel="letter",
        received_on=timezone.localdate() - datetime.timedelta(days=60),
        title=TITLE,
        description="Assess the national e-government programme.",
    )
    advisory.fire_transition(chief, request, "accept", lead=ira)
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=20)
    advisory.schedule_mission(
        ira,
        request,
        start=start,
        end=start + datetime.timedelta(days=3),
        time_zone="Asia/Muscat",
        location="Muscat",
    )
    advisory.fire_transition(ira, request, "complete_mission")
    advisory.fire_transition(ira, request, "start_analysis")
    advisory.upload_document(ira, request, DocumentKind.PLAN_OF_ACTION, _pdf("plan.pdf"))
    advisory.fire_transition(ira, request, "draft_plan", comment="Shared with the Ministry.")
    return {"ira": ira, "amina": amina, "focal": focal, "request": request}


def test_lead_sends_the_plan_to_review_and_a_cepa_member_gets_it(open_site, cast):
    request = cast["request"]
    final = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    reviews_due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    # The lead sends the drafted plan to review from the request's page.
    lead = open_site()
    sign_in_cookie(lead, cast["ira"])
    lead.visit(f"/advisory-requests/{request.pk}/")
    page = lead.page
    section = page.get_by_role("region", name="Review of the plan of action")
    form = section.get_by_role("form", name="Send the plan of action to review")
    # The first time, the date is required (the browser says so before any round trip).
    due = form.get_by_label("The reviewed plan is due on")
    expect(due).to_have_attribute("required", "")
    due.fill(final)
    lead.submit(form.get_by_role("button", name="Send to review"))

    # The review's page: a deliverable in review, where the lead chooses the reviewers.
    request.refresh_from_db()
    deliverable = request.plan_review
    assert lead.path == f"/deliverables/{deliverable.pk}/"
    assert deliverable.state == DeliverableState.IN_REVIEW
    expect(page.get_by_role("heading", level=1)).to_have_text(PLAN)
    expect(page.get_by_role("status").first).to_contain_text("The plan of action is in review.")
    expect(page.get_by_role("link", name=TITLE)).to_have_attribute(
        "href", f"/advisory-requests/{request.pk}/"
    )
    lead.visit(page.get_by_role("link", name="Choose reviewers").get_attribute("href"))
    page.get_by_label("Amina Mensah").check()
    # (the chooser's search has a due date of its own: the form's is the one to fill)
    page.locator("#id_due_date").fill(reviews_due)
    lead.submit(page.get_by_role("button", name="Assign"))
    assignment = ReviewAssignment.objects.get(deliverable=deliverable)
    assert (assignment.reviewer, assignment.state, assignment.due_date.isoformat()) == (
        cast["amina"],
        AssignmentState.INVITED,
        reviews_due,
    )

    # The CEPA member finds the plan among their reviews.
    member = open_site()
    sign_in_cookie(member, cast["amina"])
    member.visit("/reviews/")
    expect(member.page.get_by_role("heading", level=2, name=PLAN)).to_be_visible()

    # Back on the request's page: the round and the history.
    lead.visit(f"/advisory-requests/{request.pk}/")
    section = page.get_by_role("region", name="Review of the plan of action")
    expect(section).to_contain_text("Round 1, open")
    expect(section).to_contain_text("1 assigned, 0 submitted")
    expect(section.get_by_role("form", name="Send the plan of action to review")).to_have_count(0)
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("Plan of action, version 1, sent to review (round 1).")
    expect(history).to_contain_text("Shared with the Ministry.")

    # The country's focal point reads the plan, but not its review nor the history.
    country = open_site()
    sign_in_cookie(country, cast["focal"])
    country.visit(f"/advisory-requests/{request.pk}/")
    expect(country.page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(country.page.get_by_role("region", name="Review of the plan of action")).to_have_count(0)
    expect(country.page.get_by_role("region", name="History")).to_have_count(0)
    assert "Shared with the Ministry." not in country.page.content()
