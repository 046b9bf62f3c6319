"""The countries and regions API under /api/v1/, checked from the outside with APIClient:
the same figures and records as the pages, for each person of the cast (see
`knowledge_world` for R1..R3, C1..C7, M1..M3 and D)."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cepa_collab.models import MemberState
from tests.knowledge import knowledge_world
from tests.knowledge.knowledge_world import NOW

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def token_client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def counts(requests, contributions, case_studies, meetings, policy, legal, institutional):
    return {
        "requests": requests,
        "contributions": contributions,
        "case_studies": case_studies,
        "meetings": meetings,
        "repository": {"policy": policy, "legal": legal, "institutional": institutional},
    }


def active(user, query: str = "") -> dict[str, dict]:
    response = token_client(user).get(f"{API}/countries/?with_activity=true{query}")
    assert response.status_code == 200
    return {row["iso3"]: row["counts"] for row in response.json()["results"]}


# --- countries -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_country_list_counts_what_each_caller_may_see(
    world, staff, focal_point, cepa_member, other_branch_staff
):
    seen = {user.username: active(user) for user in (staff, focal_point, cepa_member)}
    seen["pacb_staff"] = active(other_branch_staff)

    assert seen == {
        "staff": {"OMN": counts(1, 4, 1, 2, 1, 1, 0), "GHA": counts(1, 2, 1, 1, 1, 0, 0)},
        "focal": {"OMN": counts(2, 2, 0, 1, 1, 1, 0)},
        "amina": {
            "GHA": counts(0, 2, 1, 1, 1, 0, 0),
            "OMN": counts(0, 2, 0, 1, 1, 1, 0),
            "TUN": counts(0, 1, 1, 0, 0, 0, 0),
        },
        "pacb_staff": {"GHA": counts(0, 2, 1, 0, 1, 0, 0), "OMN": counts(1, 2, 0, 1, 1, 1, 0)},
    }


@pytest.mark.django_db
def test_country_list_pages_all_member_states_and_filters_a_region(world, staff):
    client = token_client(staff)

    everything = client.get(f"{API}/countries/").json()
    arab = client.get(f"{API}/countries/?region=arab&with_activity=true").json()

    assert everything["count"] == 193
    assert len(everything["results"]) == 50
    assert everything["results"][0]["name"] == "Afghanistan"
    assert arab["count"] == 1
    assert arab["results"][0] == {
        "iso3": "OMN",
        "iso2": "OM",
        "name": "Oman",
        "region": "arab",
        "region_name": "Arab region",
        "active": True,
        "categories_covered": 2,
        "counts": counts(1, 4, 1, 2, 1, 1, 0),
        "url": "http://testserver/api/v1/countries/OMN/",
        "page_url": "http://testserver/countries/OMN/",
    }


@pytest.mark.django_db
def test_country_list_rejects_bad_filters_with_the_field_named(world, staff):
    client = token_client(staff)

    region = client.get(f"{API}/countries/?region=atlantis")
    flag = client.get(f"{API}/countries/?with_activity=perhaps")

    assert (region.status_code, list(region.json())) == (400, ["region"])
    assert (flag.status_code, list(flag.json())) == (400, ["with_activity"])


@pytest.mark.django_db
def test_countries_and_regions_answer_401_to_anonymous_callers(world):
    client = APIClient()

    answers = [
        client.get(f"{API}/{path}").status_code
        for path in ("countries/", "countries/OMN/", "regions/", "regions/arab/")
    ]

    assert answers == [401, 401, 401, 401]


def detail(user, iso3: str = "OMN") -> dict:
    response = token_client(user).get(f"{API}/countries/{iso3}/")
    assert response.status_code == 200
    return response.json()


def titles(rows) -> list[str]:
    return [row["title"] for row in rows]


@pytest.mark.django_db
def test_country_detail_lists_what_each_caller_may_see(
    world, staff, focal_point, cepa_member, other_branch_staff
):
    seen = {}
    for user in (staff, focal_point, cepa_member, other_branch_staff):
        body = detail(user)
        seen[user.username] = (
            titles(body["requests"]),
            titles(body["contributions"]),
            {category: titles(rows) for category, rows in body["repository"].items()},
            titles(body["meetings"]),
            body["counts"]["requests"],
        )

    repository = {
        "policy": ["C3 Oman digital strategy"],
        "legal": ["C4 Oman e-transactions law"],
        "institutional": [],
    }
    public = ["M1 Muscat public workshop"]
    assert seen == {
        "staff": (
            ["R1 Oman e-government assessment"],
            ["C6 Oman ITA", "C2 Oman one-stop shop"],
            repository,
            ["M2 Muscat closed meeting", *public],
            1,
        ),
        "focal": (
            ["R3 Oman civil service reform", "R1 Oman e-government assessment"],
            [],
            repository,
            public,
            2,
        ),
        "amina": ([], [], repository, public, 0),
        "pacb_staff": (["R3 Oman civil service reform"], [], repository, public, 1),
    }


@pytest.mark.django_db
def test_country_detail_shows_the_informed_deliverables_only_to_those_who_see_them(
    world, staff, focal_point
):
    for_staff = detail(staff)["requests"][0]
    for_focal = next(r for r in detail(focal_point)["requests"] if r["id"] == world.r1.pk)

    assert for_staff["informed"] == [
        {
            "deliverable": world.deliverable.pk,
            "title": "Compendium, volume 4",
            "note": "Findings of the mission.",
        }
    ]
    assert for_staff["url"] == f"http://testserver/api/v1/advisory-requests/{world.r1.pk}/"
    assert (for_staff["state"], for_staff["state_label"], for_staff["mission"]) == (
        "received",
        "Received",
        None,
    )
    assert for_focal["informed"] == []


@pytest.mark.django_db
def test_country_detail_by_lower_case_code_and_unknown_code(world, staff):
    client = token_client(staff)

    lower = client.get(f"{API}/countries/omn/")
    unknown = client.get(f"{API}/countries/XYZ/")

    assert (lower.status_code, lower.json()["iso3"]) == (200, "OMN")
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_country_detail_gives_the_repository_entry_fields(world, cepa_member):
    body = detail(cepa_member, "GHA")

    assert body["repository"]["policy"] == [
        {
            "id": world.c5.pk,
            "title": "C5 Ghana ICT4AD",
            "kind": "repository_entry",
            "kind_label": "Knowledge repository entry",
            "category": "policy",
            "category_label": "E-government policy",
            "year": 2020,
            "document_url": "https://example.org/gha/policy",
            "state": "accepted",
            "state_label": "Accepted",
            "author_name": cepa_member.get_full_name(),
            "incorporated_into": None,
            "informed": [],
            "url": f"http://testserver/api/v1/contributions/{world.c5.pk}/",
        }
    ]


@pytest.mark.parametrize("count", [8, 80])
@pytest.mark.django_db
def test_country_list_query_count_does_not_grow_with_rows(
    world, staff, django_assert_num_queries, count
):
    knowledge_world.grow(world, staff=staff, count=count)
    client = token_client(staff)

    with django_assert_num_queries(5):
        response = client.get(f"{API}/countries/?with_activity=true")

    assert response.json()["count"] == len(knowledge_world.COUNTRIES)


@pytest.mark.parametrize("count", [8, 80])
@pytest.mark.django_db
def test_country_detail_query_count_does_not_grow_with_rows(
    world, staff, django_assert_num_queries, count
):
    knowledge_world.grow(world, staff=staff, count=count)
    client = token_client(staff)

    with django_assert_num_queries(10):
        response = client.get(f"{API}/countries/OMN/")

    assert len(response.json()["requests"]) == 1 + count // 8


# --- regions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_region_list_summarises_the_five_regions_for_the_caller(world, staff, focal_point):
    for_staff = token_client(staff).get(f"{API}/regions/").json()
    for_focal = token_client(focal_point).get(f"{API}/regions/").json()

    assert [r["code"] for r in for_staff] == ["asia", "arab", "africa", "americas", "europe"]
    arab = for_staff[1]
    assert arab == {
        "code": "arab",
        "name": "Arab region",
        "member_states": MemberState.objects.filter(region__code="arab").count(),
        "active_member_states": 1,
        "fully_covered": 0,
        "totals": counts(1, 4, 1, 2, 1, 1, 0),
        "coverage": {"policy": 1, "legal": 1, "institutional": 0},
        "url": "http://testserver/api/v1/regions/arab/",
        "page_url": "http://testserver/regions/arab/",
        "coverage_csv_url": "http://testserver/regions/arab/coverage.csv",
    }
    assert [r["active_member_states"] for r in for_focal] == [0, 1, 0, 0, 0]
    assert for_focal[2]["totals"] == counts(0, 0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_region_detail_gives_the_active_countries_and_the_coverage_table(world, cepa_member):
    client = token_client(cepa_member)

    body = client.get(f"{API}/regions/arab/").json()

    assert [c["iso3"] for c in body["active"]] == ["OMN", "TUN"]
    assert len(body["coverage_table"]) == body["member_states"]
    oman = next(row for row in body["coverage_table"] if row["iso3"] == "OMN")
    assert oman == {
        "iso3": "OMN",
        "name": "Oman",
        "policy": 1,
        "legal": 1,
        "institutional": 0,
        "categories_covered": 2,
    }
    assert client.get(f"{API}/regions/atlantis/").status_code == 404


@pytest.mark.parametrize("count", [8, 80])
@pytest.mark.django_db
def test_region_list_and_detail_query_counts_do_not_grow_with_rows(
    world, staff, django_assert_num_queries, count
):
    knowledge_world.grow(world, staff=staff, count=count)
    client = token_client(staff)

    with django_assert_num_queries(5):
        listed = client.get(f"{API}/regions/")
    with django_assert_num_queries(5):
        one = client.get(f"{API}/regions/africa/")

    assert (listed.status_code, one.status_code) == (200, 200)


@pytest.mark.django_db
def test_schema_documents_countries_and_regions(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert {
        "/api/v1/countries/",
        "/api/v1/countries/{iso3}/",
        "/api/v1/regions/",
        "/api/v1/regions/{code}/",
    } <= set(schema["paths"])
