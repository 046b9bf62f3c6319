"""A change made while the broker (a private redis-server) is down: the HTTP answer is the
change's success, its mail stays pending (one log line says so), and once the broker is
back the sweep enqueues it and a real worker delivers it. Nothing is eager here."""

from __future__ import annotations

import datetime
import logging

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from cepa_collab.celery import app
from notifications import delivery, jobs
from notifications.enums import MailState
from notifications.models import Notification
from notifications.services import muted
from tests.factories import branch, pdf
from tests.servers import RedisServer, forget_routing, needs_redis_server, wait_until
from workflows import services
from workflows.enums import DeliverableKind, DeliverableState, ProductKind
from workflows.models import Deliverable

pytestmark = [
    pytest.mark.services,
    needs_redis_server(),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def broker(tmp_path, monkeypatch):
    """The Celery app publishes to a private redis-server for this test, not eagerly."""
    server = RedisServer(tmp_path)
    server.start()
    monkeypatch.setitem(app.conf, "broker_url", f"{server.url}/0")
    # Celery reads the variable before its configuration (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", f"{server.url}/0")
    monkeypatch.setitem(app.conf, "broker_transport", "cepa_collab.broker:Transport")
    monkeypatch.setitem(app.conf, "broker_transport_options", {"visibility_timeout": 3600})
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    forget_routing(app)
    monkeypatch.setattr(jobs._Outage, "since", None)
    monkeypatch.setattr(jobs._Outage, "last_failure", 0.0)
    yield server
    if app._pool is not None:
        app._pool.force_close_all()
    server.stop()


@pytest.fixture
def in_review(chief, staff, cepa_member):
    """Chapter 1, owned by staff, in review by a CEPA member (made without mail)."""
    with muted():
        product = services.create_product(
            chief,
            branch=branch("e-govb"),
            kind=ProductKind.SURVEY,
            title="UN E-Government Survey",
            edition="2026",
        )
        deliverable = services.create_deliverable(
            staff,
            product=product,
            owner=staff,
            title="Chapter 1",
            kind=DeliverableKind.CHAPTER,
            due_date=timezone.localdate() + datetime.timedelta(days=60),
        )
        services.fire_transition(staff, deliverable, "start_drafting")
        services.upload_version(staff, deliverable, pdf("draft.pdf"))
        services.fire_transition(staff, deliverable, "submit_for_review")
        services.assign_reviewers(
            staff, deliverable, [cepa_member], timezone.localdate() + datetime.timedelta(days=14)
        )
    return deliverable


def test_a_transition_with_the_broker_down_succeeds_and_its_mail_goes_after_it_returns(
    broker, in_review, chief, staff, cepa_member, caplog, monkeypatch
):
    # given the broker down, and Celery no longer eager
    broker.stop()
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    api = APIClient()
    api.force_authenticate(chief)

    # when the chief approves the chapter
    with caplog.at_level(logging.WARNING, logger="notifications.jobs"):
        response = api.post(
            f"/api/v1/deliverables/{in_review.pk}/transitions/",
            {"transition": "approve", "waiver_reason": "Urgent"},
            format="json",
        )

    # then the answer is the change's success, the change is there, its two mails (to the
    # owner and the reviewer) are pending, and the log says once that the broker was down
    assert response.status_code == 200, response.content
    assert Deliverable.objects.get(pk=in_review.pk).state == DeliverableState.APPROVED
    pending = list(Notification.objects.filter(state=MailState.PENDING).order_by("pk"))
    assert [n.user for n in pending] == [cepa_member, staff]
    lines = [r for r in caplog.records if r.name == "notifications.jobs"]
    assert len(lines) == 1
    assert lines[0].getMessage().startswith("broker unreachable")
    assert mail.outbox == []

    # when the broker is back, and beat's sweep runs after the requeue delay (by then the
    # enqueueing's pause after a failure is long over)
    broker.start()
    monkeypatch.setattr(jobs, "PAUSE", 0.0)
    later = timezone.now() + settings.MAIL_REQUEUE_AFTER
    requeued = delivery.sweep_notifications(later)

    # then a worker delivers the mails, once each
    assert sorted(requeued) == [n.pk for n in pending]
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False):
        wait_until(
            lambda: set(Notification.objects.values_list("state", flat=True)) == {MailState.SENT},
            "the worker delivered the pending mails",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cepa_member.email, staff.email])
