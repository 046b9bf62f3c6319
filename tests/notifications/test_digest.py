"""The daily digest: what people chose to receive as a digest is mailed once a day, at
08:00 in their own time zone, holding everything that arrived before that moment; what
arrives later waits for the next morning. Sweeps run every 5 minutes (beat) and may run
twice at once or late; there is still one digest per person and day.

Cast: Selam in Addis Ababa (UTC+3, reads French) and Nora in New York (UTC-5 in
December). Time starts on Wednesday 2 December 2026, 06:00 UTC (the `clock` fixture)."""

from __future__ import annotations

import datetime
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext

from cepa_collab.enums import Role
from notifications import digests, services
from notifications.enums import Delivery, MailState
from notifications.kinds import NOTIFICATION_KINDS
from notifications.models import Digest, Notification
from notifications.services import N_
from tests.factories import person
from tests.markers import needs_postgresql
from tests.notifications.conftest import START
from workflows.notices import WorkflowNotice

ADDIS = ZoneInfo("Africa/Addis_Ababa")
NEW_YORK = ZoneInfo("America/New_York")
SWEEP = datetime.timedelta(minutes=5)
TIMEOUT = 20  # seconds; only reached if something is broken


def at(zone: ZoneInfo, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time in December 2026, as the UTC instant it is."""
    local = datetime.datetime(2026, 12, day, hour, minute, tzinfo=zone)
    return local.astimezone(datetime.UTC)


def digest_reader(username: str, zone: str, language: str = "en"):
    user = person(Role.CEPA_MEMBER, username=username, time_zone=zone, language=language)
    services.set_preferences(user, dict.fromkeys(NOTIFICATION_KINDS.values(), Delivery.DIGEST))
    return user


@pytest.fixture
def selam(db):
    return digest_reader("selam", "Africa/Addis_Ababa", language="fr")


@pytest.fixture
def nora(db):
    return digest_reader("nora", "America/New_York")


def tell(user, title: str):
    return services.notify(
        user,
        WorkflowNotice.REVIEW_ASSIGNED,
        subject=N_("Review requested: %(title)s"),
        body=N_("Please review “%(title)s”."),
        params={"title": title},
        link=f"/reviews/{title.split()[-1]}/",
    )


def requested(user, title: str) -> str:
    """The subject `tell` writes, in the user's language (Selam reads French)."""
    with translation.override(user.profile.language):
        return gettext("Review requested: %(title)s") % {"title": title}


def sweep(clock, when: datetime.datetime, capture) -> list:
    """Move the clock to `when`, sweep, run what the sweep enqueued; the mails it sent."""
    clock.move_to(when)
    before = len(mail.outbox)
    with capture(execute=True):
        digests.sweep_digests(when)
    return mail.outbox[before:]


def recipients(messages) -> list[str]:
    return [message.to[0].split("@")[0] for message in messages]


# --- one digest at 08:00 local time -----------------------------------------------------------


@pytest.mark.django_db
def test_three_notifications_one_digest_at_eight_local_time_each(
    clock, selam, nora, django_capture_on_commit_callbacks
):
    # given three notifications for each during their Wednesday, at 09:00, 13:00 and 20:00
    arriving = {
        at(zone, 2, hour): (user, f"Chapter {user.username} {number}")
        for user, zone in ((selam, ADDIS), (nora, NEW_YORK))
        for number, hour in enumerate((9, 13, 20), start=1)
    }

    # when beat sweeps every 5 minutes from Wednesday 06:00 UTC to Thursday 14:00 UTC
    sent = []
    now = START
    while now <= datetime.datetime(2026, 12, 3, 14, 0, tzinfo=datetime.UTC):
        clock.move_to(now)
        if now in arriving:
            tell(*arriving[now])
        sent += [
            (now, message) for message in sweep(clock, now, django_capture_on_commit_callbacks)
        ]
        now += SWEEP

    # then each got exactly one mail, at their own Thursday 08:00, nothing before
    assert [(when, recipients([message])) for when, message in sent] == [
        (at(ADDIS, 3, 8), ["selam"]),
        (at(NEW_YORK, 3, 8), ["nora"]),
    ]
    for _when, message in sent:
        user = selam if message.to == [selam.email] else nora
        subjects = [requested(user, f"Chapter {user.username} {n}") for n in (1, 2, 3)]
        links = [f"{settings.SITE_URL}/reviews/{n}/" for n in (1, 2, 3)]
        for text in (message.body, message.alternatives[0][0]):
            assert [subject in text for subject in subjects] == [True, True, True]
            assert [link in text for link in links] == [True, True, True]
    # in each one's language: Selam's digest is dated in French
    [(_when, to_selam), (_when, to_nora)] = sent
    assert "3 décembre 2026" in to_selam.subject
    assert to_nora.subject == "CEPA Collab digest for 3 December 2026: 3 notifications"
    assert list(Digest.objects.order_by("pk").values_list("user__username", "local_date")) == [
        ("selam", datetime.date(2026, 12, 3)),
        ("nora", datetime.date(2026, 12, 3)),
    ]
    assert set(Notification.objects.values_list("state", flat=True)) == {MailState.SENT}


@pytest.mark.django_db
def test_second_sweep_same_instant_or_later_same_day_sends_nothing(
    clock, selam, django_capture_on_commit_callbacks
):
    # given Selam's digest sent at Thursday 08:00 her time
    tell(selam, "Chapter 1")
    assert recipients(sweep(clock, at(ADDIS, 3, 8), django_capture_on_commit_callbacks)) == [
        "selam"
    ]

    # when beat sweeps again at the same instant, and later that day
    again = sweep(clock, at(ADDIS, 3, 8), django_capture_on_commit_callbacks)
    later = sweep(clock, at(ADDIS, 3, 23, 55), django_capture_on_commit_callbacks)

    # then nothing more is sent or made
    assert (again, later) == ([], [])
    assert Digest.objects.count() == 1


@pytest.mark.django_db
def test_notification_after_the_days_digest_waits_for_the_next(
    clock, selam, django_capture_on_commit_callbacks
):
    # given Thursday's digest sent at 08:00
    clock.move_to(at(ADDIS, 2, 9))
    tell(selam, "Chapter 1")
    sweep(clock, at(ADDIS, 3, 8), django_capture_on_commit_callbacks)

    # when a notification arrives at 10:00 that Thursday
    clock.move_to(at(ADDIS, 3, 10))
    tell(selam, "Chapter 2")

    # then no sweep sends it that day nor before Friday 08:00; Friday's digest holds it alone
    assert sweep(clock, at(ADDIS, 3, 10, 5), django_capture_on_commit_callbacks) == []
    assert sweep(clock, at(ADDIS, 4, 7, 55), django_capture_on_commit_callbacks) == []
    [friday] = sweep(clock, at(ADDIS, 4, 8), django_capture_on_commit_callbacks)
    assert requested(selam, "Chapter 2") == "Examen demandé\u00a0: Chapter 2"
    assert requested(selam, "Chapter 2") in friday.body
    assert "Chapter 1" not in friday.body
    assert list(Digest.objects.order_by("local_date").values_list("local_date", flat=True)) == [
        datetime.date(2026, 12, 3),
        datetime.date(2026, 12, 4),
    ]


@pytest.mark.django_db
def test_notification_arriving_after_eight_does_not_make_a_digest_that_day(
    clock, nora, django_capture_on_commit_callbacks
):
    # given nothing waited at Nora's Wednesday 08:00, then a notification at 11:00
    clock.move_to(at(NEW_YORK, 2, 11))
    tell(nora, "Chapter 1")

    # when beat sweeps a moment later
    assert sweep(clock, at(NEW_YORK, 2, 11, 5), django_capture_on_commit_callbacks) == []

    # then it waits for Thursday 08:00
    assert recipients(sweep(clock, at(NEW_YORK, 3, 8), django_capture_on_commit_callbacks)) == [
        "nora"
    ]


@pytest.mark.django_db
def test_late_sweep_still_sends_the_days_digest_once(
    clock, selam, django_capture_on_commit_callbacks
):
    # given two notifications on Wednesday and one on Thursday at 09:00, after 08:00
    for hour in (9, 13):
        clock.move_to(at(ADDIS, 2, hour))
        tell(selam, f"Chapter {hour}")
    clock.move_to(at(ADDIS, 3, 9))
    tell(selam, "Chapter 99")

    # when the worker was down and the first sweep comes on Thursday at 11:00
    [late] = sweep(clock, at(ADDIS, 3, 11), django_capture_on_commit_callbacks)

    # then Thursday's digest goes then, with what arrived before 08:00 only
    assert ("Chapter 9" in late.body, "Chapter 13" in late.body) == (True, True)
    assert "Chapter 99" not in late.body
    assert Notification.objects.get(subject__endswith="Chapter 99").digest is None


@pytest.mark.django_db
def test_digest_only_for_digest_preference(clock, selam, nora, django_capture_on_commit_callbacks):
    # given Nora mails reviews at once
    services.set_preferences(nora, {WorkflowNotice.REVIEW_ASSIGNED: Delivery.IMMEDIATE})
    with django_capture_on_commit_callbacks(execute=True):
        tell(nora, "Chapter 1")
    assert recipients(mail.outbox) == ["nora"]

    # then her morning brings no digest
    assert sweep(clock, at(NEW_YORK, 3, 8), django_capture_on_commit_callbacks) == []
    assert Digest.objects.count() == 0


# --- two sweeps at once -----------------------------------------------------------------------


@pytest.mark.django_db
def test_two_sweeps_at_the_same_instant_make_one_digest(
    clock, selam, django_capture_on_commit_callbacks
):
    tell(selam, "Chapter 1")
    clock.move_to(at(ADDIS, 3, 8))

    with django_capture_on_commit_callbacks(execute=True):
        first = digests.sweep_digests(at(ADDIS, 3, 8))
        second = digests.sweep_digests(at(ADDIS, 3, 8))

    assert (len(first), second) == (1, [])
    assert recipients(mail.outbox) == ["selam"]


def _others_wait_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
@needs_postgresql("two overlapping transactions")
def test_overlapping_sweeps_on_two_connections_make_one_digest(clock):
    # given a notification waiting for Selam's Thursday digest
    selam = digest_reader("selam", "Africa/Addis_Ababa", language="fr")
    tell(selam, "Chapter 1")
    now = at(ADDIS, 3, 8)
    clock.move_to(now)
    outcomes: dict[str, object] = {}
    swept = threading.Event()

    def first() -> None:
        # sweeps, then keeps its transaction open until the other sweep waits on its digest
        try:
            with transaction.atomic():
                outcomes["first"] = digests.sweep_digests(now)
                swept.set()
                deadline = time.monotonic() + TIMEOUT
                while not _others_wait_for_a_lock():
                    assert time.monotonic() < deadline, "the other sweep never waited"
        except Exception as exc:  # asserted on below
            outcomes["first"] = exc
        finally:
            swept.set()
            connection.close()

    def second() -> None:
        # sweeps while the first one's digest is made but not committed
        try:
            assert swept.wait(TIMEOUT)
            outcomes["second"] = digests.sweep_digests(now)
        except Exception as exc:  # asserted on below
            outcomes["second"] = exc
        finally:
            connection.close()

    # when two sweeps overlap, each in its own connection and transaction
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    threads[1].start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)

    # then one digest is made and mailed once
    assert [len(outcomes["first"]), outcomes["second"]] == [1, []], outcomes
    assert Digest.objects.count() == 1
    assert recipients(mail.outbox) == ["selam"]
