"""PostgreSQL timeouts from the settings: a web process (DB_STATEMENT_TIMEOUT, which
gunicorn.conf.py sets to 30 s) has its long statements cancelled; processes without it
(workers, commands) keep running them. Each runs in a process of its own, as the settings
are read when a process starts. (A frozen PostgreSQL and the connect timeout: see
test_health.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.markers import needs_postgresql

pytestmark = [pytest.mark.services, needs_postgresql("statement_timeout is PostgreSQL's")]

ROOT = Path(__file__).resolve().parents[2]

SLOW_QUERY = """
import json, time
import django
django.setup()
from django.db import connection
from django.db.utils import OperationalError
started = time.monotonic()
try:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2.5)")
    outcome = "finished"
except OperationalError as exc:
    outcome = str(exc).splitlines()[0]
print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started}))
"""


def _run(**env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "DB_STATEMENT_TIMEOUT"}
    environ.update(DJANGO_SETTINGS_MODULE="cepa_collab.settings", DEBUG="1", **env)
    done = subprocess.run(
        [sys.executable, "-c", SLOW_QUERY], cwd=ROOT, env=environ, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def test_a_statement_longer_than_the_web_statement_timeout_is_cancelled():
    answer = _run(DB_STATEMENT_TIMEOUT="1")

    assert answer["outcome"] == "canceling statement due to statement timeout"
    assert answer["seconds"] < 2.0


def test_without_a_statement_timeout_the_statement_runs_to_its_end():
    answer = _run()

    assert answer["outcome"] == "finished"
    assert answer["seconds"] >= 2.5
