"""The API keeps its OpenAPI contract for every role of the demo world (issue 12, deliver 2).

Schemathesis reads the schema the app serves and runs its engine (as `schemathesis run`
would) with every check, through the WSGI app: no server, no network. Each role's run is
bounded (a few examples per operation, seeded and derandomised: the same requests every
time) and lives in the test's transaction, so whatever the fuzzing changes is rolled back.

The engine sends its requests from a worker thread: the app is wrapped so that thread uses
the test's database connection (as Django's live server does), which sees the demo world.

Run one role and see what it found: `pytest tests/core/test_api_fuzz.py -k focal -s`.
"""

from __future__ import annotations

import collections
import contextlib
import time
import traceback
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from rest_framework.authtoken.models import Token
from schemathesis.engine import events, from_schema
from schemathesis.engine.run import PhaseName
from schemathesis.transport.wsgi import WSGI_TRANSPORT

from tests.factories import person

# DRF's messages for a field the schema should have said is required or not blank or null:
# a schema-valid request that gets one of them means the schema lied.
UNDOCUMENTED_REQUIREMENTS = (
    "This field is required.",
    "This field may not be blank.",
    "This field may not be null.",
)


@schemathesis.check
def schema_states_every_requirement(ctx, response, case):
    """A schema-valid request is never refused for a requirement the schema does not state."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code != 400:
        return None
    body = response.text
    for message in UNDOCUMENTED_REQUIREMENTS:
        if message in body:
            raise AssertionError(f"A schema-valid request was refused: {body[:300]}")
    return None


@contextlib.contextmanager
def in_process_transport():
    """Schemathesis 4.32's WSGI transport is handed socket settings (`max_redirects`, ...) by
    the checks that send a second request (ignored_auth): in-process they mean nothing."""
    transport = type(WSGI_TRANSPORT)
    send = transport.send

    def send_in_process(self, case, *args, **kwargs):
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return send(self, case, *args, **kwargs)

    transport.send = send_in_process
    try:
        yield
    finally:
        transport.send = send


class SharedConnectionApp:
    """The project's WSGI app, answering on the test's database connection in any thread."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.connection = connections["default"]

    def __call__(self, environ, start_response):
        connections["default"] = self.connection
        return self.handler(environ, start_response)


@contextlib.contextmanager
def connection_kept_open():
    """As Django's test client does: no `close_old_connections` at the start and end of a
    request, which would close the connection holding the test's open transaction (a
    no-op on SQLite's in-memory database; on PostgreSQL every later query then failed
    with "the connection is closed")."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@dataclass
class Run:
    operations: set = field(default_factory=set)
    examples: collections.Counter = field(default_factory=collections.Counter)
    failures: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    cpu: float = 0.0

    def summary(self) -> str:
        return (
            f"{len(self.operations)} operations, {sum(self.examples.values())} examples "
            f"({', '.join(f'{k}: {v}' for k, v in sorted(self.examples.items()))}), "
            f"{len(self.failures)} failures, {len(self.errors)} errors, {self.cpu:.1f} s CPU"
        )


def fuzz(raw_schema: dict, headers: dict, *, phases: tuple[str, ...], examples: int) -> Run:
    config = schemathesis.Config.from_dict(
        {
            "seed": 12,
            "cache": {"enabled": False},  # nothing written to .schemathesis/
            "headers": headers,
            "workers": 1,
            "generation": {
                "max-examples": examples,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                name: {"enabled": name in phases}
                for name in ("examples", "coverage", "fuzzing", "stateful")
            },
            "checks": {
                # Rules no JSON Schema can state (a due date not in the past, an id that
                # exists and that the caller may see, the end after the start) answer 400
                # naming the field; `schema_states_every_requirement` checks that no such
                # 400 is about what the schema could have said.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
                },
            },
        }
    )
    schema = schemathesis.openapi.from_dict(raw_schema, config=config)
    app = SharedConnectionApp()
    schema.app = app
    schema.base_url = "http://localhost"
    run = Run()
    app.connection.inc_thread_sharing()
    started = time.process_time()
    try:
        with in_process_transport(), connection_kept_open():
            for event in from_schema(schema).execute():
                if isinstance(event, events.ScenarioFinished):
                    if event.label:
                        run.operations.add(event.label)
                    run.examples[event.phase.value] += len(event.recorder.cases)
                    for checks in event.recorder.checks.values():
                        for check in checks:
                            if check.failure_info is not None:
                                failure = check.failure_info.failure
                                key = (event.label, check.name, failure.title)
                                run.failures[key] = failure.message
                elif isinstance(event, events.NonFatalError | events.FatalError):
                    run.errors.append(
                        "".join(traceback.format_exception(event.value))
                        if hasattr(event, "value")
                        else str(event)
                    )
    finally:
        run.cpu = time.process_time() - started
        app.connection.dec_thread_sharing()
    return run


ROLES = {
    "admin": None,  # a Django superuser, made for the run
    "secretariat": "admin",
    "branch_chief": "chief",
    "branch_staff": "staff",
    "cepa_member": "amina",
    "focal_point": "focal",
    "anonymous": None,
}
# Schemathesis's example and fuzzing phases, one example per operation and generation mode
# (valid and invalid data), with every check (some send a second request: without the
# token, again after a DELETE, ...). The coverage phase (every boundary of every parameter)
# costs a minute of CPU a role: run it by hand with `schemathesis run` when the API changes.
PHASES = ("examples", "fuzzing")
EXAMPLES = 1


@pytest.mark.parametrize("role", list(ROLES))
def test_api_keeps_its_contract_for(role, demo, client, settings, capsys):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    raw_schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    headers = {}
    if role != "anonymous":
        if role == "admin":
            user = person(username="root", is_superuser=True, is_staff=True)
        else:
            user = get_user_model().objects.get(username=ROLES[role])
        headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"

    run = fuzz(raw_schema, headers, phases=PHASES, examples=EXAMPLES)

    with capsys.disabled():
        print(f"\n{role}: {run.summary()}")
    found = [
        f"{label} [{check}] {title}: {message}"
        for (label, check, title), message in sorted(run.failures.items())
    ]
    assert not found, "\n\n".join(found)
    assert not run.errors, "\n\n".join(run.errors[:3])
    assert len(run.operations) == len(
        [
            1
            for path in raw_schema["paths"].values()
            for method in path
            if method in ("get", "put", "post", "patch", "delete")
        ]
    )
    assert run.examples[PhaseName.FUZZING.value] >= len(run.operations)
