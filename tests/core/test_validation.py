"""The shared input rules of `cepa_collab.validation` and `cepa_collab.spreadsheets`: due
dates never set in the past, wall-clock times that name one instant, CSV cells a spreadsheet
will not run whatever look-alike character they start with."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cepa_collab.spreadsheets import neutralise
from cepa_collab.validation import check_due_date, wall_clock_to_aware

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


# --- due dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [datetime.date(1900, 1, 1), datetime.date(1999, 12, 31), datetime.date(2026, 3, 1)]
)
def test_check_due_date_refuses_the_past_naming_the_field(value):
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as caught:
        check_due_date(value, field="review_due")

    assert caught.value.message_dict == {"review_due": ["The due date is in the past."]}


@pytest.mark.parametrize("value", [datetime.date(2026, 3, 2), datetime.date(2030, 1, 1), None])
def test_check_due_date_accepts_today_the_future_and_no_date(value):
    with time_machine.travel(NOW, tick=False):
        check_due_date(value)


# --- wall-clock times ---------------------------------------------------------------------------


def test_wall_clock_in_a_daylight_saving_gap_is_an_error_of_its_field():
    # 02:30 on 29 March 2026 does not exist in Paris (clocks go from 02:00 to 03:00)
    with pytest.raises(ValidationError) as caught:
        wall_clock_to_aware(datetime.datetime(2026, 3, 29, 2, 30), "Europe/Paris", field="start")

    assert caught.value.message_dict == {
        "start": ["This time does not exist in Europe/Paris (the clocks change then)."]
    }


def test_wall_clock_in_a_fold_is_an_error_of_its_field():
    # 02:30 on 25 October 2026 happens twice in Paris (clocks go back from 03:00 to 02:00)
    with pytest.raises(ValidationError) as caught:
        wall_clock_to_aware(datetime.datetime(2026, 10, 25, 2, 30), "Europe/Paris", field="end")

    assert caught.value.message_dict == {
        "end": [
            "This time happens twice in Europe/Paris (the clocks go back then): choose a time "
            "just before or after."
        ]
    }


def test_wall_clock_that_exists_once_is_read_in_its_zone():
    aware = wall_clock_to_aware(datetime.datetime(2026, 3, 29, 3, 30), "Europe/Paris", field="x")

    assert aware.astimezone(datetime.UTC) == datetime.datetime(
        2026, 3, 29, 1, 30, tzinfo=datetime.UTC
    )


def test_wall_clock_given_with_its_offset_is_kept_even_in_a_fold():
    given = datetime.datetime(
        2026, 10, 25, 2, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )

    assert wall_clock_to_aware(given, "Europe/Paris", field="start") is given


# --- CSV cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "\uff1d1+1",  # full-width equals sign
        "\uff0b1",  # full-width plus
        "\uff0d1",  # full-width hyphen-minus
        "\uff20SUM(A1)",  # full-width commercial at
        "\ufe661+1",  # small equals sign
        "\ufe621",  # small plus
        "\ufe631",  # small hyphen-minus
        "\ufe6bSUM(A1)",  # small commercial at
        "\u22121",  # minus sign
        "\u207b1",  # superscript minus
        "\u20131",  # en dash
        " =1+1",  # a leading space
        "\u3000\uff1d1",  # an ideographic space, then a full-width equals sign
    ],
)
def test_neutralise_quotes_formulas_and_their_look_alikes(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Plain title", "a=b", "2026-03-02", "", 3, None])
def test_neutralise_leaves_safe_text_and_numbers(value):
    assert neutralise(value) == value
