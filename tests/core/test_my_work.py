"""My work: the start page, its count in the navigation, the API and the digest's summary
list what waits for the person signed in, each with its action in place."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advisory import services as advisory
from advisory.enums import MilestoneState, RequestState
from cepa_collab import work
from cepa_collab.enums import Role
from contributions.enums import ContributionState
from meetings import services as meetings
from meetings.enums import Reply
from notifications.mail import digest_message
from notifications.models import Digest, Notification
from tests.factories import (
    AdvisoryRequestFactory,
    ContributionFactory,
    DeliverableFactory,
    MeetingFactory,
    MilestoneFactory,
    NotificationFactory,
    ParticipantFactory,
    ProductFactory,
    ReviewAssignmentFactory,
    branch,
    pdf,
    person,
)
from workflows import services as workflows
from workflows.enums import AssignmentState, DeliverableState
from workflows.models import Deliverable

pytestmark = pytest.mark.django_db


def _waiting(user) -> list[tuple[str, str, str]]:
    return [(item.kind, item.title, item.url) for item in work.my_work(user).waiting]


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1]


# --- what waits, per kind -------------------------------------------------------------------


def test_my_work_lists_a_reviewers_invitation_and_review_with_the_review_form(client, cepa_member):
    today = timezone.localdate()
    invited = ReviewAssignmentFactory(
        reviewer=cepa_member, due_date=today + datetime.timedelta(days=9)
    )
    accepted = ReviewAssignmentFactory(
        reviewer=cepa_member, state=AssignmentState.ACCEPTED, due_date=today
    )
    ReviewAssignmentFactory(reviewer=cepa_member, state=AssignmentState.DECLINED)
    client.force_login(cepa_member)

    items = _waiting(cepa_member)
    html = client.get("/").content.decode()

    assert items == [
        ("review_to_write", accepted.deliverable.title, f"/reviews/{accepted.pk}/"),
        ("review_invitation", invited.deliverable.title, f"/reviews/{invited.pk}/"),
    ]
    assert f'href="/reviews/{accepted.pk}/">Write your review' in html
    assert f'href="/reviews/{invited.pk}/">Answer the invitation' in html
    assert "2 things wait for you" in html


def test_my_work_lists_the_chiefs_decisions_of_his_branch_only(client, chief, cepa_member):
    awaiting = ReviewAssignmentFactory(reviewer=cepa_member, state=AssignmentState.SUBMITTED)
    ReviewAssignmentFactory(reviewer=cepa_member)  # a review still owed: not yet
    elsewhere = ReviewAssignmentFactory(
        reviewer=cepa_member,
        state=AssignmentState.SUBMITTED,
        deliverable=DeliverableFactory(
            product=ProductFactory(branch=branch("pacb")), state=DeliverableState.IN_REVIEW
        ),
    )

    items = [item for item in work.my_work(chief).waiting if item.kind == "decision"]

    expected = Deliverable.objects.awaiting_decision().filter(product__branch__code="e-govb")
    assert [item.url for item in items] == [
        f"/deliverables/{deliverable.pk}/#decision" for deliverable in expected
    ]
    assert [item.title for item in items] == [awaiting.deliverable.title]
    assert elsewhere.deliverable.title not in [item.title for item in items]


def test_my_work_says_which_step_each_of_the_owners_deliverables_needs(staff, cepa_member):
    product = ProductFactory()
    drafting = DeliverableFactory(
        product=product, owner=staff, state=DeliverableState.DRAFTING, title="A drafting"
    )
    in_review = DeliverableFactory(
        product=product, owner=staff, state=DeliverableState.IN_REVIEW, title="B in review"
    )
    reviewed = DeliverableFactory(
        product=product, owner=staff, state=DeliverableState.IN_REVIEW, title="C reviewed"
    )
    ReviewAssignmentFactory(deliverable=reviewed, reviewer=cepa_member)
    revising = DeliverableFactory(
        product=product, owner=staff, state=DeliverableState.REVISING, title="D revising"
    )
    later = DeliverableFactory(
        product=product, owner=staff, title="E later", due_date=timezone.localdate() + HORIZON_PLUS
    )

    result = work.my_work(staff)
    steps = {item.title: (item.action, item.url) for item in result.waiting}

    assert steps == {
        "A drafting": ("Upload a draft", f"/deliverables/{drafting.pk}/versions/new/"),
        "B in review": ("Choose reviewers", f"/deliverables/{in_review.pk}/reviewers/"),
        "D revising": ("Upload the revised draft", f"/deliverables/{revising.pk}/versions/new/"),
    }
    assert {item.title for item in result.coming_up} == {"C reviewed", "E later"}
    assert later.pk


HORIZON_PLUS = work.HORIZON + datetime.timedelta(days=5)


def test_my_work_offers_to_send_a_draft_uploaded_but_not_yet_sent(staff):
    deliverable = DeliverableFactory(owner=staff, state=DeliverableState.DRAFTING)
    workflows.upload_version(staff, deliverable, pdf("draft.pdf"))

    (item,) = work.my_work(staff).waiting

    assert (item.action, item.url) == (
        "Send the draft for review",
        f"/deliverables/{deliverable.pk}/",
    )


def test_my_work_lists_meetings_awaiting_a_reply_until_answered(cepa_member):
    meeting = MeetingFactory(title="Expert group")
    ParticipantFactory(meeting=meeting, user=cepa_member)

    before = _waiting(cepa_member)
    meetings.set_reply(cepa_member, meeting, Reply.ACCEPTED)
    after = work.my_work(cepa_member)

    assert before == [("meeting_reply", "Expert group", f"/meetings/{meeting.pk}/#reply-heading")]
    assert after.waiting == []
    assert [item.title for item in after.coming_up] == ["Expert group"]


def test_my_work_lists_the_plan_awaiting_the_focal_points_comment_until_he_comments(
    focal_point,
):
    request = AdvisoryRequestFactory(state=RequestState.PLAN_DRAFTED, country="OMN")
    AdvisoryRequestFactory(state=RequestState.PLAN_DRAFTED, country="GHA")

    before = _waiting(focal_point)
    advisory.add_comment(focal_point, request, "We agree.", internal=False)
    after = _waiting(focal_point)

    assert before == [
        ("plan_comment", request.title, f"/advisory-requests/{request.pk}/#comment-form-heading")
    ]
    assert after == []


def test_my_work_lists_the_milestones_a_person_leads(staff):
    advisor = person(Role.INTER_REGIONAL_ADVISOR, username="ira", branch_code="e-govb")
    request = AdvisoryRequestFactory(state=RequestState.ACCEPTED, lead=advisor)
    soon = MilestoneFactory(request=request, lead=advisor, due_date=timezone.localdate())
    MilestoneFactory(request=request, lead=advisor, due_date=timezone.localdate() + HORIZON_PLUS)
    MilestoneFactory(request=request, lead=advisor, state=MilestoneState.DONE)

    result = work.my_work(advisor)

    assert [(item.kind, item.url) for item in result.waiting] == [
        ("milestone", f"/advisory-requests/{request.pk}/#milestone-{soon.pk}")
    ]
    assert [item.kind for item in result.coming_up] == ["milestone"]
    assert [item.kind for item in result.done] == ["milestone_done"]


def test_my_work_lists_contributions_to_review_for_the_branch_and_returned_ones_for_the_author(
    staff, cepa_member
):
    submitted = ContributionFactory(state=ContributionState.SUBMITTED)
    mine = ContributionFactory(state=ContributionState.UNDER_REVIEW, reviewer=staff)
    theirs = ContributionFactory(
        state=ContributionState.UNDER_REVIEW,
        reviewer=person(Role.BRANCH_STAFF, username="other", branch_code="e-govb"),
    )
    returned = ContributionFactory(author=cepa_member, state=ContributionState.RETURNED)

    to_review = {item.title: item.action for item in work.my_work(staff).waiting}
    for_author = _waiting(cepa_member)

    assert to_review == {submitted.title: "Start the review", mine.title: "Finish the review"}
    assert theirs.title not in to_review
    assert for_author == [
        ("contribution_returned", returned.title, f"/contributions/{returned.pk}/edit/")
    ]


# --- the page --------------------------------------------------------------------------------


def test_home_says_so_when_nothing_waits(client, cepa_member):
    client.force_login(cepa_member)

    html = client.get("/").content.decode()

    assert "0 things wait for you" in html
    assert "Nothing waits for you. You are up to date." in html
    assert "Nothing planned for you in the coming weeks." in html
    assert 'class="badge"' not in html


def test_home_counts_what_waits_in_the_navigation_on_every_page(client, cepa_member):
    ReviewAssignmentFactory(reviewer=cepa_member)
    ReviewAssignmentFactory(reviewer=cepa_member, state=AssignmentState.ACCEPTED)
    client.force_login(cepa_member)

    html = client.get("/meetings/").content.decode()

    assert re.search(
        r'<a href="/" aria-label="Home, 2 things wait for you">Home <span class="badge">\(2\)'
        r"</span></a>",
        html,
    )


def test_home_lists_the_soonest_and_links_to_all_of_each_kind(client, cepa_member):
    for _index in range(work.PER_KIND + 1):
        ReviewAssignmentFactory(reviewer=cepa_member)
    client.force_login(cepa_member)

    html = client.get("/").content.decode()

    assert html.count("Answer the invitation") == work.PER_KIND
    assert f'href="/reviews/">Invitations to review: {work.PER_KIND + 1}</a>' in html
    assert f"The soonest {work.PER_KIND} things are listed" in html


def _world(size: int, chief, member) -> None:
    """`size` of each kind of work for the chief and the member."""
    product = ProductFactory(actor=chief)
    for _index in range(size):
        awaiting = DeliverableFactory(product=product, state=DeliverableState.IN_REVIEW)
        ReviewAssignmentFactory(
            deliverable=awaiting, reviewer=member, state=AssignmentState.SUBMITTED
        )
        ReviewAssignmentFactory(reviewer=member)
        DeliverableFactory(product=product, owner=chief, state=DeliverableState.DRAFTING)
        ParticipantFactory(meeting=MeetingFactory(), user=member)
        ParticipantFactory(meeting=MeetingFactory(), user=chief, reply=Reply.ACCEPTED)
        ContributionFactory(state=ContributionState.SUBMITTED)


@pytest.mark.parametrize(("who", "queries"), [("chief", 16), ("member", 9)])
def test_home_costs_the_same_queries_whatever_the_amount_of_work(
    client, django_assert_num_queries, chief, cepa_member, who, queries
):
    user = chief if who == "chief" else cepa_member
    client.force_login(user)
    _world(1, chief, cepa_member)
    with django_assert_num_queries(queries):
        assert client.get("/").status_code == 200
    _world(4, chief, cepa_member)
    client.force_login(user)

    with django_assert_num_queries(queries):
        assert client.get("/").status_code == 200


def test_navigation_count_and_unread_count_are_one_query(
    client, django_assert_num_queries, cepa_member
):
    ReviewAssignmentFactory(reviewer=cepa_member)
    NotificationFactory(user=cepa_member)
    client.force_login(cepa_member)
    with django_assert_num_queries(6, exact=False) as captured:
        html = client.get("/meetings/month/").content.decode()

    counted = [q["sql"] for q in captured.captured_queries if "COUNT(1)" in q["sql"]]
    assert len(counted) == 1
    unread = Notification.objects.filter(user=cepa_member, read_at__isnull=True).count()
    assert 'Home <span class="badge">(1)</span>' in html
    assert f"Notifications, {unread} unread" in html


# --- the API -------------------------------------------------------------------------------


def test_my_work_api_answers_the_signed_in_person_only(client, cepa_member):
    assignment = ReviewAssignmentFactory(reviewer=cepa_member)

    anonymous = client.get("/api/v1/me/work/")
    client.force_login(cepa_member)
    body = client.get("/api/v1/me/work/").json()

    assert anonymous.status_code == 401
    assert body["total"] == 1
    assert body["kinds"] == [
        {
            "kind": "review_invitation",
            "label": "Invitations to review",
            "count": 1,
            "see_all": "/reviews/",
        }
    ]
    assert body["waiting"] == [
        {
            "kind": "review_invitation",
            "title": assignment.deliverable.title,
            "about": str(assignment.deliverable.product),
            "action": "Answer the invitation",
            "url": f"http://testserver/reviews/{assignment.pk}/",
            "due": assignment.due_date.isoformat(),
            "overdue": False,
            "at": None,
        }
    ]


def test_my_work_api_is_in_the_schema(client, staff):
    client.force_login(staff)

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert set(schema["paths"]["/api/v1/me/work/"]) == {"get"}


# --- the digest ------------------------------------------------------------------------------


def test_digest_starts_with_what_waits(cepa_member):
    ReviewAssignmentFactory(reviewer=cepa_member)
    notification = NotificationFactory(user=cepa_member)
    digest = Digest(user=cepa_member, local_date=timezone.localdate())

    message = digest_message(digest, [notification])

    assert message.body.startswith(
        "1 thing waits for you:\n- Invitations to review: 1\n"
        f"See them and act: {settings.SITE_URL}/\n\n"
    )
    html = message.alternatives[0][0]
    assert "<li>Invitations to review: <strong>1</strong></li>" in html


def test_digest_says_nothing_of_work_when_nothing_waits(cepa_member):
    notification = NotificationFactory(user=cepa_member)
    digest = Digest(user=cepa_member, local_date=timezone.localdate())

    message = digest_message(digest, [notification])

    assert "wait" not in message.body.split("\n", 1)[0]


def test_my_work_api_lists_only_the_callers_own_work(client, cepa_member):
    ReviewAssignmentFactory(reviewer=cepa_member)
    other = person(Role.CEPA_MEMBER, username="lars", country="SWE")

    client.force_login(other)
    body = client.get("/api/v1/me/work/").json()

    assert body["total"] == 0
    assert body["waiting"] == []


def test_the_chiefs_count_follows_his_decision_at_once(client, chief, cepa_member):
    assignment = ReviewAssignmentFactory(reviewer=cepa_member, state=AssignmentState.SUBMITTED)
    client.force_login(chief)
    before = client.get("/meetings/").content.decode()
    again = client.get("/meetings/").content.decode()  # counted once, then kept

    workflows.fire_transition(chief, assignment.deliverable, "approve")
    after = client.get("/meetings/").content.decode()

    assert 'Home <span class="badge">(1)</span>' in before
    assert 'Home <span class="badge">(1)</span>' in again
    assert 'class="badge"' not in after.split("Notifications")[0]


def test_the_header_counts_in_one_query_on_every_page_of_the_chief(client, chief, cepa_member):
    ReviewAssignmentFactory(reviewer=cepa_member, state=AssignmentState.SUBMITTED)
    client.force_login(chief)
    client.get("/meetings/month/")

    with CaptureQueriesContext(connection) as warm:
        client.get("/meetings/month/")
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get("/meetings/month/")

    # the decisions are counted in the header's one query when nothing was kept
    assert len(cold.captured_queries) == len(warm.captured_queries)


def test_the_chiefs_decisions_kept_are_loaded_by_key_without_the_rule(client, chief, cepa_member):
    """Once counted, the decisions' first rows are read by their keys: the rule over the
    whole branch (grouping every open round) runs in the count, not again to list them."""
    assignment = ReviewAssignmentFactory(reviewer=cepa_member, state=AssignmentState.SUBMITTED)
    client.force_login(chief)
    client.get("/")  # counts the decisions and keeps their first keys

    with CaptureQueriesContext(connection) as warm:
        page = client.get("/").content.decode()

    assert f"/deliverables/{assignment.deliverable.pk}/#decision" in page
    deliverable_reads = [
        q["sql"]
        for q in warm.captured_queries
        if q["sql"].startswith('SELECT "workflows_deliverable"."id"')
    ]
    assert deliverable_reads
    assert not [sql for sql in deliverable_reads if "HAVING" in sql]
