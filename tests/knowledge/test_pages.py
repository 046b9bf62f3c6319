"""The country and region pages, the coverage CSV and the deliverable's links, checked from
the outside with the same request for each person of the cast.

The cast: the e-Government Branch's staff, the focal point of Oman, a CEPA member from
Ghana, staff of another branch (PACB), a CEPA member assigned to review the deliverable,
and anonymous. The world is `knowledge_world.build` (see there for R1..R3, C1..C7, M1..M3
and D). Every count is what the viewer may see: nothing of another country's or another
branch's internal records shows, not even as a number.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from cepa_collab.enums import Role
from cepa_collab.models import MemberState
from contributions import services as contributions
from knowledge.models import KnowledgeLink
from tests.factories import PDF_BYTES, person
from tests.knowledge import knowledge_world
from tests.knowledge.knowledge_world import NOW, TODAY
from workflows import services as workflows

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

ZERO = (0, 0, 0, 0, 0, 0, 0)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def reviewer(world, staff):
    """A CEPA member assigned to review the deliverable D (so they may open its page)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    kenji = person(Role.CEPA_MEMBER, username="kenji", country="JPN")
    deliverable = world.deliverable
    workflows.fire_transition(staff, deliverable, "start_drafting")
    workflows.upload_version(
        staff, deliverable, SimpleUploadedFile("v1.pdf", PDF_BYTES, "application/pdf")
    )
    workflows.fire_transition(staff, deliverable, "submit_for_review")
    workflows.assign_reviewers(staff, deliverable, [kenji], TODAY + datetime.timedelta(days=14))
    return kenji


def html(response) -> str:
    return response.content.decode()


def counts(country) -> tuple[int, ...]:
    """(requests, contributions, case studies, meetings, policy, legal, institutional)"""
    return (
        country.requests_count,
        country.contributions_count,
        country.case_studies_count,
        country.meetings_count,
        country.repository_policy,
        country.repository_legal,
        country.repository_institutional,
    )


def listed(response) -> dict[str, tuple[int, ...]]:
    return {c.iso3: counts(c) for group in response.context["groups"] for c in group.countries}


# --- the countries page ------------------------------------------------------------------


@pytest.mark.django_db
def test_country_list_counts_what_each_viewer_may_see(
    client, world, staff, focal_point, cepa_member, other_branch_staff
):
    seen = {}
    for user in (staff, focal_point, cepa_member, other_branch_staff):
        client.force_login(user)
        rows = listed(client.get("/countries/"))
        seen[user.username] = (rows["OMN"], rows["GHA"], rows["TUN"], len(rows))

    assert seen == {
        "staff": ((1, 4, 1, 2, 1, 1, 0), (1, 2, 1, 1, 1, 0, 0), ZERO, 193),
        "focal": ((2, 2, 0, 1, 1, 1, 0), ZERO, ZERO, 193),
        "amina": ((0, 2, 0, 1, 1, 1, 0), (0, 2, 1, 1, 1, 0, 0), (0, 1, 1, 0, 0, 0, 0), 193),
        "pacb_staff": ((1, 2, 0, 1, 1, 1, 0), (0, 2, 1, 0, 1, 0, 0), ZERO, 193),
    }


@pytest.mark.django_db
def test_country_list_with_activity_only_keeps_the_countries_the_viewer_sees_active(
    client, world, staff, focal_point, cepa_member
):
    seen = {}
    for user in (staff, focal_point, cepa_member):
        client.force_login(user)
        seen[user.username] = list(listed(client.get("/countries/?active=on")))

    # Grouped by region: the Arab region (Oman, Tunisia) comes before Africa (Ghana).
    assert seen == {"staff": ["OMN", "GHA"], "focal": ["OMN"], "amina": ["OMN", "TUN", "GHA"]}


@pytest.mark.django_db
def test_country_list_groups_by_region_and_filters_one(client, world, staff):
    client.force_login(staff)

    everything = client.get("/countries/")
    arab = client.get("/countries/?region=arab")
    nonsense = client.get("/countries/?region=atlantis")

    assert [g.region.code for g in everything.context["groups"]] == [
        "asia",
        "arab",
        "africa",
        "americas",
        "europe",
    ]
    assert [g.region.code for g in arab.context["groups"]] == ["arab"]
    assert len(listed(arab)) == MemberState.objects.filter(region__code="arab").count()
    assert len(listed(nonsense)) == 193
    page = html(arab)
    assert '<th scope="colgroup" colspan="3">Repository entries</th>' in page
    assert '<a href="/countries/OMN/">Oman</a>' in page


