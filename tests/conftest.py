import fcntl
import functools
import itertools
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core import management
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from advisory.enums import RequestKind, RequestState
from advisory.models import AdvisoryRequest
from cepa_collab.enums import Role
from tests.demo_world import DemoWorld, seed_demo_world
from tests.factories import (
    Cast,
    ensure_reference_data,
    make_cast,
    pdf,
    person,
    request_in_state,
)
from tests.second_factor_harness import (  # noqa: F401 - fixtures
    _force_login_passes_the_second_factor,
    unverified_login,
)


@pytest.fixture(scope="session")
def _media_roots(tmp_path_factory) -> Iterator[Path]:
    """A fresh MEDIA_ROOT for each test, in one folder of the session, made only when the
    test stores a file (a `tmp_path` per test cost a folder each, 2,000 per run)."""
    base = tmp_path_factory.mktemp("media")
    return (base / str(number) for number in itertools.count(1))


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, _media_roots):
    """Fast password hashing, in-memory mail and its own uploaded files for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = next(_media_roots)


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _reference_data_after_flushes(request):
    """Transactional tests end with a flush that empties every table, the data the
    migrations load included: put branches, regions, Member States and role groups back."""
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    ensure_reference_data()


# --- the test database, migrated once per run ------------------------------------------------


def _migrated_template(tmp_path_factory) -> Path:
    """Where this run keeps its migrated SQLite database: the folder the xdist workers of
    one run share (each worker's basetemp is in it), or this session's own."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    return base / "migrated.sqlite3"


def _in_memory_sqlite() -> bool:
    settings = connections[DEFAULT_DB_ALIAS].settings_dict
    return settings["ENGINE"] == "django.db.backends.sqlite3" and settings["TEST"]["NAME"] in (
        None,
        "",
        ":memory:",
    )


def _migrate_once(template: Path, call_command: Callable, name, *args, **kwargs):
    """`call_command` while pytest-django creates the test database: the first worker of
    the run to get here migrates its in-memory database and copies it to `template`; the
    others wait for that and copy it into theirs (SQLite's backup API, as Django's own
    parallel runner clones SQLite test databases) instead of running every migration again
    (12-14 s of CPU each). What the migrations and their post_migrate handlers leave in
    the database is all a copy needs: nothing else of theirs outlives the command."""
    if name != "migrate":
        return call_command(name, *args, **kwargs)
    connection = connections[kwargs.get("database", DEFAULT_DB_ALIAS)]
    with open(template.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        connection.ensure_connection()
        if template.exists():
            source = sqlite3.connect(template)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            return None
        result = call_command(name, *args, **kwargs)
        written = template.with_suffix(".partial")
        copy = sqlite3.connect(written)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        written.replace(template)
        return result


@pytest.fixture(scope="session")
def _migrate_test_database_once(tmp_path_factory) -> Iterator[pytest.MonkeyPatch]:
    patch = pytest.MonkeyPatch()
    if _in_memory_sqlite():
        template = _migrated_template(tmp_path_factory)
        patch.setattr(
            management,
            "call_command",
            functools.partial(_migrate_once, template, management.call_command),
        )
    yield patch
    patch.undo()


@pytest.fixture(scope="session")
def django_db_setup(_migrate_test_database_once, django_db_setup):
    """pytest-django's test database, migrated once per run on SQLite (`_migrate_once`)."""
    _migrate_test_database_once.undo()  # only while pytest-django created it


@pytest.fixture(scope="session")
def migrated_sqlite_database(django_db_setup, tmp_path_factory) -> Path | None:
    """The SQLite file this run's test databases were copied from, as the migrations left
    it, or None when the tests run on another database (`python -m bench --template`)."""
    template = _migrated_template(tmp_path_factory)
    return template if _in_memory_sqlite() and template.exists() else None


# --- the demo world, seeded once per session ---------------------------------------------------


@pytest.fixture(scope="session")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[DemoWorld]:
    """The demo world of `manage.py seed_demo`, seeded once for the whole session in a
    transaction rolled back when the session ends (tests/demo_world.py); tests take `demo`."""
    with django_db_blocker.unblock():
        held = transaction.atomic()
        held.__enter__()
        try:
            world = seed_demo_world(tmp_path_factory.mktemp("demo-media"))
        except BaseException:
            held.__exit__(*sys.exc_info())
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        held.__exit__(None, None, None)


@pytest.fixture
def demo(request, db, demo_world, settings):
    """What `seed_demo()` returned, the demo world in the database for this test: read it, or
    change it (the change is rolled back after the test, as any test's). Its files are under
    `demo_world.media_root`."""
    if _is_transactional(request):
        pytest.fail("The demo world lives in a transaction: a demo test cannot be transactional.")
    settings.MEDIA_ROOT = demo_world.media_root
    return demo_world.result


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The demo tests run last, after pytest-django's order (database tests, transactional
    tests, the others): the demo world stays in an open transaction until the session ends,
    which no flush may cross and no other test may see."""
    items.sort(key=lambda item: "demo_world" in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """LocaleMiddleware leaves the last request's language active: reset it after each test."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cepa_member(db):
    return person(Role.CEPA_MEMBER, username="amina", country="GHA", time_zone="Africa/Accra")


@pytest.fixture
def chief(db):
    return person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb")


@pytest.fixture
def staff(db):
    return person(Role.BRANCH_STAFF, username="staff", branch_code="e-govb")


@pytest.fixture
def other_branch_staff(db):
    return person(Role.BRANCH_STAFF, username="pacb_staff", branch_code="pacb")


@pytest.fixture
def focal_point(db):
    return person(Role.FOCAL_POINT, username="focal", country="OMN")


@pytest.fixture
def secretariat_admin(db):
    return person(Role.SECRETARIAT_ADMIN, username="admin", is_staff=True)


@pytest.fixture
def superuser(db):
    return person(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def cast(chief, other_branch_staff, cepa_member, other_focal_point, secretariat_admin) -> Cast:
    """The fixed cast of STYLE.md around a deliverable in review (tests.factories.Cast):
    `cast.owner`, `cast.chief`, `cast.other_branch_staff`, `cast.assigned_reviewer`
    (`cepa_member`), `cast.unassigned_reviewer`, `cast.focal_point_elsewhere`
    (`other_focal_point`), `cast.anonymous`, `cast.secretariat_admin`; `cast[who]` by name."""
    return make_cast(
        chief=chief,
        other_branch_staff=other_branch_staff,
        assigned_reviewer=cepa_member,
        focal_point_elsewhere=other_focal_point,
        secretariat_admin=secretariat_admin,
    )


@pytest.fixture
def ira(db):
    """The lead Inter-Regional Advisor of the e-Government Branch."""
    return person(
        Role.INTER_REGIONAL_ADVISOR,
        username="ira",
        branch_code="e-govb",
        first_name="Ines",
        last_name="Rahal",
    )


@pytest.fixture
def team_member(db):
    """Another advisor of the e-Government Branch, on the request's team."""
    return person(
        Role.INTER_REGIONAL_ADVISOR,
        username="teammate",
        branch_code="e-govb",
        first_name="Tomas",
        last_name="Mensah",
    )


@pytest.fixture
def other_focal_point(db):
    """The focal point of Ghana (the advisory requests of the tests are mostly Oman's)."""
    return person(Role.FOCAL_POINT, username="focal_gha", country="GHA")


@pytest.fixture
def pdf_file() -> Callable[..., SimpleUploadedFile]:
    """The one upload of the suite, a small valid PDF: `pdf_file("plan.pdf")`."""
    return pdf


@pytest.fixture
def request_in(chief, staff, ira, team_member) -> Callable[..., AdvisoryRequest]:
    """`request_in(state, country="OMN", title=...)`: a new e-govb advisory request brought
    to `state` through the services (see `tests.factories.request_in_state`); `ira` leads it
    from accepted on with `team_member` on the team."""

    def make(
        state: str = RequestState.RECEIVED,
        *,
        country: str = "OMN",
        title: str = "",
        kind: str = RequestKind.ASSESSMENT,
    ) -> AdvisoryRequest:
        return request_in_state(
            state,
            chief=chief,
            staff=staff,
            lead=ira,
            team_member=team_member,
            country=country,
            title=title,
            kind=kind,
        )

    return make


@pytest.fixture(autouse=True)
def _celery_eager(monkeypatch):
    """Tasks run in-process in tests; the real-worker test turns this off again."""
    from cepa_collab.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture
def locmem_cache(settings):
    """Django's local-memory cache for this test, whatever CACHE_URL says: its expiry follows
    time-machine (Redis keeps its own clock) and its keys can be inspected."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tests-locmem",
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()
