"""A small world with deadlines: a deliverable owned by branch staff, in review by two
CEPA members, in a branch with a chief. Time is pinned with time_machine."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cepa_collab.enums import Role
from tests import factories
from tests.factories import branch, person
from workflows import services
from workflows.enums import DeliverableKind, ProductKind

# Wednesday 2 December 2026, 06:00 UTC: before 09:00 everywhere west of UTC+3.
START = datetime.datetime(2026, 12, 2, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(db):
    return person(Role.BRANCH_STAFF, username="owner", branch_code="e-govb")


@pytest.fixture
def reviewer(db):
    return person(Role.CEPA_MEMBER, username="amina", country="GHA", time_zone="Africa/Accra")


@pytest.fixture
def second_reviewer(db):
    return person(Role.CEPA_MEMBER, username="bruno", country="BRA", time_zone="America/Sao_Paulo")


@pytest.fixture
def product(chief):
    return services.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
        lead=chief,
    )


def pdf(name: str = "draft.pdf") -> SimpleUploadedFile:
    return factories.pdf(name)


@pytest.fixture
def deliverable(clock, owner, product):
    return services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title="Chapter 3: Digital government",
        kind=DeliverableKind.CHAPTER,
        due_date=datetime.date(2027, 1, 29),
    )


@pytest.fixture
def in_review(deliverable, owner):
    services.fire_transition(owner, deliverable, "start_drafting")
    services.upload_version(owner, deliverable, pdf("draft-1.pdf"))
    return services.fire_transition(owner, deliverable, "submit_for_review")


@pytest.fixture
def assignment(in_review, owner, reviewer):
    """One review assignment due on Friday 11 December 2026."""
    (created,) = services.assign_reviewers(
        owner, in_review, [reviewer], datetime.date(2026, 12, 11)
    )
    return created
