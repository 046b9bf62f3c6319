"""Fixtures of the kernel's tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from advisory.enums import RequestState
from tests.factories import (
    ContributionFactory,
    DeliverableFactory,
    ReviewAssignmentFactory,
    request_in_state,
)
from workflows.enums import AssignmentState, DeliverableState


@pytest.fixture
def paths(db, staff, chief, ira, team_member, cepa_member):
    """A record of each kind that takes uploads, in a state that takes them."""
    deliverable = DeliverableFactory(owner=staff, state=DeliverableState.PLANNED)
    assignment = ReviewAssignmentFactory(reviewer=cepa_member, state=AssignmentState.ACCEPTED)
    request = request_in_state(
        RequestState.ANALYSIS, chief=chief, staff=staff, lead=ira, team_member=team_member
    )
    contribution = ContributionFactory(author=cepa_member)
    return SimpleNamespace(
        staff=staff,
        ira=ira,
        cepa_member=cepa_member,
        deliverable=deliverable,
        assignment=assignment,
        request=request,
        contribution=contribution,
    )
