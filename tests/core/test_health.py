import datetime
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import time_machine
from django.db.utils import OperationalError

from cepa_collab import health
from cepa_collab.models import Heartbeat
from tests.servers import FrozenServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def frozen_server():
    """A socket that accepts and never answers; closed after at most 10 s, so that code
    without timeouts ends (and its test fails on the time taken) instead of hanging."""
    server = FrozenServer()
    watchdog = threading.Timer(10, server.close)
    watchdog.start()
    yield server
    watchdog.cancel()
    server.close()


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_200_with_the_worker_heartbeat_age_when_services_are_up(client):
    now = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
    Heartbeat.objects.create(name="worker", last_seen=now - datetime.timedelta(seconds=42))

    with time_machine.travel(now, tick=False):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "worker_heartbeat_age": 42,
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_healthz_shows_no_heartbeat_age_before_a_worker_ran(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker_heartbeat_age"] is None


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_broker_is_down(client, monkeypatch, settings):
    # Nothing listens on port 1: a real connection failure, not a mock.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    monkeypatch.setattr(health, "BROKER_TIMEOUT_SECONDS", 0.5)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable"},
        "worker_heartbeat_age": None,
    }


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    # Every connection of every thread (the check runs on a connection of its own).
    monkeypatch.setattr(type(health.connections["default"]), "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "broker": "ok"}
    assert response.json()["worker_heartbeat_age"] is None


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_filesystem_broker_folder_is_gone(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "missing"),
        "data_folder_out": str(tmp_path / "missing"),
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_within_3_seconds_with_a_frozen_redis(client, settings, frozen_server):
    # given a broker that accepts connections and never answers (a stopped Redis)
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{frozen_server.port}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    # when a probe asks
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    # then it is told in time that the broker is unavailable
    assert elapsed < 3, f"{elapsed:.1f} s"
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "unavailable"}


# A web process whose PostgreSQL accepts connections and never answers: a process of its
# own, as the database is chosen by the settings when the process starts.
PROBE = """
import json, os, time
import django
django.setup()
from django.test import Client
from django.urls import resolve
resolve("/healthz")  # the URLconf is imported by a process's first request, not measured here
started = time.monotonic()
response = Client().get("/healthz", HTTP_HOST="localhost")
print(json.dumps({"status": response.status_code, "body": response.json(),
                  "seconds": time.monotonic() - started}))
"""


def test_healthz_answers_503_within_3_seconds_with_a_frozen_postgresql(tmp_path, frozen_server):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "CACHE_URL", "DATABASE_URL", "DJANGO_SETTINGS"))
    }
    env.update(
        DEBUG="1",
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="cepa_collab.settings",
        DATABASE_URL=f"postgres://cepa:cepa@127.0.0.1:{frozen_server.port}/cepa",
    )

    try:
        done = subprocess.run(
            [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("/healthz did not answer with a frozen PostgreSQL")
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    answer = json.loads(done.stdout.decode().strip().splitlines()[-1])

    assert answer["seconds"] < 3, answer
    assert answer["status"] == 503
    assert answer["body"]["checks"] == {"database": "unavailable", "broker": "ok"}
