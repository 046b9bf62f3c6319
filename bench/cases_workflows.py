"""The review workflow at scale: the branch dashboard and the deliverables API list.

The ``deliverables`` data set puts ``deliverables`` deliverables (default 10,000)
on four products of the e-Government Branch, with versions, review rounds and
``assignments`` review assignments (default 50,000) spread over 24 CEPA members
and 4 of the branch's Inter-Regional Advisors, the submitted reviews, and the
guardian object permissions (direct foreign-key tables) that let reviewers see
what is assigned to them. Everything is inserted in bulk; the people are made by
`create_person` like real ones. Targets (issue 3): dashboard under 80 ms, API
first page under 30 ms (medians), each under 20 queries.

The dashboard reuses its branch overview until something changes
(`workflows.dashboard.branch_overview`): ``dashboard_chief`` is the page as it is
usually served, ``dashboard_chief_cold`` the first view after a change.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from bench.harness import BENCH_PASSWORD, Context, expect_ok
from bench.registry import benchmark, dataset
from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState
from cepa_collab.services import create_person
from workflows.enums import (
    ASSIGNMENT_ACCESS_STATES,
    AssignmentState,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
    ReviewStatus,
    RoundState,
)
from workflows.models import (
    Deliverable,
    DeliverableUserObjectPermission,
    Product,
    Review,
    ReviewAssignment,
    ReviewRound,
    Version,
    VersionUserObjectPermission,
)

BATCH = 2000
S = DeliverableState
A = AssignmentState

PRODUCTS = [
    (ProductKind.SURVEY, "UN E-Government Survey", "2026", DeliverableKind.CHAPTER),
    (
        ProductKind.COMPENDIUM,
        "Compendium of Innovative E-Government Practices",
        "Volume IV",
        DeliverableKind.VOLUME,
    ),
    (
        ProductKind.TOOLKIT,
        "METER: Measurement and Evaluation Tool for E-Government Readiness",
        "2026",
        DeliverableKind.TOOLKIT,
    ),
    (
        ProductKind.KNOWLEDGE_REPOSITORY,
        "UN e/m-Government Knowledge Repository (UN-emGKR)",
        "2026",
        DeliverableKind.DATASET,
    ),
]
STATE_MIX = [
    (S.PLANNED, 10),
    (S.DRAFTING, 15),
    (S.IN_REVIEW, 25),
    (S.REVISING, 10),
    (S.APPROVED, 10),
    (S.PUBLISHED, 25),
    (S.CANCELLED, 5),
]
# How many review rounds a deliverable in each state has been through.
ROUNDS = {
    S.PLANNED: [0],
    S.DRAFTING: [0],
    S.IN_REVIEW: [1, 1, 2, 3],
    S.REVISING: [1, 1, 2],
    S.APPROVED: [1, 2, 2, 3],
    S.PUBLISHED: [1, 2, 2, 3],
    S.CANCELLED: [0, 0, 1],
}
OPEN_ROUND_MIX = [(A.INVITED, 30), (A.ACCEPTED, 30), (A.SUBMITTED, 30), (A.DECLINED, 10)]
CLOSED_ROUND_MIX = [(A.SUBMITTED, 70), (A.DECLINED, 15), (A.WITHDRAWN, 15)]
CEPA_REVIEWERS = 24
STAFF_REVIEWERS = 4
OWNERS = 8


@dataclass(frozen=True)
class Deliverables:
    count: int
    assignments: int
    chief: Any  # the e-Government Branch's chief
    member: Any  # a CEPA member with assignments
    member_visible: int  # deliverables that member may see


def _pick(rng: random.Random, mix: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in mix], [weight for _, weight in mix])[0]


def _people(branch: Branch, prefix: str = "wf") -> tuple[Any, list[Any], list[Any]]:
    countries = list(MemberState.objects.order_by("iso3")[:CEPA_REVIEWERS])

    def make(username: str, role: Role, **kwargs) -> Any:
        return create_person(
            username=username,
            email=f"{username}@example.org",
            first_name=username.split("_")[1].title(),
            last_name="Bench",
            password=BENCH_PASSWORD,
            roles=[role],
            **kwargs,
        )

    chief = make(f"{prefix}_chief", Role.BRANCH_CHIEF, branch=branch)
    owners = [
        make(f"{prefix}_staff{i:02d}", Role.BRANCH_STAFF, branch=branch) for i in range(OWNERS)
    ]
    reviewers = [
        make(f"{prefix}_member{i:02d}", Role.CEPA_MEMBER, country=countries[i % len(countries)])
        for i in range(CEPA_REVIEWERS)
    ] + [
        make(f"{prefix}_ira{i:02d}", Role.INTER_REGIONAL_ADVISOR, branch=branch)
        for i in range(STAFF_REVIEWERS)
    ]
    return chief, owners, reviewers


@dataset("deliverables", scale={"deliverables": 10_000, "assignments": 50_000})
def build_deliverables(ctx: Context, prefix: str = "wf") -> Deliverables:
    """Deliverables, versions, rounds, assignments, reviews and reviewers' permissions (by
    people whose logins start with `prefix`: another data set builds its own copy)."""
    count = ctx.scale["deliverables"]
    wanted = ctx.scale["assignments"]
    rng = random.Random(2026)
    today = timezone.localdate()
    now = timezone.now()
    branch = Branch.objects.get(code="e-govb")
    view_deliverable = Permission.objects.get(
        content_type__app_label="workflows", codename="view_deliverable"
    )
    view_version = Permission.objects.get(
        content_type__app_label="workflows", codename="view_version"
    )

    with transaction.atomic():
        chief, owners, reviewers = _people(branch, prefix)
        products = [
            Product.objects.create(
                branch=branch,
                kind=kind,
                title=title if prefix == "wf" else f"{title} ({prefix})",
                edition=edition,
                lead=owners[i],
            )
            for i, (kind, title, edition, _kind) in enumerate(PRODUCTS)
        ]
        deliverables = []
        for i in range(count):
            p = i % len(products)
            deliverables.append(
                Deliverable(
                    product=products[p],
                    title=f"{PRODUCTS[p][1][:40]}: part {i:05d}",
                    kind=PRODUCTS[p][3],
                    owner=rng.choice(owners),
                    due_date=today + datetime.timedelta(days=rng.randint(-180, 240)),
                    state=_pick(rng, STATE_MIX),
                )
            )
        Deliverable.objects.bulk_create(deliverables, batch_size=BATCH)

        # Versions: one per round, plus the revised draft of some deliverables.
        versions: list[Version] = []
        plan: list[tuple[Deliverable, int]] = []  # (deliverable, rounds)
        for d in deliverables:
            rounds = rng.choice(ROUNDS[d.state])
            extra = int(d.state == S.REVISING or (d.state == S.DRAFTING and rng.random() < 0.5))
            for number in range(1, rounds + extra + 1):
                versions.append(
                    Version(
                        deliverable_id=d.pk,
                        number=number,
                        file=f"deliverables/{d.pk}/v{number}/draft.pdf",
                        original_name="draft.pdf",
                        content_type="application/pdf",
                        size=rng.randint(50_000, 5_000_000),
                        uploaded_by_id=d.owner_id,
                        created_at=now,
                    )
                )
            plan.append((d, rounds))
        Version.objects.bulk_create(versions, batch_size=BATCH)
        version_of = {(v.deliverable_id, v.number): v for v in versions}

        rounds: list[ReviewRound] = []
        for d, n in plan:
            for number in range(1, n + 1):
                is_open = d.state == S.IN_REVIEW and number == n
                rounds.append(
                    ReviewRound(
                        deliverable_id=d.pk,
                        version_id=version_of[(d.pk, number)].pk,
                        number=number,
                        state=RoundState.OPEN if is_open else RoundState.CLOSED,
                        opened_by_id=d.owner_id,
                        closed_at=None if is_open else now,
                    )
                )
        ReviewRound.objects.bulk_create(rounds, batch_size=BATCH)

        # Spread the wanted number of assignments over the rounds (at most one per reviewer).
        base, extra = divmod(wanted, max(len(rounds), 1))
        bonus = set(rng.sample(range(len(rounds)), extra)) if rounds else set()
        assignments: list[ReviewAssignment] = []
        version_ids: list[int] = []  # the reviewed version of each assignment, in order
        for index, round_ in enumerate(rounds):
            k = min(base + (index in bonus), len(reviewers))
            is_open = round_.state == RoundState.OPEN
            for reviewer in rng.sample(reviewers, k):
                state = _pick(rng, OPEN_ROUND_MIX if is_open else CLOSED_ROUND_MIX)
                due = today + datetime.timedelta(
                    days=rng.randint(-20, 30) if is_open else -rng.randint(30, 400)
                )
                answered = state in (A.ACCEPTED, A.DECLINED, A.SUBMITTED)
                assignments.append(
                    ReviewAssignment(
                        round_id=round_.pk,
                        deliverable_id=round_.deliverable_id,
                        reviewer_id=reviewer.pk,
                        due_date=due,
                        state=state,
                        decline_reason="Away on mission." if state == A.DECLINED else "",
                        assigned_by_id=round_.opened_by_id,
                        responded_at=now if answered else None,
                    )
                )
                version_ids.append(round_.version_id)
        ReviewAssignment.objects.bulk_create(assignments, batch_size=BATCH)

        Review.objects.bulk_create(
            (
                Review(
                    assignment_id=a.pk,
                    recommendation=rng.choice(Recommendation.values),
                    comments="The analysis is sound; see the annotated draft.",
                    status=ReviewStatus.SUBMITTED,
                    submitted_at=now,
                )
                for a in assignments
                if a.state == A.SUBMITTED
            ),
            batch_size=BATCH,
        )

        # What assign_reviewers grants, minus what decline/withdraw revoked.
        deliverable_pairs: set[tuple[int, int]] = set()
        version_pairs: set[tuple[int, int]] = set()
        for a, version_id in zip(assignments, version_ids, strict=True):
            if a.state in ASSIGNMENT_ACCESS_STATES:
                deliverable_pairs.add((a.reviewer_id, a.deliverable_id))
                version_pairs.add((a.reviewer_id, version_id))
        DeliverableUserObjectPermission.objects.bulk_create(
            (
                DeliverableUserObjectPermission(
                    permission_id=view_deliverable.pk, user_id=user_id, content_object_id=object_id
                )
                for user_id, object_id in sorted(deliverable_pairs)
            ),
            batch_size=BATCH,
        )
        VersionUserObjectPermission.objects.bulk_create(
            (
                VersionUserObjectPermission(
                    permission_id=view_version.pk, user_id=user_id, content_object_id=object_id
                )
                for user_id, object_id in sorted(version_pairs)
            ),
            batch_size=BATCH,
        )

    member = reviewers[0]
    return Deliverables(
        count=count,
        assignments=len(assignments),
        chief=chief,
        member=member,
        member_visible=sum(1 for user_id, _ in deliverable_pairs if user_id == member.pk),
    )


def _chief_client(ctx: Context):
    return ctx.client(ctx.data["deliverables"].chief)


def _member_client(ctx: Context):
    return ctx.client(ctx.data["deliverables"].member)


@benchmark(
    "dashboard_chief",
    "GET /dashboard/ as the e-GovB chief, {deliverables:,} deliverables, "
    "{assignments:,} assignments",
    setup=_chief_client,
    needs=("deliverables",),
)
def dashboard_chief(client) -> None:
    expect_ok(client.get("/dashboard/"))


@benchmark(
    "dashboard_chief_cold",
    "GET /dashboard/ as the e-GovB chief, branch overview recomputed (cache cleared first)",
    setup=_chief_client,
    needs=("deliverables",),
)
def dashboard_chief_cold(client) -> None:
    cache.clear()  # as after any change: every aggregate runs again
    expect_ok(client.get("/dashboard/"))


@benchmark(
    "dashboard_chief_at_risk",
    "GET /dashboard/?at_risk=1 (filtered list) as the e-GovB chief",
    setup=_chief_client,
    needs=("deliverables",),
)
def dashboard_chief_at_risk(client) -> None:
    expect_ok(client.get("/dashboard/?at_risk=1"))


JSON = {"accept": "application/json"}


@benchmark(
    "deliverables_api_chief",
    "GET /api/v1/deliverables/ (first page) as the e-GovB chief, {deliverables:,} deliverables",
    setup=_chief_client,
    needs=("deliverables",),
)
def deliverables_api_chief(client) -> None:
    expect_ok(client.get("/api/v1/deliverables/", headers=JSON))


@benchmark(
    "deliverables_api_member",
    "GET /api/v1/deliverables/ (first page) as a CEPA member (guardian-filtered), "
    "{assignments:,} assignments",
    setup=_member_client,
    needs=("deliverables",),
)
def deliverables_api_member(client) -> None:
    expect_ok(client.get("/api/v1/deliverables/", headers=JSON))


@benchmark(
    "deliverables_page_member",
    "GET /deliverables/ (page) as a CEPA member (guardian-filtered), {assignments:,} assignments",
    setup=_member_client,
    needs=("deliverables",),
)
def deliverables_page_member(client) -> None:
    expect_ok(client.get("/deliverables/"))
