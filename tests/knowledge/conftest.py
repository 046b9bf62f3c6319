"""Fixtures of the knowledge tests."""

import pytest

from tests.knowledge import knowledge_world


@pytest.fixture
def world(chief, staff, other_branch_staff, cepa_member) -> knowledge_world.World:
    """The small world of records in Oman, Ghana and Tunisia (see `knowledge_world`)."""
    return knowledge_world.build(
        chief=chief, staff=staff, other_branch_staff=other_branch_staff, cepa_member=cepa_member
    )