@pytest.mark.django_db
def test_country_list_sorts_each_region_by_the_readers_names(client, world, staff):
    client.force_login(staff)

    english = client.get("/countries/?region=europe")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    french = client.get("/countries/?region=europe")

    def order(response, *iso3):
        codes = list(listed(response))
        return [code for code in codes if code in iso3]

    # Austria before Germany in English; Allemagne before Autriche in French
    assert order(english, "AUT", "DEU") == ["AUT", "DEU"]
    assert order(french, "AUT", "DEU") == ["DEU", "AUT"]


@pytest.mark.django_db
def test_country_pages_send_anonymous_visitors_to_sign_in(client, world):
    for url in ("/countries/", "/countries/OMN/", "/regions/arab/", "/regions/arab/coverage.csv"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


@pytest.mark.django_db
def test_navigation_offers_countries_to_everyone_signed_in(client, focal_point):
    client.force_login(focal_point)

    assert '<a href="/countries/">Countries</a>' in html(client.get("/"))


@pytest.mark.django_db
def test_country_list_runs_a_fixed_number_of_queries(
    client, world, staff, django_assert_num_queries
):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=8)
    with django_assert_num_queries(8):
        small = client.get("/countries/?active=on")
    assert small.status_code == 200
    knowledge_world.grow(world, staff=staff, count=80)

    with django_assert_num_queries(8):
        large = client.get("/countries/?active=on")
    assert large.status_code == 200


# --- one country ----------------------------------------------------------------------------


def titles(items) -> list[str]:
    return [item.title for item in items]


def country_page(response) -> dict:
    context = response.context
    return {
        "requests": titles(context["requests"]),
        "contributions": titles(context["contributions"]),
        "repository": {category.value: titles(e) for category, e in context["repository"]},
        "meetings": titles(context["meetings"]),
    }


OMAN_REPOSITORY = {
    "policy": ["C3 Oman digital strategy"],
    "legal": ["C4 Oman e-transactions law"],
    "institutional": [],
}


@pytest.mark.django_db
def test_country_page_lists_what_each_viewer_may_see(
    client, world, staff, focal_point, cepa_member, other_branch_staff
):
    seen = {}
    for user in (staff, focal_point, cepa_member, other_branch_staff):
        client.force_login(user)
        seen[user.username] = country_page(client.get("/countries/OMN/"))

    assert seen == {
        "staff": {
            "requests": ["R1 Oman e-government assessment"],
            "contributions": ["C6 Oman ITA", "C2 Oman one-stop shop"],
            "repository": OMAN_REPOSITORY,
            "meetings": ["M2 Muscat closed meeting", "M1 Muscat public workshop"],
        },
        "focal": {
            "requests": ["R3 Oman civil service reform", "R1 Oman e-government assessment"],
            "contributions": [],
            "repository": OMAN_REPOSITORY,
            "meetings": ["M1 Muscat public workshop"],
        },
        "amina": {
            "requests": [],
            "contributions": [],
            "repository": OMAN_REPOSITORY,
            "meetings": ["M1 Muscat public workshop"],
        },
        "pacb_staff": {
            "requests": ["R3 Oman civil service reform"],
            "contributions": [],
            "repository": OMAN_REPOSITORY,
            "meetings": ["M1 Muscat public workshop"],
        },
    }


@pytest.mark.django_db
def test_country_page_shows_the_deliverables_a_record_informed_to_those_who_see_them(
    client, world, staff, focal_point, cepa_member
):
    client.force_login(staff)
    staff_oman = html(client.get("/countries/OMN/"))
    staff_ghana = html(client.get("/countries/GHA/"))
    client.force_login(focal_point)
    focal_oman = html(client.get("/countries/OMN/"))
    client.force_login(cepa_member)
    member_ghana = html(client.get("/countries/GHA/"))

    deliverable = f'<a href="/deliverables/{world.deliverable.pk}/">Compendium, volume 4</a>'
    assert f"<li>{deliverable}: Findings of the mission.</li>" in staff_oman
    assert f"<li>Cited by {deliverable}</li>" in staff_ghana
    assert "Compendium, volume 4" not in focal_oman
    assert "Compendium, volume 4" not in member_ghana
    assert f'<a href="/contributions/{world.c1.pk}/">C1 Ghana e-Registrar</a>' in member_ghana


