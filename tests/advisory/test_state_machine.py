"""Property test: random sequences of steps by random people on an advisory request, through
the services (transitions, scheduling the mission, uploading the plan of action).

Whatever the sequence, the request is always in a known state, it only moves along the
lifecycle's edges, only the people allowed succeed (and each refusal is the exception the
rules say, changing nothing), the final states are final, and what each state implies holds
(a lead once accepted, a mission once planned, a plan of action once drafted, a reason when
declined)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from advisory import services as advisory
from advisory.enums import REQUEST_FINAL_STATES, DocumentKind, RequestState
from advisory.models import AdvisoryRequest
from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from tests.factories import PDF_BYTES, branch, member_state, person

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = RequestState

# The lifecycle of the issue, written out independently of the model: name -> (sources, target).
MACHINE = {
    "accept": ({S.RECEIVED}, S.ACCEPTED),
    "decline": ({S.RECEIVED}, S.DECLINED),
    "plan_mission": ({S.ACCEPTED}, S.MISSION_PLANNED),
    "complete_mission": ({S.MISSION_PLANNED}, S.MISSION_COMPLETED),
    "start_analysis": ({S.MISSION_COMPLETED, S.PLAN_DRAFTED}, S.ANALYSIS),
    "draft_plan": ({S.ANALYSIS}, S.PLAN_DRAFTED),
    "agree_plan": ({S.PLAN_DRAFTED}, S.PLAN_AGREED),
    "start_follow_up": ({S.PLAN_AGREED}, S.FOLLOW_UP),
    "close": (
        {S.ACCEPTED, S.MISSION_COMPLETED, S.ANALYSIS, S.PLAN_AGREED, S.FOLLOW_UP},
        S.CLOSED,
    ),
}
EDGES = {(source, target) for sources, target in MACHINE.values() for source in sources}
LEAD_STEPS = {
    "plan_mission",
    "complete_mission",
    "start_analysis",
    "draft_plan",
    "agree_plan",
    "start_follow_up",
}
# Who may fire what: the chief (and a superuser) decides and may do the lead's work; the lead
# (the advisor named on acceptance) moves the work along; nobody else fires anything.
MAY_FIRE = {
    "chief": set(MACHINE),
    "superuser": set(MACHINE),
    "lead": LEAD_STEPS,
    "staff": set(),
    "team_member": set(),
    "focal_point": set(),
    "other_chief": set(),
}
ACTORS = sorted(MAY_FIRE)
# Besides transitions: schedule the mission, upload the plan of action.
ACTIONS = [*MACHINE, "schedule", "upload_plan"]
# What each state implies.
WITH_MISSION = {
    S.MISSION_PLANNED,
    S.MISSION_COMPLETED,
    S.ANALYSIS,
    S.PLAN_DRAFTED,
    S.PLAN_AGREED,
    S.FOLLOW_UP,
}
WITH_PLAN = {S.PLAN_DRAFTED, S.PLAN_AGREED, S.FOLLOW_UP}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cast(db):
    return {
        "chief": person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb"),
        "lead": person(Role.INTER_REGIONAL_ADVISOR, username="ira", branch_code="e-govb"),
        "staff": person(Role.BRANCH_STAFF, username="staff", branch_code="e-govb"),
        "team_member": person(
            Role.INTER_REGIONAL_ADVISOR, username="teammate", branch_code="e-govb"
        ),
        "focal_point": person(Role.FOCAL_POINT, username="focal", country="OMN"),
        "other_chief": person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb"),
        "superuser": person(username="root", is_superuser=True, is_staff=True),
    }


def draw_step(data, state: str) -> tuple[str, str, bool, bool]:
    """An action, an actor, and whether a comment and a lead are given. Half the time the
    action is one the state makes possible and that moves forward, by someone allowed, with
    what it needs, so that sequences reach deep into the lifecycle; otherwise anything."""
    if data.draw(st.booleans(), label="forward"):
        candidates = [
            name
            for name, (sources, _t) in MACHINE.items()
            if state in sources and name not in {"close", "decline", "plan_mission"}
        ]
        if state == S.FOLLOW_UP:
            candidates.append("close")
        if state == S.ACCEPTED:
            candidates.append("schedule")
        if state == S.ANALYSIS:
            candidates.append("upload_plan")
        if candidates:
            action = data.draw(st.sampled_from(candidates), label="action")
            allowed = sorted(
                who
                for who in ACTORS
                if action in MAY_FIRE[who] or (action not in MACHINE and may_lead(who))
            )
            actor = data.draw(st.sampled_from(allowed), label="actor")
            return action, actor, True, True
    return (
        data.draw(st.sampled_from(ACTIONS), label="action"),
        data.draw(st.sampled_from(ACTORS), label="actor"),
        data.draw(st.booleans(), label="with comment"),
        data.draw(st.booleans(), label="with lead"),
    )


def expected_outcome(name, who, advisory_request, *, comment: bool, lead: bool):
    """What fire_transition must do: the target state, or the exception class it raises."""
    sources, target = MACHINE[name]
    if advisory_request.state not in sources:
        return ServiceConflict
    if name not in MAY_FIRE[who]:
        return PermissionDenied
    if name == "plan_mission" and advisory_request.mission_id is None:
        return ValidationError
    if name == "draft_plan" and not advisory_request.has_plan():
        return ValidationError
    if name == "decline" and not comment:
        return ValidationError
    if name == "accept" and not lead:
        return ValidationError
    return target


def may_lead(who: str) -> bool:
    return who in {"chief", "superuser", "lead"}


def other_step(action: str, who: str, advisory_request, cast) -> None:
    """Schedule the mission or upload the plan; allowed only to the lead, the chief and a
    superuser, in the right state. A refusal changes nothing."""
    before = AdvisoryRequest.objects.get(pk=advisory_request.pk)
    documents_before = before.documents.count()
    try:
        if action == "schedule":
            start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=10)
            advisory.schedule_mission(
                cast[who],
                advisory_request.pk,
                start=start,
                end=start + datetime.timedelta(days=2),
                time_zone="Asia/Muscat",
                location="Muscat",
            )
        else:
            upload = SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf")
            advisory.upload_document(
                cast[who], advisory_request.pk, DocumentKind.PLAN_OF_ACTION, upload
            )
    except (ValidationError, PermissionDenied, ServiceConflict):
        after = AdvisoryRequest.objects.get(pk=advisory_request.pk)
        assert (after.state, after.mission_id) == (before.state, before.mission_id)
        assert after.documents.count() == documents_before
        return
    after = AdvisoryRequest.objects.get(pk=advisory_request.pk)
    # Lead's work: only the lead (once named), the chief, a superuser.
    assert may_lead(who) and (who != "lead" or before.lead_id == cast["lead"].pk)
    if action == "schedule":
        assert (before.state, after.state) == (S.ACCEPTED, S.MISSION_PLANNED)
        assert after.mission_id is not None
        event("reached mission_planned")
    else:
        assert before.state not in (S.RECEIVED, *REQUEST_FINAL_STATES)
        assert after.documents.count() == documents_before + 1


def check_invariants(advisory_request, history: list[tuple[str, str]]) -> None:
    current = AdvisoryRequest.objects.get(pk=advisory_request.pk)
    assert current.state in S.values
    assert (current.lead_id is None) == (current.state in (S.RECEIVED, S.DECLINED))
    if current.state in WITH_MISSION:
        assert current.mission_id is not None
    if current.state in WITH_PLAN:
        assert current.has_plan()
    assert bool(current.decline_reason) == (current.state == S.DECLINED)
    # Once final, nothing moved it again.
    finals = [i for i, (_s, target) in enumerate(history) if target in REQUEST_FINAL_STATES]
    assert finals in ([], [len(history) - 1])


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(min_value=1, max_value=20))
def test_random_step_sequences_keep_the_lifecycle_sound(cast, data, length):
    # Each example runs in its own savepoint, rolled back at the end: a fresh request.
    with transaction.atomic():
        advisory_request = advisory.register_request(
            cast["staff"],
            country=member_state("OMN"),
            branch=branch("e-govb"),
            kind="assessment",
            channel="letter",
            received_on=timezone.localdate(),
            title="Assessment of e-Oman",
            description="Please.",
        )
        history: list[tuple[str, str]] = []

        for _step in range(length):
            current = AdvisoryRequest.objects.get(pk=advisory_request.pk)
            action, who, with_comment, with_lead = draw_step(data, current.state)
            if action not in MACHINE:
                other_step(action, who, advisory_request, cast)
                after = AdvisoryRequest.objects.get(pk=advisory_request.pk).state
                if after != current.state:
                    history.append((current.state, after))
                check_invariants(advisory_request, history)
                continue
            expected = expected_outcome(action, who, current, comment=with_comment, lead=with_lead)
            try:
                result = advisory.fire_transition(
                    cast[who],
                    advisory_request.pk,
                    action,
                    comment="Because." if with_comment else "",
                    lead=cast["lead"] if with_lead else None,
                )
            except (ValidationError, PermissionDenied, ServiceConflict) as exc:
                assert type(exc) is expected, (action, who, current.state, exc)
                after = AdvisoryRequest.objects.get(pk=advisory_request.pk)
                assert (after.state, after.lead_id, after.decline_reason) == (
                    current.state,
                    current.lead_id,
                    current.decline_reason,
                )
            else:
                assert result.state == expected, (action, who, current.state)
                assert (current.state, result.state) in EDGES
                history.append((current.state, result.state))
                event(f"reached {result.state}")
            check_invariants(advisory_request, history)

        transaction.set_rollback(True)
