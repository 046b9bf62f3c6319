"""Property test: random sequences of transitions, edits and incorporations by random people,
fired through the services.

Whatever the sequence, a contribution is always in a known state and only moves along the
machine's edges; a refusal changes nothing; its open deadlines are exactly those its state
asks for (the branch's staff and chief while submitted, the reviewer while under review,
nobody otherwise); the author is notified exactly once per acceptance, return and
incorporation, and nobody else is ever notified.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cepa_collab.exceptions import ServiceConflict
from contributions import services
from contributions.deadlines import ContributionDeadline
from contributions.enums import ContributionKind, ContributionState
from contributions.models import Contribution
from notifications.models import Deadline, Notification
from tests.contributions.contribution_fixtures import CASE_STUDY, cast, compendium, country, volume

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = ContributionState

# The machine of the issue, written out independently of the model: name -> (sources, target).
MACHINE = {
    "submit": ({S.DRAFT, S.RETURNED}, S.SUBMITTED),
    "start_review": ({S.SUBMITTED}, S.UNDER_REVIEW),
    "accept": ({S.UNDER_REVIEW}, S.ACCEPTED),
    "return_for_revision": ({S.UNDER_REVIEW}, S.RETURNED),
    "withdraw": ({S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED}, S.WITHDRAWN),
}
EDGES = {(source, target) for sources, target in MACHINE.values() for source in sources}
REVIEWERS = {"staff", "chief", "superuser"}
MAY_FIRE = {
    "author": {"submit", "withdraw"},
    "staff": {"start_review", "accept", "return_for_revision"},
    "chief": {"start_review", "accept", "return_for_revision"},
    "superuser": {"start_review", "accept", "return_for_revision"},
    "other_member": set(),
    "advisor": set(),
    "other_branch_staff": set(),
    "focal_point": set(),
}
ACTORS = sorted(MAY_FIRE)
# Besides transitions: the author empties or completes the draft, staff incorporate it.
ACTIONS = [*MACHINE, "make_incomplete", "complete", "incorporate"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    from tests.factories import person

    people = cast()
    people["superuser"] = person(username="root", is_superuser=True, is_staff=True)
    deliverable = volume(people["chief"], people["staff"], compendium(people["chief"]))
    return people, deliverable


def draw_step(data, state: str) -> tuple[str, str, bool]:
    """An action and an actor (half the time an action the current state makes possible,
    mostly by someone who may fire it, so that sequences get deep into the machine), and
    whether a comment is given."""
    actors = ACTORS
    if data.draw(st.booleans(), label="possible now"):
        actions = [name for name, (sources, _t) in MACHINE.items() if state in sources]
        if data.draw(st.integers(0, 4), label="keep withdraw") > 0:
            # Withdrawing ends the machine: only now and then.
            actions = [a for a in actions if a != "withdraw"] or actions
        actions = actions or ACTIONS
        if state == S.ACCEPTED:
            actions = ["incorporate"]
        if data.draw(st.integers(0, 3), label="by someone allowed") > 0:
            action = data.draw(st.sampled_from(actions), label="action")
            allowed = sorted(
                who
                for who, names in MAY_FIRE.items()
                if action in names or (action == "incorporate" and who in REVIEWERS)
            )
            actors = allowed or ACTORS
            return (
                action,
                data.draw(st.sampled_from(actors), label="actor"),
                data.draw(st.booleans(), label="with comment"),
            )
    else:
        actions = ACTIONS
    return (
        data.draw(st.sampled_from(actions), label="action"),
        data.draw(st.sampled_from(actors), label="actor"),
        data.draw(st.booleans(), label="with comment"),
    )


def expected_outcome(name: str, who: str, state: str, *, complete: bool, comment: bool):
    sources, target = MACHINE[name]
    if state not in sources:
        return ServiceConflict
    if name not in MAY_FIRE[who]:
        return PermissionDenied
    if name == "submit" and not complete:
        return ValidationError
    if name == "return_for_revision" and not comment:
        return ValidationError
    return target


def open_deadline_holders(contribution: Contribution) -> set[str]:
    return set(
        Deadline.objects.filter(
            kind=ContributionDeadline.CONTRIBUTION, object_id=contribution.pk, done_at__isnull=True
        ).values_list("user__username", flat=True)
    )


def check_invariants(contribution: Contribution, people, notified: int) -> None:
    saved = Contribution.objects.get(pk=contribution.pk)
    assert saved.state in S.values
    holders = open_deadline_holders(saved)
    if saved.state == S.SUBMITTED:
        assert holders == {"staff", "chief"}
    elif saved.state == S.UNDER_REVIEW:
        assert holders == {saved.reviewer.username}
    else:
        assert holders == set()
    assert Notification.objects.filter(user=people["author"]).count() == notified
    assert Notification.objects.exclude(user=people["author"]).count() == 0
    if saved.incorporated_into_id is not None:
        assert saved.state == S.ACCEPTED


def other_step(action: str, contribution: Contribution, people, deliverable, who: str) -> int:
    """Edit the draft (the author) or incorporate it (anyone may try); returns how many
    notifications it should have sent."""
    try:
        if action == "make_incomplete":
            services.update(people["author"], contribution, innovation="")
        elif action == "complete":
            services.update(people["author"], contribution, innovation=CASE_STUDY["innovation"])
        else:
            services.incorporate(people[who], contribution, deliverable)
            return 1
    except (ValidationError, PermissionDenied, ServiceConflict):
        pass
    return 0


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(min_value=1, max_value=20))
def test_random_sequences_keep_the_contribution_lifecycle_sound(world, data, length):
    people, deliverable = world
    # Each example runs in its own savepoint, rolled back at the end: a fresh contribution.
    with transaction.atomic():
        contribution = services.propose(
            people["author"],
            kind=ContributionKind.CASE_STUDY,
            country=country("GHA"),
            **CASE_STUDY,
        )
        notified = 0
        for _step in range(length):
            before = Contribution.objects.get(pk=contribution.pk)
            action, who, with_comment = draw_step(data, before.state)
            if action not in MACHINE:
                notified += other_step(action, contribution, people, deliverable, who)
                check_invariants(contribution, people, notified)
                continue
            expected = expected_outcome(
                action,
                who,
                before.state,
                complete=not services.completeness_errors(before),
                comment=with_comment,
            )
            try:
                result = services.fire_transition(
                    people[who], contribution.pk, action, comment="Why." if with_comment else ""
                )
            except (ValidationError, PermissionDenied, ServiceConflict) as exc:
                assert type(exc) is expected, (action, who, before.state, exc)
                after = Contribution.objects.get(pk=contribution.pk)
                assert (after.state, after.updated_at) == (before.state, before.updated_at)
            else:
                assert result.state == expected, (action, who, before.state)
                assert (before.state, result.state) in EDGES
                if action in {"accept", "return_for_revision"}:
                    notified += 1
                if action == "start_review":
                    assert result.reviewer == people[who]
                event(f"reached {result.state}")
            check_invariants(contribution, people, notified)

        transaction.set_rollback(True)
