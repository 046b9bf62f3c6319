"""A contribution's history: the lines the services write, and who sees them on the
contribution's page, in the API (GET /api/v1/contributions/{id}/history/) and in the admin.

The history is for the author, the branch's staff and chief who review the contribution, and
admins; the others who see an accepted contribution (another CEPA member, the country's focal
point, the branch's advisors) see the contribution without it, and the API answers them 403
(seen but not allowed); those who do not see the contribution get 404.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from cepa_collab.models import Profile
from contributions import services
from contributions.enums import ContributionAction, ContributionState
from contributions.models import Contribution, ContributionHistory
from tests.contributions.contribution_fixtures import (
    NOW,
    case_study,
    compendium,
    pdf,
    returned,
    submitted,
    volume,
)
from tests.factories import person

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

A = ContributionAction
S = ContributionState
RETURN_COMMENT = "Add the 2025 enrolment figures."


@pytest.fixture(autouse=True)
def clock():
    """Time stands still at NOW unless a test moves it."""
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


def rows(contribution: Contribution) -> list[tuple]:
    """The history as (actor, action, from, to, comment or else summary), oldest first."""
    return [
        (e.actor.username, e.action, e.from_state, e.to_state, e.comment or e.summary)
        for e in ContributionHistory.objects.filter(contribution=contribution).order_by("at", "pk")
    ]


def reviewed_and_accepted(people, clock) -> Contribution:
    """A Ghana case study returned once with RETURN_COMMENT, revised, resubmitted and
    accepted without a comment: the return's comment survives only in the history."""
    author, staff = people["author"], people["staff"]
    contribution = case_study(author)
    clock.shift(datetime.timedelta(hours=1))
    returned(contribution, staff, comment=RETURN_COMMENT)
    clock.shift(datetime.timedelta(hours=1))
    services.update(author, contribution, summary="With the 2025 figures.")
    services.fire_transition(author, contribution, "submit")
    services.fire_transition(staff, contribution, "start_review")
    clock.shift(datetime.timedelta(hours=1))
    return services.fire_transition(staff, contribution, "accept")


# --- what the services write -----------------------------------------------------------------


def test_propose_writes_a_created_row_into_the_draft_state(people):
    contribution = case_study(people["author"])

    assert rows(contribution) == [("amina", A.CREATED, "", S.DRAFT, "")]


def test_update_names_the_changed_fields_only(people):
    contribution = case_study(people["author"])

    services.update(
        people["author"],
        contribution,
        title="Ghana Card",
        summary="One card for every service.",
        innovation=contribution.innovation,
    )

    assert rows(contribution)[1:] == [("amina", A.EDITED, "", "", "Changed: title, summary.")]


def test_update_without_a_change_writes_no_row(people):
    contribution = case_study(people["author"])

    services.update(people["author"], contribution, title=contribution.title)

    assert rows(contribution) == [("amina", A.CREATED, "", S.DRAFT, "")]


def test_attach_and_remove_write_attachment_rows(people):
    contribution = case_study(people["author"])

    attachment = services.attach(people["author"], contribution, pdf("Ghana card.pdf"))
    services.remove_attachment(people["author"], attachment)

    assert rows(contribution)[1:] == [
        ("amina", A.ATTACHMENT, "", "", "Attached “Ghana card.pdf”."),
        ("amina", A.ATTACHMENT, "", "", "Removed “Ghana card.pdf”."),
    ]


def test_review_round_trip_writes_each_transition_with_its_states_and_comment(people, clock):
    contribution = reviewed_and_accepted(people, clock)

    assert rows(contribution) == [
        ("amina", A.CREATED, "", S.DRAFT, ""),
        ("amina", A.TRANSITION, S.DRAFT, S.SUBMITTED, ""),
        ("staff", A.TRANSITION, S.SUBMITTED, S.UNDER_REVIEW, ""),
        ("staff", A.TRANSITION, S.UNDER_REVIEW, S.RETURNED, RETURN_COMMENT),
        ("amina", A.EDITED, "", "", "Changed: summary."),
        ("amina", A.TRANSITION, S.RETURNED, S.SUBMITTED, ""),
        ("staff", A.TRANSITION, S.SUBMITTED, S.UNDER_REVIEW, ""),
        ("staff", A.TRANSITION, S.UNDER_REVIEW, S.ACCEPTED, ""),
    ]


