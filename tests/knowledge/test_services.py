"""The knowledge value chain's services and queries: who may link a deliverable to the
requests and contributions it draws on, what each end shows, and the counts of the country
and region views for each viewer.

Permissions are tried from the outside with the same call as the allowed and the
forbidden person; on every denial nothing is created or removed.
"""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from cepa_collab.enums import Role
from cepa_collab.models import Region
from contributions import services as contributions
from contributions.models import Contribution
from knowledge import queries, services
from knowledge.models import KnowledgeLink
from tests.factories import person
from tests.knowledge import knowledge_world
from tests.knowledge.knowledge_world import NOW
from workflows import services as workflows
from workflows.enums import DeliverableKind, ProductKind

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ira(db):
    return person(Role.INTER_REGIONAL_ADVISOR, username="ira", branch_code="e-govb")


def link_pairs() -> list[tuple]:
    return list(
        KnowledgeLink.objects.order_by("pk").values_list(
            "deliverable__title", "request__title", "contribution__title"
        )
    )


BEFORE = [
    ("Compendium, volume 4", "R1 Oman e-government assessment", None),
    ("Compendium, volume 4", None, "C1 Ghana e-Registrar"),
]


# --- linking: who may -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["staff", "chief", "ira", "secretariat_admin"])
def test_link_request_by_the_deliverable_branch_or_the_admin_creates_the_link(request, world, who):
    actor = request.getfixturevalue(who)

    link = services.link_request(actor, world.deliverable, world.r2, "  Chapter on Africa  ")

    assert (link.deliverable, link.request, link.contribution) == (
        world.deliverable,
        world.r2,
        None,
    )
    assert (link.note, link.created_by) == ("Chapter on Africa", actor)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["cepa_member", "other_branch_staff", "focal_point"])
