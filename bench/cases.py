"""The starting figures: the request floor and the home page among 10,000 users.

Also the ``people`` data set that later cases build on: ``ctx.data["people"]``
is a `People` with the ids of every user by role and a signed-in-ready
`home_user`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from bench.harness import BENCH_PASSWORD, Context, expect_ok
from bench.registry import benchmark, dataset
from cepa_collab.enums import STAFF_ROLES, Language, Role
from cepa_collab.models import Branch, MemberState, Profile
from cepa_collab.services import create_person

BATCH = 1000

# Roughly who uses the system, scaled up: mostly external experts and focal points.
ROLE_MIX: list[tuple[Role, int]] = [
    (Role.CEPA_MEMBER, 40),
    (Role.FOCAL_POINT, 25),
    (Role.BRANCH_STAFF, 20),
    (Role.INTER_REGIONAL_ADVISOR, 8),
    (Role.BRANCH_CHIEF, 4),
    (Role.SECRETARIAT_ADMIN, 3),
]
TIME_ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Paris",
    "Africa/Accra",
    "Asia/Seoul",
    "Asia/Muscat",
    "America/Sao_Paulo",
    "Australia/Sydney",
]
FIRST_NAMES = ["Amina", "Jean", "Li", "Maria", "Omar", "Priya", "Kwame", "Sofia", "Yuki", "Ivan"]
LAST_NAMES = ["Mensah", "Dupont", "Chen", "Silva", "Haddad", "Rao", "Kim", "Novak", "Okafor"]


@dataclass(frozen=True)
class People:
    count: int
    ids_by_role: dict[Role, list[int]]
    home_user: object  # a branch chief whose profile has a branch and a country


@dataset("people", scale={"users": 10_000})
def build_people(ctx: Context) -> People:
    """`users` users with profiles and one role group each, by bulk inserts."""
    User = get_user_model()
    count = ctx.scale["users"]
    rng = random.Random(2024)
    password = make_password(BENCH_PASSWORD)  # hashed once, shared by everyone
    branches = list(Branch.objects.order_by("code"))
    countries = list(MemberState.objects.order_by("iso3"))
    group_ids = dict(Group.objects.filter(name__in=Role.values).values_list("name", "id"))
    roles = rng.choices([role for role, _ in ROLE_MIX], [w for _, w in ROLE_MIX], k=count)
    home_index = count // 2
    roles[home_index] = Role.BRANCH_CHIEF
    now = timezone.now()

    with transaction.atomic():
        User.objects.bulk_create(
            (
                User(
                    username=f"user{i:06d}",
                    email=f"user{i:06d}@example.org",
                    first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[i % len(LAST_NAMES)],
                    password=password,
                    date_joined=now,
                )
                for i in range(count)
            ),
            batch_size=BATCH,
        )
        ids = dict(User.objects.filter(username__startswith="user").values_list("username", "id"))
        user_ids = [ids[f"user{i:06d}"] for i in range(count)]
        profiles = []
        for i, (user_id, role) in enumerate(zip(user_ids, roles, strict=True)):
            staff = role in STAFF_ROLES and role != Role.SECRETARIAT_ADMIN
            external = role in (Role.CEPA_MEMBER, Role.FOCAL_POINT)
            profiles.append(
                Profile(
                    user_id=user_id,
                    branch=rng.choice(branches) if staff else None,
                    country=rng.choice(countries) if external or i == home_index else None,
                    time_zone=rng.choice(TIME_ZONES),
                    language=Language.FRENCH if rng.random() < 0.3 else Language.ENGLISH,
                )
            )
        Profile.objects.bulk_create(profiles, batch_size=BATCH)
        Membership = User.groups.through
        Membership.objects.bulk_create(
            (
                Membership(user_id=user_id, group_id=group_ids[role.value])
                for user_id, role in zip(user_ids, roles, strict=True)
            ),
            batch_size=BATCH,
        )

    ids_by_role: dict[Role, list[int]] = {role: [] for role in Role}
    for user_id, role in zip(user_ids, roles, strict=True):
        ids_by_role[role].append(user_id)
    return People(
        count=count,
        ids_by_role=ids_by_role,
        home_user=User.objects.get(pk=user_ids[home_index]),
    )


def _floor_client(ctx: Context):
    User = get_user_model()
    user = User.objects.filter(username="floor").first() or create_person(
        username="floor", password=BENCH_PASSWORD, roles=[Role.CEPA_MEMBER]
    )
    return ctx.client(user)


@benchmark(
    "request_floor",
    "GET /api/v1/ (API root, JSON), signed in: the least any request costs",
    setup=_floor_client,
)
def request_floor(client) -> None:
    expect_ok(client.get("/api/v1/", headers={"accept": "application/json"}))


def _home_client(ctx: Context):
    return ctx.client(ctx.data["people"].home_user)


@benchmark(
    "home_page",
    "GET / (home page: roles and profile), {users:,} users",
    setup=_home_client,
    needs=("people",),
)
def home_page(client) -> None:
    expect_ok(client.get("/"))
