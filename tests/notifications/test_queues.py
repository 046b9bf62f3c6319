"""Sweeps never wait behind mail batches: beat's sweeps and the heartbeat go to a queue of
their own, mail and everything else to the default queue, and the worker of the Procfile
and of docker compose consumes both (a worker consuming one of them only would leave the
other's tasks unconsumed)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from cepa_collab.celery import app
from notifications import jobs

ROOT = Path(__file__).resolve().parents[2]
PERIODIC = ["notifications.sweep_reminders", "notifications.sweep_digests", "cepa_collab.heartbeat"]
MAIL = [jobs.DELIVER_REMINDERS, jobs.DELIVER_NOTIFICATION, jobs.DELIVER_DIGEST]


def queue_of(task: str) -> str:
    return app.amqp.router.route({}, task, (), {})["queue"].name


def consumed(argv: list[str]) -> set[str]:
    """The queues a `celery … worker` command line consumes (the default one without -Q)."""
    for index, arg in enumerate(argv):
        if arg.startswith("--queues="):
            return set(arg.removeprefix("--queues=").split(","))
        if arg in {"-Q", "--queues"}:
            return set(argv[index + 1].split(","))
    return {settings.CELERY_TASK_DEFAULT_QUEUE}


def procfile_worker() -> list[str]:
    lines = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    return shlex.split(lines["worker"])


def compose_worker() -> list[str]:
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["worker"][
        "command"
    ]
    return command if isinstance(command, list) else shlex.split(command)


def test_sweeps_and_the_heartbeat_have_a_queue_of_their_own():
    assert {task: queue_of(task) for task in PERIODIC} == dict.fromkeys(PERIODIC, "sweeps")
    assert {task: queue_of(task) for task in MAIL} == dict.fromkeys(MAIL, "celery")


def test_every_periodic_task_of_beat_goes_to_the_sweeps_queue():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {task: queue_of(task) for task in scheduled} == dict.fromkeys(scheduled, "sweeps")


@pytest.mark.parametrize("command", [procfile_worker, compose_worker], ids=["Procfile", "compose"])
def test_the_worker_consumes_every_queue_a_task_goes_to(command):
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}

    assert (
        consumed(command())
        == {settings.CELERY_TASK_DEFAULT_QUEUE, *routed}
        == {
            "celery",
            "sweeps",
        }
    )
