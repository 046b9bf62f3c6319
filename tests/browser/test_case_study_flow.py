"""The knowledge value chain in a real browser: a CEPA member proposes a case study about
Ghana; e-GovB staff review and accept it, incorporate it into a Compendium volume and link
it from the volume's page; Ghana's country page then shows it to both of them.

Every page these tests land on is checked with axe-core (see conftest.Site).
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from cepa_collab.enums import Role
from contributions.enums import ContributionKind, ContributionState
from contributions.models import Contribution
from knowledge.models import KnowledgeLink
from tests.browser.conftest import sign_in_cookie
from tests.factories import branch, person
from workflows import services
from workflows.enums import DeliverableKind, ProductKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Ghana.gov: one portal for every public payment"
VOLUME = "Volume 2: Digital public infrastructure in Africa"
KIND = "Case study for the Compendium"
LINK = "https://www.ghana.gov.gh/"


@pytest.fixture
def cast():
    elena = person(
        Role.BRANCH_STAFF,
        username="elena",
        first_name="Elena",
        last_name="Marchetti",
        branch_code="e-govb",
    )
    amina = person(
        Role.CEPA_MEMBER, username="amina", first_name="Amina", last_name="Mensah", country="GHA"
    )
    compendium = services.create_product(
        elena,
        branch=branch("e-govb"),
        kind=ProductKind.COMPENDIUM,
        title="Compendium of Innovative E-Government Practices",
        edition="2026",
    )
    volume = services.create_deliverable(
        elena,
        product=compendium,
        owner=elena,
        title=VOLUME,
        kind=DeliverableKind.VOLUME,
        due_date=datetime.date.today() + datetime.timedelta(days=60),
    )
    return {"elena": elena, "amina": amina, "compendium": compendium, "volume": volume}


def test_member_proposes_a_case_study_staff_accept_it_and_it_shows_on_the_country_page(
    open_site, cast
):
    volume = cast["volume"]
    volume_option = f"{VOLUME} ({cast['compendium']})"

    # The CEPA member proposes a case study about Ghana and submits it.
    member = open_site()
    sign_in_cookie(member, cast["amina"])
    member.visit("/contributions/")
    page = member.page
    propose = page.get_by_role("region", name="Propose a contribution")
    member.visit(propose.get_by_role("link", name=KIND).get_attribute("href"))
    assert member.path == "/contributions/new/?kind=case_study"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Propose: {KIND}")
    page.get_by_label("Country").select_option(label="Ghana")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Citizens pay every government service in one place.")
    page.get_by_label("What is innovative").fill("Mobile money and cards behind one account.")
    page.get_by_label("Why it is transferable and adaptable").fill(
        "Built on open standards any government can adopt."
    )
    page.get_by_label("Links").fill(LINK)
    member.submit(page.get_by_role("button", name="Save and submit"))

    contribution = Contribution.objects.get(title=TITLE)
    assert member.path == f"/contributions/{contribution.pk}/"
    expect(page.get_by_role("status").first).to_contain_text(
        "Your contribution was submitted: the branch's staff will review it."
    )
    assert (contribution.kind, contribution.state, contribution.author) == (
        ContributionKind.CASE_STUDY,
        ContributionState.SUBMITTED,
        cast["amina"],
    )
    assert (contribution.country.iso3, contribution.branch.code) == ("GHA", "e-govb")
    assert contribution.link_list() == [LINK]

    # Branch staff find it in the list, open it and start the review.
    staff = open_site()
    sign_in_cookie(staff, cast["elena"])
    staff.visit("/contributions/")
    row = staff.page.get_by_role("row", name=TITLE)
    expect(row.locator("td")).to_have_text(
        [
            "Submitted",
            re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4} in \d+ days$"),
            KIND,
            "Ghana",
            "Amina Mensah",
            re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$"),
        ]
    )
    staff.visit(row.get_by_role("link", name=TITLE).get_attribute("href"))
    page = staff.page
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    staff.submit(page.get_by_role("button", name="Start review", exact=True))
    expect(page.get_by_role("status").first).to_contain_text("Done: Start review.")
    contribution.refresh_from_db()
    assert (contribution.state, contribution.reviewer) == (
        ContributionState.UNDER_REVIEW,
        cast["elena"],
    )

    # They accept it with a comment for the author.
    accept = page.get_by_role("form", name="Accept", exact=True)
    accept.get_by_label("Comments for the author").fill("A strong case; it goes into Volume 2.")
    staff.submit(accept.get_by_role("button", name="Accept", exact=True))
    expect(page.get_by_role("status").first).to_contain_text("Done: Accept.")
    contribution.refresh_from_db()
    assert (contribution.state, contribution.review_comment) == (
        ContributionState.ACCEPTED,
        "A strong case; it goes into Volume 2.",
    )

    # They record that it went into the Compendium volume.
    incorporate = page.get_by_role("form", name="Incorporate into a deliverable")
    incorporate.get_by_label("Deliverable").select_option(label=volume_option)
    staff.submit(incorporate.get_by_role("button", name="Record it"))
    expect(page.get_by_role("status").first).to_contain_text(
        f"Recorded: the contribution was incorporated into “{VOLUME}”."
    )
    contribution.refresh_from_db()
    assert (contribution.state, contribution.incorporated_into) == (
        ContributionState.ACCEPTED,
        volume,
    )

    # The volume's page shows what it draws on; from there they also cite the case study.
    staff.visit(page.get_by_role("link", name=VOLUME).get_attribute("href"))
    assert staff.path == f"/deliverables/{volume.pk}/"
    draws_on = page.get_by_role("region", name="Draws on / informed by")
    expect(draws_on.get_by_role("listitem")).to_have_text(
        [f"{KIND}: {TITLE} (Ghana) — incorporated"]
    )
    staff.visit(
        draws_on.get_by_role("link", name="Link a request or a contribution").get_attribute("href")
    )
    cites = page.get_by_role("region", name="Cites an accepted contribution")
    cites.get_by_label("Accepted contribution").select_option(label=f"Ghana: {TITLE} ({KIND})")
    cites.get_by_label("How the deliverable uses it (optional)").fill("Chapter 4, box 4.2")
    staff.submit(cites.get_by_role("button", name="Link the contribution"))
    assert staff.path == f"/deliverables/{volume.pk}/"
    expect(page.get_by_role("status").first).to_contain_text(f"“{VOLUME}” now draws on “{TITLE}”.")
    expect(draws_on.get_by_role("listitem")).to_have_text(
        [f"{KIND}: {TITLE} (Ghana) — incorporated Chapter 4, box 4.2 Unlink “{TITLE}”"]
    )
    link = KnowledgeLink.objects.get()
    assert (link.deliverable, link.contribution, link.request, link.note) == (
        volume,
        contribution,
        None,
        "Chapter 4, box 4.2",
    )

    # Ghana's page shows the case study and the volume it went into.
    staff.visit("/countries/GHA/")
    case_studies = page.get_by_role("region", name="Contributions and Compendium case studies")
    row = case_studies.get_by_role("row", name=TITLE)
    expect(row.get_by_role("rowheader")).to_have_text(TITLE)
    expect(row.locator("td")).to_have_text(
        [KIND, "Amina Mensah", "Accepted", f"Incorporated into {VOLUME}"]
    )
    expect(row.get_by_role("link", name=VOLUME)).to_have_attribute(
        "href", f"/deliverables/{volume.pk}/"
    )

    # So does the member's, who is not shown the volume (they do not see the deliverable).
    member.visit("/countries/GHA/")
    page = member.page
    case_studies = page.get_by_role("region", name="Contributions and Compendium case studies")
    row = case_studies.get_by_role("row", name=TITLE)
    expect(row.get_by_role("link", name=TITLE)).to_have_attribute(
        "href", f"/contributions/{contribution.pk}/"
    )
    expect(row.locator("td")).to_have_text([KIND, "Amina Mensah", "Accepted", "—"])