def test_incorporate_writes_an_incorporated_row(people, clock):
    vol = volume(people["chief"], people["staff"], compendium(people["chief"]))
    contribution = reviewed_and_accepted(people, clock)

    services.incorporate(people["chief"], contribution, vol)

    assert rows(contribution)[-1] == (
        "chief",
        A.INCORPORATED,
        "",
        "",
        "Incorporated into “Compendium, volume 4”.",
    )


def test_refused_operations_write_no_row(people):
    contribution = submitted(case_study(people["author"]))
    before = rows(contribution)

    with pytest.raises(PermissionDenied):
        services.fire_transition(people["other_member"], contribution, "start_review")
    services.fire_transition(people["staff"], contribution, "start_review")
    with pytest.raises(ValidationError):
        services.fire_transition(people["staff"], contribution, "return_for_revision")

    assert rows(contribution) == [
        *before,
        ("staff", A.TRANSITION, S.SUBMITTED, S.UNDER_REVIEW, ""),
    ]


# --- who sees it: the page and the API, same contribution, same request ------------------------


def page(client, user, contribution: Contribution):
    client.force_login(user)
    return client.get(f"/contributions/{contribution.pk}/")


def api_history(user, contribution: Contribution, **headers):
    api = APIClient()
    api.force_authenticate(user)
    return api.get(f"/api/v1/contributions/{contribution.pk}/history/", **headers)


@pytest.mark.parametrize("who", ["author", "staff", "chief", "secretariat_admin"])
def test_history_is_shown_to_the_author_reviewers_and_admins(client, people, clock, who):
    contribution = reviewed_and_accepted(people, clock)

    response = page(client, people[who], contribution)
    answer = api_history(people[who], contribution)

    assert response.status_code == 200
    assert '<h2 id="history-heading">History</h2>' in response.content.decode()
    assert RETURN_COMMENT in response.content.decode()
    assert answer.status_code == 200
    assert [row["comment"] for row in answer.json()].count(RETURN_COMMENT) == 1


@pytest.mark.parametrize(
    "who", ["other_member", "focal_point_ghana", "advisor", "other_branch_staff"]
)
def test_history_is_withheld_from_others_who_see_the_accepted_contribution(
    client, people, clock, who
):
    contribution = reviewed_and_accepted(people, clock)

    response = page(client, people[who], contribution)
    answer = api_history(people[who], contribution)

    assert response.status_code == 200
    assert "<h1>Ghana&#x27;s national digital identity</h1>" in response.content.decode()
    assert 'id="history-heading"' not in response.content.decode()
    assert RETURN_COMMENT not in response.content.decode()
    assert response.context["history"] is None
    assert answer.status_code == 403
    assert answer.json() == {"detail": "Its history is for its author, its reviewers and admins."}


def under_review_again(people) -> Contribution:
    """A Ghana case study returned with RETURN_COMMENT, resubmitted and under review."""
    contribution = returned(case_study(people["author"]), people["staff"], RETURN_COMMENT)
    services.fire_transition(people["author"], contribution, "submit")
    return services.fire_transition(people["staff"], contribution, "start_review")


@pytest.mark.parametrize("who", ["author", "staff", "chief", "secretariat_admin"])
def test_history_of_a_contribution_in_review_is_shown_to_its_people(client, people, who):
    contribution = under_review_again(people)

    response = page(client, people[who], contribution)
    answer = api_history(people[who], contribution)

    assert response.status_code == 200
    assert '<h2 id="history-heading">History</h2>' in response.content.decode()
    assert [row.comment for row in response.context["history"]].count(RETURN_COMMENT) == 1
    assert answer.status_code == 200
    assert [row["to_state"] for row in answer.json()] == [
        S.DRAFT,
        S.SUBMITTED,
        S.UNDER_REVIEW,
        S.RETURNED,
        S.SUBMITTED,
        S.UNDER_REVIEW,
    ]


