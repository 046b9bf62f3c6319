"""Property test: the blind rule across review rounds (issue 16, item 4).

Random deliverables go through one to three rounds, each with CEPA members and a staff
colleague who are invited, write a draft, submit or decline, the owner responding to each
round's reviews before the next. For every person, whatever happened:

- their own reviews are theirs to read, drafts included; nobody reads another's draft;
- a reviewer reads another's submitted review of round r exactly when they submitted a
  review in round r or a later one and owe none in round r or later (round n's reviewers
  read the earlier rounds once their review of round n is in, never before, even those who
  reviewed an earlier round too);
- those who see the whole deliverable (owner, chief, branch staff) read it unless round r,
  or a later one, is one they still owe a review in without having submitted there;
- the API's list and the pages' query agree;
- a reviewer downloads exactly the versions up to the latest one they were given, and reads
  the owner's responses to the rounds before one they review.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cepa_collab.enums import Role
from tests.factories import ProductFactory, pdf, person
from workflows import queries, responses, services
from workflows.enums import (
    ASSIGNMENT_ACCESS_STATES,
    ASSIGNMENT_OUTSTANDING_STATES,
    DeliverableKind,
    Recommendation,
    ReviewStatus,
)
from workflows.models import Deliverable, Review, ReviewAssignment

DUE = datetime.date.today() + datetime.timedelta(days=30)
REVIEWERS = ("m1", "m2", "m3", "colleague")
FATES = ("absent", "invited", "draft", "submitted", "declined")


@pytest.fixture
def people(chief, staff):
    made = {"owner": staff, "chief": chief}
    made["bystander"] = person(Role.BRANCH_STAFF, username="bystander", branch_code="e-govb")
    made["colleague"] = person(Role.BRANCH_STAFF, username="colleague", branch_code="e-govb")
    for name in ("m1", "m2", "m3"):
        made[name] = person(Role.CEPA_MEMBER, username=name)
    return made


rounds_strategy = st.lists(
    st.fixed_dictionaries({name: st.sampled_from(FATES) for name in REVIEWERS}).filter(
        lambda fates: any(fate != "absent" for fate in fates.values())
    ),
    min_size=1,
    max_size=3,
)


def play(people, rounds: list[dict], close_last: bool) -> Deliverable:
    owner, chief = people["owner"], people["chief"]
    product = ProductFactory(actor=chief, title="Survey")
    deliverable = services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title="Chapter",
        kind=DeliverableKind.CHAPTER,
        due_date=DUE,
    )
    services.fire_transition(owner, deliverable.pk, "start_drafting")
    for number, fates in enumerate(rounds, start=1):
        if number > 1:
            responses.save_response(owner, deliverable.pk, text=f"Response to {number - 1}")
        services.upload_version(owner, deliverable.pk, pdf(f"v{number}.pdf"))
        services.fire_transition(owner, deliverable.pk, "submit_for_review")
        chosen = [name for name in REVIEWERS if fates[name] != "absent"]
        created = services.assign_reviewers(
            owner, deliverable.pk, [people[name] for name in chosen], DUE
        )
        for name, assignment in zip(chosen, created, strict=True):
            user, fate = people[name], fates[name]
            if fate in ("draft", "submitted"):
                services.save_review(
                    user,
                    assignment,
                    recommendation=Recommendation.MINOR_REVISION,
                    comments=f"{name} in round {number}",
                    submit=fate == "submitted",
                )
            elif fate == "declined":
                services.decline_assignment(user, assignment, "Busy.")
        if number < len(rounds) or close_last:
            services.fire_transition(chief, deliverable.pk, "return_for_revision", comment="Go.")
    return Deliverable.objects.select_related("product").get(pk=deliverable.pk)


def expected_reviews(user, deliverable, sees_all: bool) -> set[int]:
    """The rule of the module's docstring, written from the records, not from the query."""
    mine = ReviewAssignment.objects.filter(deliverable=deliverable, reviewer=user)
    submitted = {a.round.number for a in mine.select_related("round") if a.state == "submitted"}
    owes = {
        a.round.number
        for a in mine.select_related("round")
        if a.state in ASSIGNMENT_OUTSTANDING_STATES
    }
    shown = set()
    for review in Review.objects.filter(assignment__deliverable=deliverable).select_related(
        "assignment__round"
    ):
        r = review.assignment.round.number
        if review.assignment.reviewer_id == user.pk:
            shown.add(review.pk)
        elif review.status != ReviewStatus.SUBMITTED:
            continue
        elif any(o >= r for o in owes):
            continue  # round r is blind to them while they owe a review there or later
        elif any(s >= r for s in submitted) or sees_all:
            shown.add(review.pk)
    return shown


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rounds=rounds_strategy, close_last=st.booleans())
def test_blind_rule_across_rounds(people, rounds, close_last):
    with translation.override("en"), transaction.atomic():
        deliverable = play(people, rounds, close_last)
        for name, user in people.items():
            sees_all = queries.sees_all_of(user, deliverable)
            shown = set(queries.visible_reviews(user, deliverable).values_list("pk", flat=True))
            everywhere = set(
                queries.visible_reviews_of_all(user)
                .filter(assignment__deliverable=deliverable)
                .values_list("pk", flat=True)
            )
            assert shown == expected_reviews(user, deliverable, sees_all), name
            assert everywhere == shown, name
            if not sees_all:
                given_rounds = [
                    a.round
                    for a in ReviewAssignment.objects.filter(
                        deliverable=deliverable, reviewer=user, state__in=ASSIGNMENT_ACCESS_STATES
                    ).select_related("round__version")
                ]
                latest = max((r.version.number for r in given_rounds), default=0)
                versions = [v.number for v in queries.visible_versions(user, deliverable)]
                assert versions == list(range(1, latest + 1)), name
                last_round = max((r.number for r in given_rounds), default=0)
                answered = sorted(
                    view.round.number
                    for view in responses.visible_responses(user, deliverable).values()
                )
                assert answered == list(range(1, last_round)), name
        transaction.set_rollback(True)
