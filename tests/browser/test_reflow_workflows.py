"""The review workflow's pages reflow at 320 CSS px (WCAG 1.4.10): the document is never
wider than the window; a wide table scrolls inside its own labelled region instead.

Every page is also checked with axe-core (see conftest.Site).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cepa_collab.enums import Role
from tests.browser.conftest import sign_in_cookie
from tests.factories import PDF_BYTES as PDF
from tests.factories import branch, person
from workflows import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Long words are what push a narrow page sideways.
TITLE = "Chapter 3: Interoperability-by-design for whole-of-government digital transformation"
PHONE = {"width": 320, "height": 800}


@pytest.fixture
def world():
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
        last_name="Marchetti-Rossi",
        branch_code="e-govb",
    )
    amina = person(
        Role.CEPA_MEMBER, username="amina", first_name="Amina", last_name="Mensah", country="GHA"
    )
    product = services.create_product(
        owner,
        branch=branch("e-govb"),
        kind="survey",
        title="United Nations E-Government Survey",
        edition="2026",
    )
    today = datetime.date.today()
    deliverable = services.create_deliverable(
        owner, product=product, owner=owner, title=TITLE, kind="chapter", due_date=today
    )
    services.fire_transition(owner, deliverable, "start_drafting")
    services.upload_version(
        owner,
        deliverable,
        SimpleUploadedFile("draft.pdf", PDF),
        "First complete draft, with the country tables and the methodology annex",
    )
    services.fire_transition(owner, deliverable, "submit_for_review")
    services.assign_reviewers(owner, deliverable, [amina], today + datetime.timedelta(days=14))
    services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title="Chapter 4: Local e-government",
        kind="chapter",
        due_date=today + datetime.timedelta(days=40),
    )
    return {"chief": chief, "owner": owner, "amina": amina, "deliverable": deliverable}


def overflow(site) -> int:
    """How many CSS pixels the document is wider than the window (0 when it reflows)."""
    return site.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize(
    ("who", "paths"),
    [
        ("chief", ["/deliverables/", "/deliverables/{pk}/", "/dashboard/"]),
        ("chief", ["/deliverables/{pk}/cancel/", "/deliverables/{pk}/reviewers/"]),
        ("amina", ["/reviews/", "/deliverables/{pk}/", "/notifications/"]),
    ],
)
def test_workflow_pages_are_never_wider_than_a_320_px_window(open_site, world, who, paths):
    site = open_site()
    site.page.set_viewport_size(PHONE)
    sign_in_cookie(site, world[who])

    widths = {}
    for path in paths:
        site.visit(path.format(pk=world["deliverable"].pk))
        widths[path] = overflow(site)

    assert widths == dict.fromkeys(paths, 0)
