"""The start page (`/`, My work) at scale, for the branch chief and for a CEPA member.

On top of the ``deliverables`` data set (bench/cases_workflows.py: 10,000 deliverables,
50,000 review assignments), ``home_world`` adds ``milestones`` milestones (default 5,000)
on 250 advisory requests of the e-Government Branch led by its advisors and staff,
``contributions`` contributions (default 5,000) by the CEPA members in every state (a
fifth awaiting review), and ``home_meetings`` meetings (default 500) to which the chief
and the member are invited, some answered. Targets (issue 15): `/` under 60 ms median and
under 25 queries for each.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from advisory.enums import Channel, MilestoneState, RequestKind, RequestState
from advisory.models import AdvisoryRequest, Milestone
from bench.harness import Context, expect_ok
from bench.registry import benchmark, dataset
from cepa_collab.models import Branch, MemberState
from contributions.enums import ContributionKind, ContributionState
from contributions.models import Contribution
from meetings.enums import MeetingKind, Reply
from meetings.models import Meeting, Participant

BATCH = 2000
REQUESTS = 250
C = ContributionState
CONTRIBUTION_MIX = [
    (C.DRAFT, 20),
    (C.SUBMITTED, 10),
    (C.UNDER_REVIEW, 10),
    (C.ACCEPTED, 40),
    (C.RETURNED, 10),
    (C.WITHDRAWN, 10),
]
REQUEST_STATES = [
    RequestState.ACCEPTED,
    RequestState.ANALYSIS,
    RequestState.PLAN_DRAFTED,
    RequestState.FOLLOW_UP,
    RequestState.CLOSED,
]


@dataclass(frozen=True)
class HomeWorld:
    milestones: int
    contributions: int
    meetings: int


def _pick(rng: random.Random, mix: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in mix], [weight for _, weight in mix])[0]


@dataset(
    "home_world",
    needs=("deliverables",),
    scale={"milestones": 5_000, "contributions": 5_000, "home_meetings": 500},
)
def build_home_world(ctx: Context) -> HomeWorld:
    """Milestones, contributions and meeting invitations around the deliverables' people."""
    rng = random.Random(15)
    today = timezone.localdate()
    now = timezone.now()
    deliverables = ctx.data["deliverables"]
    chief, member = deliverables.chief, deliverables.member
    users = get_user_model().objects
    leads = list(users.filter(username__startswith="wf_ira")) + list(
        users.filter(username__startswith="wf_staff")
    )
    members = list(users.filter(username__startswith="wf_member"))
    staff = list(users.filter(username__startswith="wf_staff"))
    branch = Branch.objects.get(code="e-govb")
    countries = list(MemberState.objects.order_by("iso3")[:50])

    with transaction.atomic():
        requests = [
            AdvisoryRequest(
                country=countries[i % len(countries)],
                branch=branch,
                kind=RequestKind.ASSESSMENT,
                channel=Channel.LETTER,
                received_on=today - datetime.timedelta(days=rng.randint(30, 700)),
                title=f"E-government assessment {i:03d}",
                description="Support for the national programme.",
                state=rng.choice(REQUEST_STATES),
                state_changed_at=now,
                lead=rng.choice(leads),
                created_by=chief,
            )
            for i in range(REQUESTS)
        ]
        AdvisoryRequest.objects.bulk_create(requests, batch_size=BATCH)
        Milestone.objects.bulk_create(
            (
                Milestone(
                    request=requests[i % REQUESTS],
                    title=f"Milestone {i:05d}",
                    due_date=today + datetime.timedelta(days=rng.randint(-60, 240)),
                    lead=rng.choice([*leads, chief]),
                    state=rng.choice(
                        [MilestoneState.OPEN, MilestoneState.OPEN, MilestoneState.DONE]
                    ),
                    done_at=None,
                )
                for i in range(ctx.scale["milestones"])
            ),
            batch_size=BATCH,
        )
        contributions = []
        for i in range(ctx.scale["contributions"]):
            state = _pick(rng, CONTRIBUTION_MIX)
            submitted = state != C.DRAFT
            contributions.append(
                Contribution(
                    author=rng.choice(members),
                    kind=ContributionKind.CASE_STUDY,
                    branch=branch,
                    country=countries[i % len(countries)],
                    title=f"Case study {i:05d}",
                    summary="One identity card for every public service.",
                    state=state,
                    submitted_at=now if submitted else None,
                    review_due=today + datetime.timedelta(days=rng.randint(-20, 40))
                    if submitted
                    else None,
                    reviewer=rng.choice([*staff, chief])
                    if state not in (C.DRAFT, C.SUBMITTED)
                    else None,
                )
            )
        Contribution.objects.bulk_create(contributions, batch_size=BATCH)
        meetings = []
        for i in range(ctx.scale["home_meetings"]):
            start = now + datetime.timedelta(days=rng.randint(-200, 300), hours=rng.randint(0, 8))
            meetings.append(
                Meeting(
                    kind=MeetingKind.EXPERT_GROUP,
                    title=f"Expert group meeting {i:04d}",
                    branch=branch,
                    start=start,
                    end=start + datetime.timedelta(hours=6),
                    created_by=chief,
                )
            )
        Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        replies = [Reply.INVITED, Reply.ACCEPTED, Reply.DECLINED, Reply.TENTATIVE]
        Participant.objects.bulk_create(
            (
                Participant(meeting=meeting, user=person, reply=rng.choice(replies))
                for meeting in meetings
                for person in (chief, member)
            ),
            batch_size=BATCH,
        )
    if connection.vendor == "sqlite":
        # The planner's statistics, as a live database has them (`PRAGMA optimize`): without
        # them SQLite walks `assignment_state_due` for `awaiting_decision`'s subquery
        # (seconds at this scale) instead of the assignments of each deliverable.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return HomeWorld(
        milestones=ctx.scale["milestones"],
        contributions=len(contributions),
        meetings=len(meetings),
    )


def _chief_client(ctx: Context):
    return ctx.client(ctx.data["deliverables"].chief)


def _member_client(ctx: Context):
    return ctx.client(ctx.data["deliverables"].member)


@benchmark(
    "home_chief",
    "GET / (My work) as the e-GovB chief: {deliverables:,} deliverables, {assignments:,} "
    "assignments, {milestones:,} milestones, {contributions:,} contributions",
    setup=_chief_client,
    needs=("deliverables", "home_world"),
)
def home_chief(client) -> None:
    expect_ok(client.get("/"))


@benchmark(
    "home_chief_cold",
    "GET / as the e-GovB chief, the decisions counted again (cache cleared first, as after "
    "a change)",
    setup=_chief_client,
    needs=("deliverables", "home_world"),
)
def home_chief_cold(client) -> None:
    cache.clear()
    expect_ok(client.get("/"))


@benchmark(
    "home_member",
    "GET / (My work) as a CEPA member with ~{assignments:,}/28 review assignments",
    setup=_member_client,
    needs=("deliverables", "home_world"),
)
def home_member(client) -> None:
    expect_ok(client.get("/"))


@benchmark(
    "my_work_api_chief",
    "GET /api/v1/me/work/ as the e-GovB chief",
    setup=_chief_client,
    needs=("deliverables", "home_world"),
)
def my_work_api_chief(client) -> None:
    expect_ok(client.get("/api/v1/me/work/", headers={"accept": "application/json"}))
