"""The pages that read the cache (the branch dashboard, the public calendar feed) with the
cache on a private redis-server that goes down or freezes: they are built from the
database, and the log says once that Redis is unreachable.

The cache is configured by the settings module itself, run with CACHE_URL naming the
private server, so what is tested is what production gets.
"""

from __future__ import annotations

import datetime
import logging
import runpy
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cepa_collab.cache import ForgivingRedisCache
from meetings import services as meeting_services
from meetings.enums import MeetingKind, Visibility
from tests.factories import branch
from tests.servers import FrozenServer, RedisServer, needs_redis_server
from workflows.enums import DeliverableKind, ProductKind
from workflows.models import Deliverable, Product

pytestmark = [pytest.mark.services, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]


def _use_cache_at(url: str, settings, monkeypatch) -> None:
    monkeypatch.setenv("CACHE_URL", url)
    settings.CACHES = runpy.run_path(str(ROOT / "cepa_collab" / "settings.py"))["CACHES"]
    monkeypatch.setattr(ForgivingRedisCache, "unreachable", False)
    monkeypatch.setattr(ForgivingRedisCache, "last_failure", 0.0)


@pytest.fixture
def redis_cache(settings, monkeypatch, tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    _use_cache_at(f"{server.url}/1", settings, monkeypatch)
    yield server
    server.stop()


@pytest.fixture
def frozen_cache(settings, monkeypatch):
    server = FrozenServer()
    _use_cache_at(f"redis://127.0.0.1:{server.port}/1", settings, monkeypatch)
    yield server
    server.close()


@pytest.fixture
def chapter(staff):
    survey = Product.objects.create(
        branch=branch("e-govb"), kind=ProductKind.SURVEY, title="UN E-Government Survey"
    )
    return Deliverable.objects.create(
        product=survey,
        owner=staff,
        title="Chapter 1: World e-government rankings",
        kind=DeliverableKind.CHAPTER,
        due_date=timezone.localdate() + datetime.timedelta(days=60),
    )


@pytest.fixture
def public_meeting(staff):
    start = datetime.datetime.now(ZoneInfo("UTC")).replace(microsecond=0) + datetime.timedelta(
        days=10
    )
    return meeting_services.create_meeting(
        staff,
        kind=MeetingKind.EXPERT_GROUP,
        title="CEPA session",
        branch=branch("e-govb"),
        start=start,
        end=start + datetime.timedelta(hours=3),
        time_zone="UTC",
        visibility=Visibility.PUBLIC,
    )


def _pages_work(client, chief) -> None:
    client.force_login(chief)
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Chapter 1: World e-government rankings" in dashboard.content.decode()
    client.logout()
    feed = client.get(reverse("meetings:public_feed"))
    assert feed.status_code == 200
    assert b"SUMMARY:CEPA session" in feed.content


@needs_redis_server()
def test_dashboard_and_public_feed_work_from_the_database_with_redis_down(
    client, chief, chapter, public_meeting, redis_cache, caplog
):
    # given the pages served once with Redis up (their cache entries written)
    _pages_work(client, chief)
    assert cache.get("no-such-key", "missing") == "missing"  # Redis answers

    # when Redis goes down
    redis_cache.stop()
    with caplog.at_level(logging.WARNING, logger="cepa_collab.cache"):
        # then both pages are still served, from the database
        _pages_work(client, chief)

    # and the log said once that Redis was unreachable
    lines = [r.getMessage() for r in caplog.records if r.name == "cepa_collab.cache"]
    assert len(lines) == 1
    assert lines[0].startswith("cache: Redis unreachable")


def test_dashboard_and_public_feed_answer_in_time_with_a_frozen_redis(
    client, chief, chapter, public_meeting, frozen_cache
):
    # given a cache server that accepts connections and never answers
    # when the pages are asked for
    started = time.monotonic()
    _pages_work(client, chief)
    elapsed = time.monotonic() - started

    # then they cost one Redis timeout (2 s), not one per cached item
    assert elapsed < 4, f"{elapsed:.1f} s"
