"""Plain helpers for the contribution tests: the cast, the Compendium and its volumes, and
contributions of each kind in each state, made through the services."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from cepa_collab.enums import Role
from cepa_collab.models import MemberState
from contributions import services
from contributions.enums import ContributionKind, RepositoryCategory
from contributions.models import Contribution
from tests.factories import PDF_BYTES, branch, person
from workflows import services as workflows
from workflows.enums import DeliverableKind, ProductKind

TODAY = datetime.date(2026, 3, 2)
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
REVIEW_DUE = datetime.date(2026, 3, 16)  # TODAY + CONTRIBUTION_REVIEW_DAYS (14)


def pdf(name: str = "case.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def country(iso3: str) -> MemberState:
    return MemberState.objects.get(iso3=iso3)


def cast() -> dict:
    """Everyone the permission tests try: the author (a CEPA member from Ghana), another CEPA
    member, the e-Government Branch's staff and chief, an advisor of that branch, staff of
    another branch, focal points of Oman and of Ghana, the secretariat admin, anonymous."""
    return {
        "author": person(Role.CEPA_MEMBER, username="amina", country="GHA"),
        "other_member": person(Role.CEPA_MEMBER, username="lars", country="SWE"),
        "staff": person(Role.BRANCH_STAFF, username="staff", branch_code="e-govb"),
        "chief": person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb"),
        "advisor": person(Role.INTER_REGIONAL_ADVISOR, username="ira", branch_code="e-govb"),
        "other_branch_staff": person(Role.BRANCH_STAFF, username="pacb", branch_code="pacb"),
        "focal_point": person(Role.FOCAL_POINT, username="focal", country="OMN"),
        "focal_point_ghana": person(Role.FOCAL_POINT, username="focal_gh", country="GHA"),
        "secretariat_admin": person(Role.SECRETARIAT_ADMIN, username="sofia", is_staff=True),
        "anonymous": AnonymousUser(),
    }


def compendium(chief):
    return workflows.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.COMPENDIUM,
        title="Compendium of Innovative E-Government Practices",
        edition="2027",
        lead=chief,
    )


def volume(chief, owner, product, title: str = "Compendium, volume 4"):
    return workflows.create_deliverable(
        chief,
        product=product,
        owner=owner,
        title=title,
        kind=DeliverableKind.VOLUME,
        due_date=datetime.date(2027, 6, 30),
    )


def pacb_report(pacb_staff):
    product = workflows.create_product(
        pacb_staff,
        branch=branch("pacb"),
        kind=ProductKind.REPORT,
        title="World Public Sector Report",
        edition="2027",
    )
    return product, workflows.create_deliverable(
        pacb_staff,
        product=product,
        owner=pacb_staff,
        title="WPSR chapter 2",
        kind=DeliverableKind.CHAPTER,
        due_date=datetime.date(2027, 6, 30),
    )


CASE_STUDY = {
    "title": "Ghana's national digital identity",
    "summary": "One identity card for every public service.",
    "innovation": "Issued at birth registration.",
    "transferability": "Needs only a civil register.",
    "links": "https://nia.gov.gh/",
}


def case_study(author, *, iso3: str = "GHA", **fields) -> Contribution:
    """A complete case study, still a draft."""
    values = {**CASE_STUDY, "country": country(iso3), **fields}
    return services.propose(author, kind=ContributionKind.CASE_STUDY, **values)


def repository_entry(author, *, iso3: str = "GHA", **fields) -> Contribution:
    values = {
        "title": "Ghana ICT for Accelerated Development policy",
        "country": country(iso3),
        "category": RepositoryCategory.POLICY,
        "year": 2003,
        "document_url": "https://moc.gov.gh/ict4ad.pdf",
        **fields,
    }
    return services.propose(author, kind=ContributionKind.REPOSITORY_ENTRY, **values)


def written_input(author, product, **fields) -> Contribution:
    values = {"title": "Comments on the Survey methodology", "summary": "Weigh mobile.", **fields}
    return services.propose(author, kind=ContributionKind.WRITTEN_INPUT, product=product, **values)


def submitted(contribution: Contribution) -> Contribution:
    return services.fire_transition(contribution.author, contribution, "submit")


def under_review(contribution: Contribution, reviewer) -> Contribution:
    submitted(contribution)
    return services.fire_transition(reviewer, contribution, "start_review")


def accepted(contribution: Contribution, reviewer, comment: str = "") -> Contribution:
    under_review(contribution, reviewer)
    return services.fire_transition(reviewer, contribution, "accept", comment=comment)


def returned(contribution: Contribution, reviewer, comment: str = "Add figures.") -> Contribution:
    under_review(contribution, reviewer)
    return services.fire_transition(reviewer, contribution, "return_for_revision", comment=comment)


def fetch(contribution: Contribution) -> Contribution:
    return Contribution.objects.get(pk=contribution.pk)
