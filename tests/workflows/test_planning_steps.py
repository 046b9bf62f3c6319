"""The step list of an advisory request (its states, from the state machine's declaration:
`cepa_collab/templatetags/steps.py`), on the request's page."""

from __future__ import annotations

import pytest

from advisory import services as advisory
from advisory.enums import RequestState
from cepa_collab.history import history_rows
from cepa_collab.templatetags.steps import steps_of

pytestmark = pytest.mark.django_db

R = RequestState


def _steps(adv, history=None) -> list[tuple[str, str]]:
    return [(step.value, step.status) for step in steps_of(adv, history)]


def test_a_request_in_analysis_has_done_current_and_coming_steps(request_in):
    adv = request_in(R.ANALYSIS)

    assert _steps(adv) == [
        (R.RECEIVED, "done"),
        (R.ACCEPTED, "done"),
        (R.MISSION_PLANNED, "done"),
        (R.MISSION_COMPLETED, "done"),
        (R.ANALYSIS, "current"),
        (R.PLAN_DRAFTED, "todo"),
        (R.PLAN_AGREED, "todo"),
        (R.FOLLOW_UP, "todo"),
        (R.CLOSED, "todo"),
    ]


def test_a_declined_request_ends_on_its_side_exit(request_in):
    adv = request_in(R.DECLINED)

    assert _steps(adv) == [(R.RECEIVED, "done"), (R.DECLINED, "done")]


def test_a_request_closed_early_shows_only_the_steps_it_went_through(request_in, chief):
    adv = request_in(R.ACCEPTED)
    advisory.fire_transition(chief, adv.pk, "close", comment="The Government withdrew.")
    adv.refresh_from_db()
    history = history_rows(adv.history.all())

    assert _steps(adv, history) == [
        (R.RECEIVED, "done"),
        (R.ACCEPTED, "done"),
        (R.CLOSED, "done"),
    ]


@pytest.mark.parametrize("who", ["staff", "focal_point"])
def test_the_request_page_shows_its_step_list(client, request_in, who, request):
    adv = request_in(R.MISSION_PLANNED)
    client.force_login(request.getfixturevalue(who))

    page = client.get(f"/advisory-requests/{adv.pk}/").content.decode()

    assert '<ol class="step-list">' in page
    assert (
        '<li class="step-list__item step-list__item--current" aria-current="step">'
        'Assessment mission planned <span class="step-list__status">Current step</span></li>'
    ) in page
    assert page.count("step-list__item--done") == 2