@pytest.mark.django_db
def test_country_page_shows_the_mission_in_the_country_time_zone(client, staff, chief, focal_point):
    ira = person(Role.INTER_REGIONAL_ADVISOR, username="ira", branch_code="e-govb")
    from advisory import services as advisory

    request = knowledge_world.register(staff, "OMN", "Mission request")
    advisory.fire_transition(chief, request, "accept", lead=ira)
    start = datetime.datetime(2026, 3, 20, 5, 0, tzinfo=datetime.UTC)  # 09:00 in Muscat
    advisory.schedule_mission(
        ira,
        request,
        start=start,
        end=start + datetime.timedelta(days=2, hours=6),
        time_zone="Asia/Muscat",
        location="Muscat",
        title="Mission to Muscat",
    )
    client.force_login(focal_point)

    page = html(client.get("/countries/OMN/"))

    assert "Mission to Muscat<br>" in page
    assert '<time datetime="2026-03-20T05:00:00+00:00">20 March 2026, 09:00</time>' in page
    assert '<time datetime="2026-03-22T11:00:00+00:00">22 March 2026, 15:00</time>' in page
    assert "(Asia/Muscat)" in page
    assert f'<a href="/meetings/{request.mission_id}/">' not in page  # not a participant


@pytest.mark.django_db
def test_country_page_answers_lower_case_codes_with_a_redirect_and_unknown_ones_404(client, staff):
    client.force_login(staff)

    lower = client.get("/countries/omn/")
    unknown = client.get("/countries/XYZ/")

    assert (lower.status_code, lower["Location"]) == (302, "/countries/OMN/")
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_country_page_runs_a_fixed_number_of_queries(
    client, world, staff, django_assert_num_queries
):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=24)  # a row in every list
    # Each list is a page of its own: its count and its rows (requests and contributions
    # with their knowledge links; three repository categories; meetings; an empty list reads
    # no rows).
    with django_assert_num_queries(21):
        small = client.get("/countries/OMN/")
    assert small.status_code == 200
    knowledge_world.grow(world, staff=staff, count=80)

    with django_assert_num_queries(21):
        large = client.get("/countries/OMN/")
    assert large.status_code == 200


# --- regions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_region_page_summarises_what_each_viewer_may_see(client, world, staff, cepa_member):
    client.force_login(staff)
    for_staff = client.get("/regions/arab/").context["summary"]
    client.force_login(cepa_member)
    for_member = client.get("/regions/arab/").context["summary"]

    assert [c.iso3 for c in for_staff.active] == ["OMN"]
    assert [c.iso3 for c in for_member.active] == ["OMN", "TUN"]
    assert for_staff.totals == {
        "requests_count": 1,
        "contributions_count": 4,
        "case_studies_count": 1,
        "meetings_count": 2,
        "repository_policy": 1,
        "repository_legal": 1,
        "repository_institutional": 0,
    }
    assert for_member.totals["requests_count"] == 0
    assert for_staff.coverage == {
        "repository_policy": 1,
        "repository_legal": 1,
        "repository_institutional": 0,
    }
    assert [(b.label, b.value, b.percent) for b in for_staff.activity_bars] == [
        ("Advisory requests", 1, 25),
        ("Contributions (all kinds)", 4, 100),
        ("Compendium case studies", 1, 25),
        ("Meetings held there", 2, 50),
    ]


@pytest.mark.django_db
def test_region_page_coverage_table_is_an_accessible_table(client, world, staff):
    client.force_login(staff)

    page = html(client.get("/regions/arab/"))

    assert (
        '<caption id="coverage-caption">Repository coverage of UN-emGKR Arab region: '
        "Member States by category</caption>"
    ) in page
    assert '<th scope="col" class="num">Legal framework</th>' in page
    oman_row = page.split('<th scope="row"><a href="/countries/OMN/">Oman</a></th>')[2]
    cells = oman_row.split("</tr>")[0]
    assert cells.count('<td class="num"><span aria-hidden="true">✓ </span>1</td>') == 2
    assert cells.count('<span class="visually-hidden">none</span>') == 1
    assert '<td class="num">2/3</td>' in cells
    assert 'aria-current="page">Arab region</a>' in page
    assert '<span class="kv-fill pct-100"></span>' in page
    assert "style=" not in page


@pytest.mark.django_db
def test_region_page_of_an_unknown_region_is_404(client, staff):
    client.force_login(staff)

    assert client.get("/regions/atlantis/").status_code == 404
    assert client.get("/regions/atlantis/coverage.csv").status_code == 404


