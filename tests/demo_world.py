"""The demo world, seeded once per test session (`manage.py seed_demo` costs seconds).

The `demo_world` fixture of tests/conftest.py opens a transaction on the test database and
runs the `seed_demo` command in it (`seed_demo_world`) on Monday 2 March 2026, 09:00 UTC,
keeping what the command printed, returned, hashed, mailed and left to run after commit. The
transaction stays open while the demo tests run: each of them runs in a savepoint of it
(pytest-django's `db`), so whatever a test changes is rolled back, and the world itself is
rolled back at the end of the session. The demo tests run last (tests/conftest.py orders
them), after every transactional test has flushed the database, so no other test sees it.
"""

from __future__ import annotations

import datetime
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.management import call_command, get_commands, load_command_class
from django.db import connection
from django.test import override_settings
from guardian.conf import settings as guardian_settings
from guardian.management import create_anonymous_user

from cepa_collab.celery import app as celery_app
from tests.factories import ensure_reference_data

# Monday 2 March 2026, noon UTC: the moment the demo tests were written for (the first
# reminder sweeps of tests/notifications/test_demo.py count on it: 09:00 has passed from São
# Paulo eastwards, not further west).
SEEDED_AT = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


class CountingMD5PasswordHasher(MD5PasswordHasher):
    """The tests' fast hasher (same algorithm, so the tests' MD5 hasher checks its hashes),
    counting what it hashes: the demo gives everyone one password and hashes it once."""

    hashed = 0

    def encode(self, password, salt):
        type(self).hashed += 1
        return super().encode(password, salt)


@dataclass(frozen=True)
class DemoWorld:
    # What `seed_demo()` returned (who was created, the logins, each app's summary).
    result: object
    # What `manage.py seed_demo` printed.
    output: str
    # Where the demo's files (deliverable versions, request documents) were stored.
    media_root: Path
    # How many passwords the seed hashed, mails it sent, callbacks it left to run on commit.
    passwords_hashed: int
    mails: list
    on_commit: list


def _seed_demo_command_module():
    """The module of the `seed_demo` management command, whichever app holds it."""
    command = load_command_class(get_commands()["seed_demo"], "seed_demo")
    return sys.modules[type(command).__module__]


def seed_demo_world(media_root: Path) -> DemoWorld:
    """Run `manage.py seed_demo` at SEEDED_AT, its files under `media_root`, in the caller's
    transaction, and keep what it printed, returned, hashed, mailed and left for the commit."""
    # After the transactional tests' flushes the reference data is gone: put it back, and
    # guardian's anonymous user, as the migrations left them for the tests written first.
    ensure_reference_data()
    if not get_user_model().objects.filter(username=guardian_settings.ANONYMOUS_USER_NAME):
        create_anonymous_user(None, using=connection.alias)
    command = _seed_demo_command_module()
    returned = []

    def seed_demo(*args, **kwargs):
        returned.append(original(*args, **kwargs))
        return returned[-1]

    original = command.seed_demo
    output = io.StringIO()
    mails_before = len(mail.outbox)
    callbacks_before = len(connection.run_on_commit)
    CountingMD5PasswordHasher.hashed = 0
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(
            MEDIA_ROOT=media_root,
            PASSWORD_HASHERS=["tests.demo_world.CountingMD5PasswordHasher"],
        ),
        time_machine.travel(SEEDED_AT, tick=False),
    ):
        patch.setattr(command, "seed_demo", seed_demo)
        # as in every test (tests/conftest.py): tasks would run in-process, not be sent
        patch.setitem(celery_app.conf, "task_always_eager", True)
        patch.setitem(celery_app.conf, "task_eager_propagates", True)
        call_command("seed_demo", stdout=output)
    (result,) = returned
    return DemoWorld(
        result=result,
        output=output.getvalue(),
        media_root=media_root,
        passwords_hashed=CountingMD5PasswordHasher.hashed,
        mails=mail.outbox[mails_before:],
        on_commit=connection.run_on_commit[callbacks_before:],
    )
