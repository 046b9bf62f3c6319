"""Every date, time and deadline reads one way: the `ui` template library and the viewer's zone."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

from cepa_collab.dates import distance

NOW = datetime.datetime(2026, 12, 7, 22, 30, tzinfo=datetime.UTC)


def render(source: str, **values) -> str:
    return Template("{% load ui %}" + source).render(Context(values))


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "7 December 2026"), ("fr", "7 décembre 2026"), ("es", "7 de diciembre de 2026")],
)
def test_a_date_reads_in_one_format_per_language(language, expected):
    with translation.override(language):
        html = render("{{ d|day }}", d=datetime.date(2026, 12, 7))
    assert html == f'<time datetime="2026-12-07">{expected}</time>'


@time_machine.travel(NOW, tick=False)
def test_a_moment_is_shown_in_the_active_zone_and_names_it_when_asked():
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Africa/Nairobi")):
        plain = render("{{ t|when }}", t=NOW)
        zoned = render('{{ t|when:"zone" }}', t=NOW)
    # 22:30 UTC is 01:30 the next day in Nairobi (UTC+3).
    assert plain == '<time datetime="2026-12-07T22:30:00+00:00">8 December 2026, 01:30</time>'
    assert zoned.endswith("8 December 2026, 01:30 (Africa/Nairobi)</time>")


@time_machine.travel(NOW, tick=False)
def test_a_deadline_says_how_far_it_is_from_the_viewers_today():
    utc = zoneinfo.ZoneInfo("UTC")
    with translation.override("en"), timezone.override(utc):
        assert distance(datetime.date(2026, 12, 10)) == "in 3 days"
        assert distance(datetime.date(2026, 12, 8)) == "tomorrow"
        assert distance(datetime.date(2026, 12, 7)) == "due today"
        assert distance(datetime.date(2026, 12, 6)) == "1 day overdue"
        assert distance(datetime.date(2026, 12, 4)) == "3 days overdue"
        # A past date of a record that is done is no longer owed.
        assert distance(datetime.date(2026, 12, 4), overdue=False) == ""
    # In Auckland it is already 8 December: the 7th is yesterday there.
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Pacific/Auckland")):
        assert distance(datetime.date(2026, 12, 7)) == "1 day overdue"
    with translation.override("fr"), timezone.override(utc):
        assert distance(datetime.date(2026, 12, 10)) == "dans 3 jours"
        assert distance(datetime.date(2026, 12, 4)) == "3 jours de retard"


@time_machine.travel(NOW, tick=False)
def test_the_due_filter_marks_overdue_and_soon_and_drops_distance_for_done_records():
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("UTC")):
        late = render("{{ d|due:True }}", d=datetime.date(2026, 12, 4))
        done = render("{{ d|due:False }}", d=datetime.date(2026, 12, 4))
        soon = render("{{ d|due }}", d=datetime.date(2026, 12, 9))
    assert '<span class="due due--overdue">3 days overdue</span>' in late
    assert done == '<time datetime="2026-12-04">4 December 2026</time>'
    assert '<span class="due due--soon">in 2 days</span>' in soon


def test_state_tag_escapes_and_carries_the_state_code():
    class Row:
        state = "in_review"

        def get_state_display(self):
            return "In <review>"

    assert render("{{ r|state_tag }}", r=Row()) == (
        '<strong class="tag tag--in_review">In &lt;review&gt;</strong>'
    )