@pytest.mark.parametrize(
    "who", ["other_branch_staff", "other_member", "focal_point_ghana", "focal_point"]
)
def test_history_of_a_contribution_one_cannot_see_is_not_found(client, people, who):
    contribution = under_review_again(people)
    user = people[who]

    response = page(client, user, contribution)
    answer = api_history(user, contribution)

    assert response.status_code == 404
    assert answer.status_code == 404
    assert RETURN_COMMENT not in answer.content.decode()


def test_history_api_of_a_draft_is_not_found_for_the_branch(people):
    draft = case_study(people["author"])

    assert api_history(people["staff"], draft).status_code == 404
    assert api_history(people["author"], draft).status_code == 200


def test_history_api_refuses_anonymous_callers(people):
    contribution = case_study(people["author"])

    answer = APIClient().get(f"/api/v1/contributions/{contribution.pk}/history/")

    assert answer.status_code == 401


def test_history_api_gives_each_line_oldest_first(people, clock):
    author = people["author"]
    author.first_name, author.last_name = "Amina", "Owusu"
    author.save(update_fields=["first_name", "last_name"])
    contribution = case_study(author)
    clock.shift(datetime.timedelta(minutes=30))
    returned(contribution, people["staff"], comment=RETURN_COMMENT)
    clock.shift(datetime.timedelta(minutes=30))
    services.update(author, contribution, summary="Now with figures.")

    answer = api_history(author, contribution)
    in_french = api_history(author, contribution, HTTP_ACCEPT_LANGUAGE="fr").json()[-1]
    staff_name = people["staff"].get_full_name()

    assert answer.status_code == 200
    assert answer.json() == [
        {
            "at": "2026-03-02T10:00:00Z",
            "actor": "Amina Owusu",
            "action": "created",
            "action_label": "Proposed",
            "from_state": "",
            "to_state": "draft",
            "summary": "",
            "comment": "",
        },
        {
            "at": "2026-03-02T10:30:00Z",
            "actor": "Amina Owusu",
            "action": "transition",
            "action_label": "State change",
            "from_state": "draft",
            "to_state": "submitted",
            "summary": "",
            "comment": "",
        },
        {
            "at": "2026-03-02T10:30:00Z",
            "actor": staff_name,
            "action": "transition",
            "action_label": "State change",
            "from_state": "submitted",
            "to_state": "under_review",
            "summary": "",
            "comment": "",
        },
        {
            "at": "2026-03-02T10:30:00Z",
            "actor": staff_name,
            "action": "transition",
            "action_label": "State change",
            "from_state": "under_review",
            "to_state": "returned",
            "summary": "",
            "comment": RETURN_COMMENT,
        },
        {
            "at": "2026-03-02T11:00:00Z",
            "actor": "Amina Owusu",
            "action": "edited",
            "action_label": "Edited",
            "from_state": "",
            "to_state": "",
            "summary": "Changed: summary.",
            "comment": "",
        },
    ]
    # The note is stored untranslated and given in the caller's language.
    assert in_french["summary"] != "Changed: summary."
    assert in_french["summary"].endswith(".")


# --- the page's section -----------------------------------------------------------------------


def test_history_section_gives_when_in_the_viewers_time_zone_who_what_and_states(client, people):
    Profile.objects.filter(user=people["staff"]).update(time_zone="Asia/Muscat")
    contribution = returned(case_study(people["author"]), people["staff"], RETURN_COMMENT)

    response = page(client, people["staff"], contribution)
    html = response.content.decode()

    assert "Times are in your time zone (Asia/Muscat)." in html
    # NOW is 10:00 UTC, 14:00 in Muscat
    assert (
        '<p class="timeline__when"><time datetime="2026-03-02T10:00:00+00:00">'
        "2 March 2026, 14:00</time></p>\n"
        '      <p class="timeline__what"><strong>State change</strong>: from Under review to '
        f"Returned for revision — {people['staff'].get_full_name()}</p>\n"
        "      \n"
        f"      <p>{RETURN_COMMENT}</p>"
    ) in html
    assert [(r.action, r.from_state, r.to_state) for r in response.context["history"]] == [
        ("Proposed", "", "Draft"),
        ("State change", "Draft", "Submitted"),
        ("State change", "Submitted", "Under review"),
        ("State change", "Under review", "Returned for revision"),
    ]


