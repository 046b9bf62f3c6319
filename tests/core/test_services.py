"""The real services: a Celery worker consuming from the configured broker (Redis in CI,
the filesystem transport by default) and the database CI asks for (PostgreSQL)."""

import os
import uuid
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from cepa_collab.celery import app
from cepa_collab.models import Heartbeat
from cepa_collab.tasks import ping

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture
def result_backend(monkeypatch):
    """The worker runs in this process, so its results can live in memory."""
    monkeypatch.setitem(app.conf, "result_backend", "cache+memory://")
    # Earlier eager tasks made Celery cache a "disabled" backend: drop it.
    monkeypatch.setattr(app, "_backend_cache", None)
    monkeypatch.delattr(app._local, "backend", raising=False)
    monkeypatch.setitem(app.conf, "task_always_eager", False)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_consumes_a_task_from_the_broker(result_backend):
    # A queue of its own, so no other process's worker can take the task.
    queue = f"test-{uuid.uuid4().hex}"
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]):
        result = ping.apply_async(queue=queue)

        assert result.get(timeout=30) == "pong"

    assert Heartbeat.objects.filter(name="worker").count() == 1


def test_suite_runs_on_the_configured_database_and_broker():
    database_scheme = urlsplit(settings.DATABASE_URL).scheme
    broker_scheme = urlsplit(settings.CELERY_BROKER_URL).scheme

    expected_vendor = "sqlite" if database_scheme == "sqlite" else "postgresql"
    assert connection.vendor == expected_vendor
    assert app.conf.broker_url.startswith(broker_scheme + "://")
    if REQUIRE_SERVICES:  # CI: the real services, never the zero-setup defaults
        assert (connection.vendor, broker_scheme) == ("postgresql", "redis")
