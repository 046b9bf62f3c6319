"""Tasks for the broker fault tests, loaded only by the worker those tests start
(`celery worker --include tests.core.broker_tasks`). They leave marker files behind."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.hold", acks_late=True)
def hold(folder: str) -> None:
    """Runs, late-acknowledged, until the test creates `release` (at most 60 s)."""
    Path(folder, "started").touch()
    deadline = time.monotonic() + 60
    while not Path(folder, "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    Path(folder, "held").touch()


@shared_task(name="tests.mark")
def mark(path: str) -> None:
    Path(path).touch()