@pytest.mark.django_db
def test_region_page_runs_a_fixed_number_of_queries(
    client, world, staff, django_assert_num_queries
):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=8)
    with django_assert_num_queries(8):
        small = client.get("/regions/arab/")
    assert small.status_code == 200
    knowledge_world.grow(world, staff=staff, count=80)

    with django_assert_num_queries(8):
        large = client.get("/regions/arab/")
    assert large.status_code == 200


def csv_lines(response) -> list[str]:
    return (
        b"".join(response.streaming_content if response.streaming else [response.content])
        .decode("utf-8")
        .splitlines()
    )


@pytest.mark.django_db
def test_coverage_csv_has_a_row_per_member_state_of_the_region(client, world, staff):
    client.force_login(staff)

    response = client.get("/regions/arab/coverage.csv")
    lines = csv_lines(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="coverage-arab-2026-03-02.csv"'
    assert lines[0] == (
        "\ufeffISO code,Member State,E-government policy,Legal framework,"
        "Institutional setting / CIO,categories covered"
    )
    assert len(lines) == 1 + MemberState.objects.filter(region__code="arab").count()
    assert "OMN,Oman,1,1,0,2" in lines
    assert "TUN,Tunisia,0,0,0,0" in lines


@pytest.mark.django_db
def test_coverage_csv_counts_only_what_the_viewer_may_see(client, world, focal_point):
    client.force_login(focal_point)
    contributions.fire_transition(
        world.fatima, world.c6, "withdraw"
    )  # never part of the repository

    lines = csv_lines(client.get("/regions/africa/coverage.csv"))

    assert "GHA,Ghana,0,0,0,0" in lines  # the focal point of Oman sees nothing of Ghana's


@pytest.mark.django_db
def test_coverage_csv_neutralises_formulas(client, world, staff):
    MemberState.objects.filter(iso3="BHR").update(name="=HYPERLINK(1)")
    MemberState.objects.filter(iso3="QAT").update(name="+Qatar")
    client.force_login(staff)

    lines = csv_lines(client.get("/regions/arab/coverage.csv"))

    assert "BHR,'=HYPERLINK(1),0,0,0,0" in lines
    assert "QAT,'+Qatar,0,0,0,0" in lines


@pytest.mark.django_db
def test_coverage_csv_runs_a_fixed_number_of_queries(
    client, world, staff, django_assert_num_queries
):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=8)
    with django_assert_num_queries(6):
        small = client.get("/regions/arab/coverage.csv")
    assert small.status_code == 200
    knowledge_world.grow(world, staff=staff, count=80)

    with django_assert_num_queries(6):
        large = client.get("/regions/arab/coverage.csv")
    assert large.status_code == 200


# --- the deliverable's side: what it draws on ---------------------------------------------


def deliverable_url(world) -> str:
    return f"/deliverables/{world.deliverable.pk}/"


@pytest.mark.django_db
def test_deliverable_page_shows_what_it_draws_on_to_its_branch(client, world, staff):
    contributions.incorporate(staff, world.c5, world.deliverable)
    client.force_login(staff)

    page = html(client.get(deliverable_url(world)))

    assert '<h2 id="draws-on-heading">Draws on / informed by</h2>' in page
    assert (
        f'<a href="/advisory-requests/{world.r1.pk}/">Oman: R1 Oman e-government assessment</a>'
        in (page)
    )
    assert f'<a href="/contributions/{world.c1.pk}/">C1 Ghana e-Registrar</a> (Ghana)' in page
    assert (
        f'<a href="/contributions/{world.c5.pk}/">C5 Ghana ICT4AD</a> (Ghana) — incorporated'
    ) in page
    assert len(re.findall(r'href="/knowledge-links/\d+/remove/"', page)) == 2
    assert f'href="/deliverables/{world.deliverable.pk}/links/"' in page


@pytest.mark.django_db
def test_deliverable_page_shows_a_reviewer_the_contributions_but_no_request(
    client, world, reviewer
):
    client.force_login(reviewer)

    page = html(client.get(deliverable_url(world)))

    assert f'<a href="/contributions/{world.c1.pk}/">C1 Ghana e-Registrar</a>' in page
    assert "R1 Oman" not in page
    assert 'href="/knowledge-links/' not in page
    assert "/links/" not in page


