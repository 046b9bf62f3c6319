"""Property test: random sequences of transitions by random people, fired through the service.

Whatever the sequence, the deliverable is always in a state the machine allows, it only moves
along the machine's edges, each move is audited exactly once, a refusal changes nothing, and a
deliverable has an open review round exactly while it is in review.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from tests.factories import PDF_BYTES, branch, person
from workflows import services
from workflows.enums import (
    ASSIGNMENT_OUTSTANDING_STATES,
    DeliverableAction,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
    RoundState,
)
from workflows.models import Deliverable, DeliverableHistory, ReviewAssignment, ReviewRound

S = DeliverableState

# The machine of the issue, written out independently of the model: name -> (sources, target).
MACHINE = {
    "start_drafting": ({S.PLANNED}, S.DRAFTING),
    "submit_for_review": ({S.DRAFTING, S.REVISING}, S.IN_REVIEW),
    "return_for_revision": ({S.IN_REVIEW}, S.REVISING),
    "approve": ({S.IN_REVIEW}, S.APPROVED),
    "publish": ({S.APPROVED}, S.PUBLISHED),
    "cancel": ({S.PLANNED, S.DRAFTING, S.IN_REVIEW, S.REVISING}, S.CANCELLED),
}
EDGES = {(source, target) for sources, target in MACHINE.values() for source in sources}
# Who may fire what: the chief (and a superuser) decides, the owner drafts and submits.
MAY_FIRE = {
    "owner": {"start_drafting", "submit_for_review"},
    "chief": set(MACHINE),
    "superuser": set(MACHINE),
    "colleague": set(),
    "other_chief": set(),
    "reviewer": set(),
}
# Besides transitions, the steps upload versions, assign the reviewer and submit reviews.
ACTIONS = [*MACHINE, "upload", "assign", "review"]
ACTORS = sorted(MAY_FIRE)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def draw_step(data, state: str) -> tuple[str, str, bool, bool]:
    """An action (half the time one that the current state makes possible and that moves
    forward, so that sequences get deep into the machine), an actor, and whether a comment and
    a waiver are given."""
    if data.draw(st.booleans(), label="possible now"):
        candidates = [
            name for name, (sources, _t) in MACHINE.items() if state in sources and name != "cancel"
        ]
        if state in (S.PLANNED, S.DRAFTING, S.REVISING):
            candidates.append("upload")
        if state == S.IN_REVIEW:
            candidates += ["assign", "review"]
        actions = candidates or ACTIONS
    else:
        actions = ACTIONS
    return (
        data.draw(st.sampled_from(actions), label="action"),
        data.draw(st.sampled_from(ACTORS), label="actor"),
        data.draw(st.booleans(), label="with comment"),
        data.draw(st.booleans(), label="with waiver"),
    )


@pytest.fixture
def cast(db):
    return {
        "owner": person(Role.BRANCH_STAFF, username="owner", branch_code="e-govb"),
        "colleague": person(Role.BRANCH_STAFF, username="colleague", branch_code="e-govb"),
        "chief": person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb"),
        "other_chief": person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb"),
        "reviewer": person(Role.CEPA_MEMBER, username="amina", country="GHA"),
        "superuser": person(username="root", is_superuser=True, is_staff=True),
    }


def expected_outcome(name, who, state, *, unreviewed, comment, waiver, outstanding):
    """What fire_transition must do: the target state, or the exception class it raises."""
    sources, target = MACHINE[name]
    if state not in sources:
        return ServiceConflict
    if name not in MAY_FIRE[who]:
        return PermissionDenied
    if name == "submit_for_review" and not unreviewed:
        return ValidationError
    if name in {"cancel", "return_for_revision"} and not comment:
        return ValidationError
    if name == "approve" and outstanding and not waiver:
        return ValidationError
    return target


def transition_audits(deliverable) -> list[tuple[str, str]]:
    return list(
        DeliverableHistory.objects.filter(
            deliverable=deliverable, action=DeliverableAction.TRANSITION
        )
        .order_by("pk")
        .values_list("from_state", "to_state")
    )


def outstanding_assignments(deliverable):
    return ReviewAssignment.objects.filter(
        deliverable=deliverable,
        round__state=RoundState.OPEN,
        state__in=ASSIGNMENT_OUTSTANDING_STATES,
    )


def has_unreviewed_version(deliverable) -> bool:
    latest = deliverable.versions.order_by("-number").first()
    return latest is not None and not ReviewRound.objects.filter(version=latest).exists()


def other_step(action, deliverable, cast) -> None:
    """Upload a version (owner), assign the reviewer (owner) or submit a review (reviewer);
    each may be impossible right now, which is fine."""
    try:
        if action == "upload":
            upload = SimpleUploadedFile("draft.pdf", PDF_BYTES, content_type="application/pdf")
            services.upload_version(cast["owner"], deliverable, upload)
        elif action == "assign":
            due = timezone.localdate() + datetime.timedelta(days=14)
            services.assign_reviewers(cast["owner"], deliverable, [cast["reviewer"]], due)
        else:
            assignment = outstanding_assignments(deliverable).first()
            if assignment is not None:
                services.save_review(
                    cast["reviewer"],
                    assignment,
                    recommendation=Recommendation.READY,
                    comments="Fine.",
                    submit=True,
                )
    except (ValidationError, PermissionDenied, ServiceConflict):
        pass


def check_invariants(deliverable, history: list[tuple[str, str]]) -> None:
    state = Deliverable.objects.values_list("state", flat=True).get(pk=deliverable.pk)
    assert state in S.values
    assert transition_audits(deliverable) == history
    open_rounds = ReviewRound.objects.filter(deliverable=deliverable, state=RoundState.OPEN)
    assert open_rounds.count() == (1 if state == S.IN_REVIEW else 0)
    # leaving review closes the round and withdraws what was still owed
    if state != S.IN_REVIEW:
        assert not outstanding_assignments(deliverable).exists()


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(min_value=1, max_value=25))
def test_random_transition_sequences_keep_the_machine_sound(cast, data, length):
    # Each example runs in its own savepoint, rolled back at the end: a fresh deliverable.
    with transaction.atomic():
        product = services.create_product(
            cast["chief"],
            branch=branch("e-govb"),
            kind=ProductKind.REPORT,
            title="World Public Sector Report",
            edition="2027",
        )
        deliverable = services.create_deliverable(
            cast["owner"],
            product=product,
            owner=cast["owner"],
            title="Chapter 1",
            kind=DeliverableKind.CHAPTER,
            due_date=timezone.localdate() + datetime.timedelta(days=90),
        )
        history: list[tuple[str, str]] = []

        for _step in range(length):
            before = Deliverable.objects.values_list("state", flat=True).get(pk=deliverable.pk)
            action, who, with_comment, with_waiver = draw_step(data, before)
            if action not in MACHINE:
                other_step(action, deliverable, cast)
                check_invariants(deliverable, history)
                continue
            expected = expected_outcome(
                action,
                who,
                before,
                unreviewed=has_unreviewed_version(deliverable),
                comment=with_comment,
                waiver=with_waiver,
                outstanding=outstanding_assignments(deliverable).exists(),
            )
            try:
                result = services.fire_transition(
                    cast[who],
                    deliverable.pk,
                    action,
                    comment="Because." if with_comment else "",
                    waiver_reason="Deadline." if with_waiver else "",
                )
            except (ValidationError, PermissionDenied, ServiceConflict) as exc:
                assert type(exc) is expected, (action, who, before, exc)
                after = Deliverable.objects.values_list("state", flat=True).get(pk=deliverable.pk)
                assert after == before
            else:
                assert result.state == expected, (action, who, before)
                assert (before, result.state) in EDGES
                history.append((before, result.state))
                event(f"reached {result.state}")
            check_invariants(deliverable, history)

        transaction.set_rollback(True)