def test_history_section_is_in_the_authors_time_zone_for_the_author(client, db):
    author = person(Role.CEPA_MEMBER, username="kofi", country="GHA", time_zone="America/New_York")
    contribution = case_study(author)

    html = page(client, author, contribution).content.decode()

    assert "Times are in your time zone (America/New_York)." in html
    assert '<time datetime="2026-03-02T10:00:00+00:00">2 March 2026, 05:00</time>' in html


# --- query count ----------------------------------------------------------------------------------


def grow_history(contribution: Contribution, people, lines: int) -> None:
    """Bring a new draft (one line) to `lines` lines, submitted, through the services: 2
    lines by submitting it; from 12 on, edits by the author, a review started by the staff
    member and returned by the chief, and a resubmission."""
    author = contribution.author
    if lines >= 12:
        for n in range(lines - 5):
            services.update(author, contribution, title=f"Version {n}")
        services.fire_transition(author, contribution, "submit")
        services.fire_transition(people["staff"], contribution, "start_review")
        services.fire_transition(
            people["chief"], contribution, "return_for_revision", comment="More."
        )
    else:
        assert lines == 2
    services.fire_transition(author, contribution, "submit")


def detail_page(client, user, contribution: Contribution, queries, django_assert_num_queries):
    """The detail page as `user` sees it, in exactly `queries` queries, with every line of
    the history."""
    client.force_login(user)
    with django_assert_num_queries(queries):
        response = client.get(f"/contributions/{contribution.pk}/")
    assert response.status_code == 200
    assert (
        len(response.context["history"])
        == ContributionHistory.objects.filter(contribution=contribution).count()
    )


# session, user, roles, profile, the contribution, citing links, attachments, the history with
# its actors (one query), unread notifications; for branch staff and the chief also whether
# they have reviews to do (the navigation).
@pytest.mark.parametrize(("who", "queries"), [("author", 9), ("staff", 10), ("chief", 10)])
def test_detail_query_count_does_not_grow_with_the_history(
    client, people, who, queries, django_assert_num_queries
):
    small = case_study(people["author"], title="Small")
    large = case_study(people["author"], title="Large")
    grow_history(small, people, 2)
    grow_history(large, people, 12)

    detail_page(client, people[who], small, queries, django_assert_num_queries)
    detail_page(client, people[who], large, queries, django_assert_num_queries)

    assert [len(rows(small)), len(rows(large))] == [2, 12]


# --- admin ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretariat_admin", "superuser"])
def test_admin_shows_the_history_read_only_under_the_contribution(
    client, people, clock, superuser, who
):
    user = superuser if who == "superuser" else people[who]
    contribution = reviewed_and_accepted(people, clock)
    client.force_login(user)

    response = client.get(f"/admin/contributions/contribution/{contribution.pk}/change/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Contribution history" in html
    assert RETURN_COMMENT in html
    assert "Returned for revision" in html
    assert 'name="history-TOTAL_FORMS" value="8"' in html
    assert 'name="history-0-comment"' not in html
    assert 'name="history-MAX_NUM_FORMS" value="0"' in html
    assert 'name="history-0-DELETE"' not in html


def test_admin_has_no_page_to_add_or_change_history_lines(client, people, superuser):
    contribution = case_study(people["author"])
    entry = ContributionHistory.objects.get(contribution=contribution)
    client.force_login(superuser)

    listing = client.get("/admin/contributions/contributionhistory/")
    change = client.get(f"/admin/contributions/contributionhistory/{entry.pk}/change/")

    assert (listing.status_code, change.status_code) == (404, 404)
    assert rows(contribution) == [("amina", A.CREATED, "", S.DRAFT, "")]


# --- schema ---------------------------------------------------------------------------------------


def test_schema_documents_the_history_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    operation = response.json()["paths"]["/api/v1/contributions/{id}/history/"]
    assert set(operation) == {"get"}
    assert set(operation["get"]["responses"]) == {"200", "401", "403", "404"}
