"""The chief's cockpit at scale (issue 15, item 3): the whole-branch dashboard and the
Division view.

The ``cockpit`` data set adds to ``deliverables`` (see `bench.cases_workflows`: 10,000
deliverables and 50,000 assignments by default) what the higher apps show on the
cockpit: ``milestones`` advisory milestones (default 5,000) on ``requests`` advisory
requests of the e-Government Branch (some with their plan of action in review),
``contributions`` contributions (default 5,000, a third awaiting review), and upcoming
meetings with invitations, some unanswered. Everything is inserted in bulk.

Targets: the cockpit under 120 ms (in-process median) and under 25 queries. The page as
usually served reuses its branch overview (``cockpit_chief``); ``cockpit_chief_cold``
recomputes it. On a bench database without statistics (no ``ANALYZE``) SQLite plans
`Deliverable.objects.awaiting_decision` through the ``assignment_state_due`` index for
every deliverable (about 20 s of a cold view at 10,000 deliverables); after ``ANALYZE``
the same queries take 0.23 s in all. Growth: run
the same cases at 1× (``--scale deliverables=1000 --scale assignments=5000 --scale
milestones=500 --scale contributions=500 --scale requests=50``) and at 10× or 100× (the
same keys multiplied), and compare the medians of the two tables it prints.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from advisory.enums import Channel, MilestoneState, RequestKind, RequestState
from advisory.models import AdvisoryRequest, Milestone
from bench.harness import BENCH_PASSWORD, Context, expect_ok
from bench.registry import benchmark, dataset
from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState
from cepa_collab.services import create_person
from contributions.enums import ContributionKind, ContributionState
from contributions.models import Contribution
from meetings.enums import MeetingKind, MeetingStatus, Reply
from meetings.models import Meeting, Participant
from workflows.enums import DeliverableState
from workflows.models import Deliverable

BATCH = 2000
MEETINGS = 200
PARTICIPANTS = 6
REQUEST_STATES = [
    RequestState.ACCEPTED,
    RequestState.MISSION_PLANNED,
    RequestState.ANALYSIS,
    RequestState.PLAN_DRAFTED,
    RequestState.FOLLOW_UP,
    RequestState.CLOSED,
]
CONTRIBUTION_MIX = [
    (ContributionState.DRAFT, 10),
    (ContributionState.SUBMITTED, 15),
    (ContributionState.UNDER_REVIEW, 15),
    (ContributionState.ACCEPTED, 50),
    (ContributionState.RETURNED, 5),
    (ContributionState.WITHDRAWN, 5),
]


@dataclass(frozen=True)
class Cockpit:
    chief: Any
    admin: Any
    milestones: int
    contributions: int


def _pick(rng: random.Random, mix: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in mix], [w for _, w in mix])[0]


@dataclass(frozen=True)
class _People:
    chief: Any
    staff: list[Any]
    advisors: list[Any]
    members: list[Any]


def _people() -> _People:
    User = get_user_model()
    people = User.objects.filter(username__startswith="wf_").order_by("username")
    by_prefix: dict[str, list[Any]] = {"chief": [], "staff": [], "ira": [], "member": []}
    for user in people:
        prefix = user.username.removeprefix("wf_").rstrip("0123456789")
        by_prefix.setdefault(prefix, []).append(user)
    return _People(by_prefix["chief"][0], by_prefix["staff"], by_prefix["ira"], by_prefix["member"])


def _admin() -> Any:
    return create_person(
        username="wf_secretariat",
        email="wf_secretariat@example.org",
        first_name="Secretariat",
        last_name="Bench",
        password=BENCH_PASSWORD,
        roles=[Role.SECRETARIAT_ADMIN],
    )


@dataset(
    "cockpit",
    needs=("deliverables",),
    scale={"milestones": 5_000, "contributions": 5_000, "requests": 500},
)
def build_cockpit(ctx: Context) -> Cockpit:
    """Advisory requests with milestones (and plans in review), contributions and upcoming
    meetings with invitations, for the e-Government Branch."""
    rng = random.Random(2015)
    today = timezone.localdate()
    now = timezone.now()
    branch = Branch.objects.get(code="e-govb")
    people = _people()
    countries = list(MemberState.objects.order_by("iso3")[:60])
    in_review = list(
        branch_deliverables(branch)
        .filter(state=DeliverableState.IN_REVIEW)
        .values_list("pk", flat=True)[: ctx.scale["requests"] // 10]
    )
    with transaction.atomic():
        admin = _admin()
        requests = AdvisoryRequest.objects.bulk_create(
            (
                AdvisoryRequest(
                    country=countries[i % len(countries)],
                    branch=branch,
                    kind=RequestKind.ASSESSMENT,
                    channel=Channel.LETTER,
                    received_on=today - datetime.timedelta(days=rng.randint(30, 700)),
                    title=f"E-government assessment {i:04d}",
                    description="Assessment of the national e-government programme.",
                    state=REQUEST_STATES[i % len(REQUEST_STATES)],
                    lead=people.advisors[i % len(people.advisors)],
                    created_by=people.chief,
                    plan_review_id=in_review[i] if i < len(in_review) else None,
                )
                for i in range(ctx.scale["requests"])
            ),
            batch_size=BATCH,
        )
        Milestone.objects.bulk_create(
            (
                Milestone(
                    request=requests[i % len(requests)],
                    title=f"Milestone {i:05d}",
                    due_date=today + datetime.timedelta(days=rng.randint(-90, 180)),
                    lead=people.advisors[i % len(people.advisors)],
                    state=MilestoneState.OPEN if rng.random() < 0.6 else MilestoneState.DONE,
                )
                for i in range(ctx.scale["milestones"])
            ),
            batch_size=BATCH,
        )
        contributions = []
        for i in range(ctx.scale["contributions"]):
            state = _pick(rng, CONTRIBUTION_MIX)
            submitted = state != ContributionState.DRAFT
            contributions.append(
                Contribution(
                    author=people.members[i % len(people.members)],
                    kind=ContributionKind.CASE_STUDY,
                    branch=branch,
                    country=countries[i % len(countries)],
                    title=f"Case study {i:05d}",
                    summary="One identity card for every public service.",
                    state=state,
                    submitted_at=now if submitted else None,
                    review_due=today + datetime.timedelta(days=rng.randint(-30, 30))
                    if submitted
                    else None,
                    reviewer=rng.choice(people.staff)
                    if state != ContributionState.SUBMITTED and submitted
                    else None,
                )
            )
        Contribution.objects.bulk_create(contributions, batch_size=BATCH)
        meetings = Meeting.objects.bulk_create(
            Meeting(
                kind=MeetingKind.EXPERT_GROUP,
                title=f"Expert group meeting {i:03d}",
                branch=branch,
                start=now + datetime.timedelta(days=rng.randint(-200, 200), hours=1),
                end=now + datetime.timedelta(days=400),
                status=MeetingStatus.CONFIRMED,
                created_by=people.chief,
            )
            for i in range(MEETINGS)
        )
        for m in meetings:
            m.end = m.start + datetime.timedelta(hours=6)
        Meeting.objects.bulk_update(meetings, ["end"], batch_size=BATCH)
        Participant.objects.bulk_create(
            (
                Participant(
                    meeting=m,
                    user=member,
                    reply=rng.choice([Reply.INVITED, Reply.ACCEPTED, Reply.ACCEPTED]),
                )
                for m in meetings
                for member in rng.sample(people.members, PARTICIPANTS)
            ),
            batch_size=BATCH,
        )
    return Cockpit(
        chief=people.chief,
        admin=admin,
        milestones=ctx.scale["milestones"],
        contributions=ctx.scale["contributions"],
    )


def branch_deliverables(branch: Branch):
    return Deliverable.objects.filter(product__branch=branch)


def _chief(ctx: Context):
    return ctx.client(ctx.data["cockpit"].chief)


def _admin_client(ctx: Context):
    return ctx.client(ctx.data["cockpit"].admin)


@benchmark(
    "cockpit_chief",
    "GET /dashboard/ (whole-branch cockpit) as the e-GovB chief: {deliverables:,} "
    "deliverables, {assignments:,} assignments, {milestones:,} milestones, "
    "{contributions:,} contributions",
    setup=_chief,
    needs=("cockpit",),
)
def cockpit_chief(client) -> None:
    expect_ok(client.get("/dashboard/"))


@benchmark(
    "cockpit_chief_cold",
    "GET /dashboard/ as the chief, branch overview recomputed (cache cleared first)",
    setup=_chief,
    needs=("cockpit",),
)
def cockpit_chief_cold(client) -> None:
    cache.clear()
    expect_ok(client.get("/dashboard/"))


@benchmark(
    "cockpit_chief_overdue",
    "GET /dashboard/?overdue=1 (a tile's filtered list) as the chief",
    setup=_chief,
    needs=("cockpit",),
)
def cockpit_chief_overdue(client) -> None:
    expect_ok(client.get("/dashboard/?overdue=1"))


@benchmark(
    "cockpit_division",
    "GET /dashboard/division/ (every branch) as the secretariat",
    setup=_admin_client,
    needs=("cockpit",),
)
def cockpit_division(client) -> None:
    expect_ok(client.get("/dashboard/division/"))
