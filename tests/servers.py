"""Services a fault test starts, stops and freezes itself: a private `redis-server` on a
free port, and a "frozen" server (a socket that accepts connections and never answers,
what a stopped Redis or PostgreSQL looks like to a client)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.db import OperationalError

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, what: str, timeout: float = 30.0, step: float = 0.02):
    """Poll `condition` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except OperationalError:
            # SQLite's in-memory test database is shared between threads in shared-cache
            # mode, which locks a table while a worker thread writes it: ask again.
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout:.0f} s: {what}")
        time.sleep(step)


def needs_redis_server():
    """Skip when no `redis-server` binary is installed, except in CI (REQUIRE_SERVICES=1)."""
    return pytest.mark.skipif(
        not os.path.exists(REDIS_SERVER) and not REQUIRE_SERVICES,
        reason="needs the redis-server binary (CI installs it)",
    )


class RedisServer:
    """A private, throwaway redis-server (no persistence) that a test can stop and start."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), *options, "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, f"redis-server answering on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class FrozenServer:
    """Listens and never answers: connections complete (the kernel's backlog) and then
    wait forever. Closing it resets them."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def forget_routing(celery_app) -> None:
    """Drop Celery's cached queues and router, so they are built again from the current
    configuration. `start_worker(queues=…)` narrows the cached queue set in place, and a
    test that changes `task_default_queue` leaves a router built for its queue: without
    this, a later test's worker consumes, or its tasks go to, a queue nobody uses."""
    for name in ("queues", "default_queue", "router", "default_exchange"):
        celery_app.amqp.__dict__.pop(name, None)