@pytest.mark.django_db
def test_deliverable_page_runs_a_fixed_number_of_queries_whatever_the_links(
    client, world, staff, django_assert_num_queries
):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=8)
    with django_assert_num_queries(20):
        small = client.get(deliverable_url(world))
    assert small.status_code == 200
    knowledge_world.grow(world, staff=staff, count=80)

    with django_assert_num_queries(20):
        large = client.get(deliverable_url(world))
    assert large.status_code == 200

    assert KnowledgeLink.objects.filter(deliverable=world.deliverable).count() == 90
    # including the header's unread count, the owner's next reminder (deadline, policies,
    # reminders sent) and the discussions (3): see tests/workflows/test_pages.py


# --- linking and unlinking ------------------------------------------------------------------


def link_url(world) -> str:
    return f"/deliverables/{world.deliverable.pk}/links/"


@pytest.mark.django_db
def test_link_page_offers_the_requests_and_accepted_contributions(client, world, staff):
    client.force_login(staff)

    response = client.get(link_url(world))

    request_choices = [str(r) for r in response.context["request_form"].fields["request"].queryset]
    contribution_choices = titles(
        response.context["contribution_form"].fields["contribution"].queryset
    )
    assert request_choices == [
        "Ghana: R2 Ghana e-government strategy",
        "Oman: R1 Oman e-government assessment",
    ]
    assert contribution_choices == [
        "C1 Ghana e-Registrar",
        "C5 Ghana ICT4AD",
        "C3 Oman digital strategy",
        "C4 Oman e-transactions law",
    ]
    assert '<label for="id_req-request">Advisory request</label>' in html(response)


@pytest.mark.django_db
def test_staff_links_a_request_and_a_contribution(client, world, staff):
    client.force_login(staff)

    first = client.post(
        link_url(world), {"what": "request", "req-request": world.r2.pk, "req-note": " Ch. 3 "}
    )
    second = client.post(link_url(world), {"what": "contribution", "con-contribution": world.c3.pk})

    assert (first.status_code, first["Location"]) == (302, deliverable_url(world))
    assert (second.status_code, second["Location"]) == (302, deliverable_url(world))
    assert list(
        KnowledgeLink.objects.filter(deliverable=world.deliverable)
        .order_by("pk")
        .values_list("request__title", "contribution__title", "note", "created_by__username")
    ) == [
        ("R1 Oman e-government assessment", None, "Findings of the mission.", "staff"),
        (None, "C1 Ghana e-Registrar", "Case 12.", "staff"),
        ("R2 Ghana e-government strategy", None, "Ch. 3", "staff"),
        (None, "C3 Oman digital strategy", "", "staff"),
    ]
    assert list(world.r2.knowledge_links.values_list("deliverable__title", flat=True)) == [
        "Compendium, volume 4"
    ]


@pytest.mark.django_db
def test_linking_twice_answers_400_and_keeps_one_link(client, world, staff):
    client.force_login(staff)

    response = client.post(link_url(world), {"what": "request", "req-request": world.r1.pk})

    assert response.status_code == 400
    assert "These two are already linked." in html(response)
    assert KnowledgeLink.objects.filter(request=world.r1).count() == 1


@pytest.mark.django_db
def test_linking_a_contribution_not_accepted_answers_400(client, world, staff):
    client.force_login(staff)

    response = client.post(
        link_url(world), {"what": "contribution", "con-contribution": world.c2.pk}
    )

    assert response.status_code == 400
    assert "Select a valid choice." in html(response)
    assert not KnowledgeLink.objects.filter(contribution=world.c2).exists()


@pytest.mark.django_db
def test_link_page_is_403_for_a_reviewer_and_404_for_another_branch(
    client, world, reviewer, other_branch_staff
):
    before = KnowledgeLink.objects.count()
    answers = {}
    for user in (reviewer, other_branch_staff):
        client.force_login(user)
        answers[user.username] = (
            client.get(link_url(world)).status_code,
            client.post(
                link_url(world), {"what": "request", "req-request": world.r2.pk}
            ).status_code,
        )

    assert answers == {"kenji": (403, 403), "pacb_staff": (404, 404)}
    assert KnowledgeLink.objects.count() == before


@pytest.mark.django_db
def test_link_page_with_an_unknown_action_says_so(client, world, staff):
    client.force_login(staff)

    response = client.post(link_url(world), {"what": "everything"}, follow=True)

    assert response.redirect_chain == [(link_url(world), 302)]
    assert "Unknown action." in html(response)


def remove_url(link) -> str:
    return f"/knowledge-links/{link.pk}/remove/"


