"""Markers shared by test modules."""

import os

import pytest
from django.db import connection


def needs_postgresql(why: str):
    """Skip on SQLite, where `why` cannot be shown; CI runs these on PostgreSQL and, with
    REQUIRE_SERVICES=1, never skips them (they fail instead if PostgreSQL is missing)."""
    return pytest.mark.skipif(
        connection.vendor != "postgresql" and os.environ.get("REQUIRE_SERVICES") != "1",
        reason=f"needs PostgreSQL ({why}): run with DATABASE_URL=postgres://… "
        "(CI does, with REQUIRE_SERVICES=1)",
    )
