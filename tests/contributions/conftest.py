"""Fixtures of the contribution tests."""

import pytest

from tests.contributions.contribution_fixtures import cast


@pytest.fixture
def people(db) -> dict:
    """Everyone the contribution tests try, by role (see `contribution_fixtures.cast`)."""
    return cast()