@pytest.mark.django_db
def test_staff_unlinks_and_the_others_may_not(client, world, staff, reviewer, other_branch_staff):
    link = KnowledgeLink.objects.get(request=world.r1)
    answers = {}
    for user in (reviewer, other_branch_staff):
        client.force_login(user)
        answers[user.username] = client.post(remove_url(link)).status_code
    kept = KnowledgeLink.objects.filter(pk=link.pk).exists()
    client.force_login(staff)

    response = client.post(remove_url(link))

    assert answers == {"kenji": 403, "pacb_staff": 404}
    assert kept is True
    assert (response.status_code, response["Location"]) == (302, deliverable_url(world))
    assert not KnowledgeLink.objects.filter(pk=link.pk).exists()
    assert client.get(remove_url(link)).status_code == 404  # gone
    assert client.post("/knowledge-links/999999/remove/").status_code == 404


@pytest.mark.django_db
def test_unlinking_asks_first_on_a_page_of_its_own(
    client, world, staff, reviewer, other_branch_staff
):
    link = KnowledgeLink.objects.get(request=world.r1)
    answers = {}
    for user in (reviewer, other_branch_staff):
        client.force_login(user)
        answers[user.username] = client.get(remove_url(link)).status_code
    client.force_login(staff)

    deliverable_page = html(client.get(deliverable_url(world)))
    confirm = client.get(remove_url(link))

    # the deliverable page links to the question instead of removing on one click
    assert f'href="{remove_url(link)}"' in deliverable_page
    assert f'action="{remove_url(link)}"' not in deliverable_page
    assert confirm.status_code == 200
    page = html(confirm)
    assert "button--warning" in page
    assert f'action="{remove_url(link)}"' in page
    assert world.r1.title in page
    assert answers == {"kenji": 403, "pacb_staff": 404}
    assert KnowledgeLink.objects.filter(pk=link.pk).exists()  # asking changes nothing


# --- the admin -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_links_and_unlinks_through_the_service(client, world, secretariat_admin):
    client.force_login(secretariat_admin)
    link = KnowledgeLink.objects.get(request=world.r1)

    listing = client.get("/admin/knowledge/knowledgelink/")
    adding = client.get("/admin/knowledge/knowledgelink/add/")
    response = client.post(
        "/admin/knowledge/knowledgelink/",
        {"action": "unlink_selected", "_selected_action": [link.pk]},
        follow=True,
    )

    assert listing.status_code == 200
    assert "Oman: R1 Oman e-government assessment" in html(listing)
    assert adding.status_code == 403
    assert "1 link removed." in html(response)
    assert list(KnowledgeLink.objects.values_list("contribution__title", flat=True)) == [
        "C1 Ghana e-Registrar"
    ]


@pytest.mark.django_db
def test_country_and_region_pages_print_the_names_in_the_reader_language(
    client, world, staff, monkeypatch
):
    from cepa_collab.models import Region

    # the pages print the objects (localized names), never `.name`
    monkeypatch.setattr(MemberState, "__str__", lambda country: f"«{country.iso3}»")
    monkeypatch.setattr(Region, "__str__", lambda region: f"«{region.code}»")
    client.force_login(staff)

    listing = html(client.get("/countries/?region=arab"))
    country = html(client.get("/countries/OMN/"))
    region = html(client.get("/regions/arab/"))

    assert '<a href="/countries/OMN/">«OMN»</a>' in listing
    assert '<a href="/regions/arab/">«arab»</a>' in listing
    assert "<h1>«OMN»</h1>" in country
    assert "Region: «arab»" in country
    assert "<h1>Region: «arab»</h1>" in region
    assert '<a href="/countries/OMN/">«OMN»</a>' in region


@pytest.mark.django_db
def test_country_list_filter_panel_opens_while_a_filter_is_on(client, world, staff):
    client.force_login(staff)

    unfiltered = html(client.get("/countries/"))
    filtered = html(client.get("/countries/?region=arab"))

    assert '<details class="filter-panel">' in unfiltered
    assert '<details class="filter-panel" open>' in filtered
    assert '<option value="arab" selected>Arab region</option>' in filtered


@pytest.mark.django_db
def test_country_page_shows_requests_with_state_tags_and_dates(client, world, staff):
    client.force_login(staff)

    page = html(client.get("/countries/OMN/"))

    received = world.r1.received_on
    assert f'<td><time datetime="{received.isoformat()}">{received.day} ' in page
    assert f'<td><strong class="tag tag--{world.r1.state}">' in page
    assert '<dl class="summary-list">' in page
    assert 'class="table-wrap" role="region" aria-labelledby="requests-caption"' in page
