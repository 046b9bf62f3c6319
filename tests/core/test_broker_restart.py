"""A real Celery worker (a subprocess, prefork like production) consuming from a private
redis-server that the test stops and starts again while a late-acknowledged task runs.

kombu 5.7.0 made such a worker exit ("Unrecoverable error: AttributeError('NoneType'
object has no attribute 'hostname')" in `restore_unacked`); `cepa_collab.broker` works
around it. The worker must still be running afterwards and consume new tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from kombu import Connection
from kombu.utils.uuid import uuid

from cepa_collab.celery import app
from tests.servers import RedisServer, needs_redis_server, wait_until

pytestmark = [pytest.mark.services, needs_redis_server()]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _send(redis_url: str, name: str, *args) -> None:
    """Publish to the private Redis (not the suite's broker), whatever the eager setting."""
    with Connection(redis_url, transport="cepa_collab.broker:Transport") as conn:
        app.amqp.send_task_message(
            conn.Producer(), name, app.amqp.as_task_v2(uuid(), name, args=list(args))
        )


@pytest.fixture
def worker(redis_server, tmp_path):
    """`celery worker` as the Procfile runs it (prefork, two processes), on the private
    Redis, logging to a file the test reads."""
    log = tmp_path / "worker.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "CACHE_URL", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(
        CELERY_BROKER_URL=f"{redis_server.url}/0",
        DEBUG="1",
        VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    command = [sys.executable, "-m", "celery", "-A", "cepa_collab", "worker"]
    command += ["--include", "tests.core.broker_tasks", "--pool", "prefork", "--concurrency", "2"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["--loglevel", "INFO", "--logfile", str(log)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True
    )
    process.log = log
    wait_until(lambda: log.exists() and "ready." in log.read_text(), "the worker is ready", 30)
    yield process
    # Nothing is left to finish: end the worker and its pool processes (its own group).
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_a_worker_survives_a_redis_restart_with_a_late_acknowledged_task_running(
    redis_server, worker, tmp_path
):
    # given a late-acknowledged task running (its message unacknowledged in Redis), and
    # the worker's other process waiting on Redis for the next message (a pending BRPOP)
    _send(f"{redis_server.url}/0", "tests.hold", str(tmp_path))
    wait_until((tmp_path / "started").exists, "the held task started")

    # when Redis stops, and comes back on the same port once the worker noticed
    redis_server.stop()
    wait_until(
        lambda: "Connection to broker lost" in worker.log.read_text() or worker.poll() is not None,
        "the worker noticed that Redis went away",
    )
    redis_server.start()
    (tmp_path / "release").touch()

    # then the worker is still running, and consumes what is sent after the restart
    _send(f"{redis_server.url}/0", "tests.mark", str(tmp_path / "after-restart"))
    wait_until(
        lambda: (tmp_path / "after-restart").exists() or worker.poll() is not None,
        "the worker consumed a task sent after the restart",
        timeout=20,
    )
    log = worker.log.read_text()
    assert worker.poll() is None, log[-3000:]
    assert (tmp_path / "after-restart").exists()
    assert (tmp_path / "held").exists()  # the running task was not cut short
    assert "Unrecoverable error" not in log
    assert "'NoneType' object has no attribute" not in log