def test_link_request_denied_to_others_creates_nothing(request, world, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.link_request(actor, world.deliverable, world.r2, "")

    assert link_pairs() == BEFORE


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["cepa_member", "other_branch_staff", "focal_point"])
def test_link_contribution_denied_to_others_creates_nothing(request, world, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.link_contribution(actor, world.deliverable, world.c3, "")

    assert link_pairs() == BEFORE


@pytest.mark.django_db
def test_link_request_of_another_branch_to_its_own_deliverable_is_denied(
    world, other_branch_staff, chief
):
    # PACB staff may link their own deliverable, but not to a request of the e-Government
    # Branch, whose findings are internal to it.
    product = workflows.create_product(
        other_branch_staff,
        branch=world.r3.branch,
        kind=ProductKind.REPORT,
        title="World Public Sector Report",
        edition="2027",
    )
    report = workflows.create_deliverable(
        other_branch_staff,
        product=product,
        owner=other_branch_staff,
        title="Chapter 2",
        kind=DeliverableKind.CHAPTER,
        due_date=knowledge_world.TODAY,
    )

    with pytest.raises(PermissionDenied):
        services.link_request(other_branch_staff, report, world.r1)
    own = services.link_request(other_branch_staff, report, world.r3)

    assert link_pairs() == [*BEFORE, ("Chapter 2", "R3 Oman civil service reform", None)]
    assert own.request == world.r3


@pytest.mark.django_db
def test_link_by_anonymous_is_denied(world):
    with pytest.raises(PermissionDenied):
        services.link_request(AnonymousUser(), world.deliverable, world.r2)

    assert link_pairs() == BEFORE


# --- linking: what may be linked ------------------------------------------------------------


@pytest.mark.django_db
def test_link_twice_raises_a_validation_error_and_keeps_one(world, staff):
    with pytest.raises(ValidationError) as request_error:
        services.link_request(staff, world.deliverable, world.r1, "again")
    with pytest.raises(ValidationError) as contribution_error:
        services.link_contribution(staff, world.deliverable, world.c1, "again")

    assert request_error.value.message_dict == {"deliverable": ["These two are already linked."]}
    assert contribution_error.value.message_dict == {
        "deliverable": ["These two are already linked."]
    }
    assert link_pairs() == BEFORE


@pytest.mark.django_db
def test_link_contribution_not_accepted_is_refused(world, staff):
    with pytest.raises(ValidationError) as error:
        services.link_contribution(staff, world.deliverable, world.c2)

    assert error.value.message_dict == {"contribution": ["Only accepted contributions are cited."]}
    assert link_pairs() == BEFORE


@pytest.mark.django_db
def test_link_contribution_reads_its_state_now_not_the_callers_copy(world, staff):
    stale = Contribution.objects.get(pk=world.c2.pk)
    contributions.fire_transition(staff, world.c2, "start_review")
    contributions.fire_transition(staff, world.c2, "accept")

    link = services.link_contribution(staff, world.deliverable, stale)

    assert link.contribution_id == world.c2.pk


@pytest.mark.django_db
def test_link_declined_request_is_refused(world, staff, chief):
    from advisory import services as advisory

    advisory.fire_transition(chief, world.r2, "decline", comment="Outside our mandate.")

    with pytest.raises(ValidationError) as error:
        services.link_request(staff, world.deliverable, world.r2)

    assert error.value.message_dict == {
        "request": ["A declined request has no findings to draw on."]
    }
    assert link_pairs() == BEFORE


@pytest.mark.django_db
def test_link_note_longer_than_300_characters_is_refused(world, staff):
    with pytest.raises(ValidationError) as error:
        services.link_request(staff, world.deliverable, world.r2, "x" * 301)

    assert error.value.message_dict == {"note": ["Keep the note to 300 characters (it has 301)."]}
    assert link_pairs() == BEFORE


# --- both ends show the link ----------------------------------------------------------------


@pytest.mark.django_db
def test_both_ends_show_the_link(world):
    link = KnowledgeLink.objects.get(request=world.r1)

    assert list(world.r1.knowledge_links.all()) == [link]
    assert list(world.deliverable.knowledge_links.order_by("pk")) == [
        link,
        KnowledgeLink.objects.get(contribution=world.c1),
    ]
    assert [x.deliverable for x in world.c1.knowledge_links.all()] == [world.deliverable]


# --- unlinking -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["cepa_member", "other_branch_staff", "focal_point"])
def test_unlink_denied_to_others_keeps_the_link(request, world, who):
    actor = request.getfixturevalue(who)
    link = KnowledgeLink.objects.get(request=world.r1)

    with pytest.raises(PermissionDenied):
        services.unlink(actor, link)

    assert link_pairs() == BEFORE


@pytest.mark.django_db
def test_unlink_by_branch_staff_removes_only_that_link(world, staff):
    services.unlink(staff, KnowledgeLink.objects.get(request=world.r1))

    assert link_pairs() == [BEFORE[1]]


# --- what the deliverable shows --------------------------------------------------------------


@pytest.mark.django_db
def test_deliverable_links_show_each_viewer_what_they_may_see(world, staff, cepa_member):
    for_staff = queries.deliverable_links(staff, world.deliverable)
    for_member = queries.deliverable_links(cepa_member, world.deliverable)

    assert [(x.request_id, x.contribution_id) for x in for_staff] == [
        (world.r1.pk, None),
        (None, world.c1.pk),
    ]
    assert [(x.request_id, x.contribution_id) for x in for_member] == [(None, world.c1.pk)]


@pytest.mark.django_db
def test_incorporated_contributions_leave_out_those_already_linked(world, staff):
    contributions.incorporate(staff, world.c1, world.deliverable)
    contributions.incorporate(staff, world.c5, world.deliverable)

    shown = queries.incorporated_contributions(
        staff, world.deliverable, besides=[world.c1.pk, None]
    )

    assert shown == [world.c5]


# --- the country and region views -------------------------------------------------------------


@pytest.mark.django_db
def test_countries_with_activity_for_anonymous_counts_public_meetings_only(world):
    rows = {
        c.iso3: (c.requests_count, c.contributions_count, c.meetings_count)
        for c in queries.countries_with_activity(AnonymousUser(), active_only=True)
    }

    assert rows == {"OMN": (0, 0, 1)}


@pytest.mark.django_db
def test_countries_with_activity_of_a_region_in_one_query(world, staff, django_assert_num_queries):
    arab = Region.objects.get(code="arab")
    queries.countries_with_activity(staff).exists()  # roles and profile are cached after this

    with django_assert_num_queries(1):
        rows = list(queries.countries_with_activity(staff, arab, active_only=True))

    assert [c.iso3 for c in rows] == ["OMN"]


@pytest.mark.django_db
def test_region_summaries_cover_the_five_regions_from_one_query_of_countries(world, focal_point):
    summaries = queries.region_summaries(focal_point)

    assert [(s.region.code, [c.iso3 for c in s.active]) for s in summaries] == [
        ("asia", []),
        ("arab", ["OMN"]),
        ("africa", []),
        ("americas", []),
        ("europe", []),
    ]
    assert sum(len(s.countries) for s in summaries) == 193
    arab = summaries[1]
    assert (arab.totals["requests_count"], arab.coverage["repository_policy"]) == (2, 1)
    assert arab.fully_covered == 0


@pytest.mark.django_db
def test_country_records_keep_pending_repository_entries_out_of_the_repository(world, staff):
    oman = world.r1.country

    records = queries.country_records(staff, oman)

    assert [c.title for c in records["contributions"]] == [
        "C6 Oman ITA",
        "C2 Oman one-stop shop",
    ]
    assert {k: [e.title for e in v] for k, v in records["repository"].items()} == {
        "policy": ["C3 Oman digital strategy"],
        "legal": ["C4 Oman e-transactions law"],
        "institutional": [],
    }


def test_bars_are_relative_to_the_longest():
    chart = queries.bars([("a", "A", 3), ("b", "B", 0)])
    empty = queries.bars([("a", "A", 0)])

    assert [(b.value, b.percent) for b in chart] == [(3, 100), (0, 0)]
    assert [(b.value, b.percent) for b in empty] == [(0, 0)]
