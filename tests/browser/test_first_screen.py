"""The first screen of each persona of the demo lists exactly what the services say waits
for them, and its actions lead in place: a reviewer reaches her review form in one click,
the chief a decision form in two at most (here one: the deliverable's page, at its
decision).

The demo world (`manage.py seed_demo`, today's dates) is seeded once for the module and
served by a live server of its own, as for the crawl (tests/browser/test_crawl.py). What
each person has open is counted here from the services' own querysets, not from the
registry the page is built from (`cepa_collab.work`): review assignments by state, the
chief's `Deliverable.objects.awaiting_decision`, invitations to meetings not yet answered,
the focal point's plans of action drafted, the contributions of the branch submitted.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from advisory.enums import REQUEST_OPEN_STATES, MilestoneState, RequestState
from advisory.models import AdvisoryRequest, Comment, Milestone
from cepa_collab import viewer
from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.work import HORIZON, PER_KIND
from contributions.enums import ContributionState
from contributions.models import Contribution
from meetings.enums import MeetingStatus, Reply
from meetings.models import Participant
from tests.browser import crawler
from workflows.enums import AssignmentState, DeliverableState
from workflows.models import Deliverable, ReviewAssignment
from workflows.rules import TRANSITION_LABELS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PERSONAS = ["chief", "staff", "ira", "amina", "focal_gha", "admin"]


@pytest.fixture
def _browser_tests_use_transactional_db() -> None:
    """Not here: the demo world is seeded once for the module (`first_screen_site`)."""


@pytest.fixture(scope="module")
def first_screen_site(django_db_setup, django_db_blocker, tmp_path_factory, chromium):
    """The demo world, committed, a live server in front of it, and a signed-in session
    for each persona; flushed when the module is done."""
    from guardian.conf import settings as guardian_settings
    from guardian.management import create_anonymous_user
    from pytest_django.live_server_helper import LiveServer

    from cepa_collab.celery import app as celery_app
    from tests.factories import ensure_reference_data

    media = tmp_path_factory.mktemp("first-screen-media")
    with django_db_blocker.unblock():
        ensure_reference_data()
        if not get_user_model().objects.filter(username=guardian_settings.ANONYMOUS_USER_NAME):
            create_anonymous_user(None, using="default")
        with (
            pytest.MonkeyPatch.context() as patch,
            override_settings(
                MEDIA_ROOT=media,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ),
        ):
            patch.setitem(celery_app.conf, "task_always_eager", True)
            patch.setitem(celery_app.conf, "task_eager_propagates", True)
            call_command("seed_demo", stdout=io.StringIO())
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        cookies = {name: crawler.session_cookie(name, server.url) for name in PERSONAS}
        # A CEPA member with a review still owed (amina answered hers in the demo).
        reviewer = _owing_reviewer()
        cookies["reviewer"] = crawler.session_cookie(reviewer.username, server.url)
    try:
        yield server.url, cookies
    finally:
        with django_db_blocker.unblock():
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            ensure_reference_data()


def _owing_reviewer():
    """The first CEPA member (by username) who still owes a review."""
    owing = ReviewAssignment.objects.filter(
        state__in=(AssignmentState.INVITED, AssignmentState.ACCEPTED),
        reviewer__groups__name=Role.CEPA_MEMBER,
    ).order_by("reviewer__username")
    return owing.select_related("reviewer").first().reviewer


def open_by_the_services(user) -> Counter:
    """What the services' querysets say waits for `user`, by kind of work."""
    today = timezone.localdate()
    roles = set(roles_for(user))
    branch_id = viewer.user_branch_id(user)
    expected: Counter = Counter()
    mine = ReviewAssignment.objects.filter(reviewer=user)
    expected["review_invitation"] = mine.filter(state=AssignmentState.INVITED).count()
    expected["review_to_write"] = mine.filter(state=AssignmentState.ACCEPTED).count()
    if Role.BRANCH_CHIEF in roles:
        expected["decision"] = (
            Deliverable.objects.awaiting_decision(today)
            .filter(product__branch_id=branch_id)
            .count()
        )
    if viewer.is_division_staff(user):
        owned = Deliverable.objects.filter(owner=user)
        with_reviewers = ReviewAssignment.objects.filter(
            round__state="open",
            state__in=(
                AssignmentState.INVITED,
                AssignmentState.ACCEPTED,
                AssignmentState.SUBMITTED,
            ),
        ).values("deliverable_id")
        expected["deliverable_step"] = (
            owned.filter(state__in=(DeliverableState.DRAFTING, DeliverableState.REVISING)).count()
            + owned.filter(state=DeliverableState.PLANNED, due_date__lte=today + HORIZON).count()
            + owned.filter(state=DeliverableState.IN_REVIEW).exclude(pk__in=with_reviewers).count()
        )
        expected["milestone"] = Milestone.objects.filter(
            lead=user,
            state=MilestoneState.OPEN,
            request__state__in=REQUEST_OPEN_STATES,
            due_date__lte=today + HORIZON,
        ).count()
    if {Role.BRANCH_STAFF, Role.BRANCH_CHIEF} & roles and branch_id is not None:
        expected["contribution_review"] = Contribution.objects.filter(
            Q(state=ContributionState.SUBMITTED)
            | Q(state=ContributionState.UNDER_REVIEW, reviewer=user),
            branch_id=branch_id,
        ).count()
    if Role.CEPA_MEMBER in roles:
        expected["contribution_returned"] = Contribution.objects.filter(
            author=user, state=ContributionState.RETURNED
        ).count()
    if Role.FOCAL_POINT in roles:
        drafted = AdvisoryRequest.objects.filter(
            country_id=user.profile.country_id, state=RequestState.PLAN_DRAFTED
        )
        expected["plan_comment"] = sum(
            1
            for request in drafted
            if not Comment.objects.filter(
                request=request,
                author=user,
                created_at__gte=request.state_changed_at or request.created_at,
            ).exists()
        )
    expected["meeting_reply"] = (
        Participant.objects.filter(user=user, reply=Reply.INVITED, meeting__end__gte=timezone.now())
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .count()
    )
    return +expected  # the kinds with none left out


def _listed(page) -> Counter:
    kinds = page.eval_on_selector_all(
        "main .work-list > li[data-kind]", "items => items.map(item => item.dataset.kind)"
    )
    return Counter(kinds)


def _kinds(page) -> Counter:
    pairs = page.eval_on_selector_all(
        "main .work-kinds > li[data-kind]",
        "items => items.map(item => [item.dataset.kind, Number(item.dataset.count)])",
    )
    return Counter(dict(pairs))


def _badge(page) -> int:
    text = page.eval_on_selector_all(
        "header nav a[href='/'] .badge", "badges => badges.map(b => b.textContent)"
    )
    return int(text[0].strip("()")) if text else 0


@pytest.mark.parametrize("username", PERSONAS)
def test_first_screen_lists_exactly_the_open_items_the_services_say(
    first_screen_site, chromium, username
):
    base_url, cookies = first_screen_site
    user = get_user_model().objects.get(username=username)
    expected = open_by_the_services(user)
    context = crawler.open_context(chromium, base_url, cookies[username], "en")
    try:
        page = context.new_page()
        response = page.goto(base_url + "/")

        listed = _listed(page)
        kinds = _kinds(page)
        badge = _badge(page)
        violations = crawler.axe(page)
    finally:
        context.close()

    assert response.status == 200
    assert kinds == expected
    assert badge == sum(expected.values())
    if sum(expected.values()) <= PER_KIND:
        assert listed == expected
    else:
        assert sum(listed.values()) == PER_KIND
        assert set(listed) <= set(expected)
    assert violations == []


def test_a_reviewer_reaches_her_review_form_in_one_click(first_screen_site, chromium):
    base_url, cookies = first_screen_site
    reviewer = _owing_reviewer()
    owed = ReviewAssignment.objects.filter(
        reviewer=reviewer, state__in=(AssignmentState.INVITED, AssignmentState.ACCEPTED)
    )
    context = crawler.open_context(chromium, base_url, cookies["reviewer"], "en")
    try:
        page = context.new_page()
        page.goto(base_url + "/")
        first = page.locator("main .work-list > li[data-kind^='review_'] a.button").first
        with page.expect_navigation():
            first.click()
        path = page.url.removeprefix(base_url)
        has_form = page.locator("main form textarea[name='comments']").count()
        violations = crawler.axe(page)
    finally:
        context.close()

    assert owed.exists()
    assert path in {f"/reviews/{assignment.pk}/" for assignment in owed}
    assert has_form == 1
    assert violations == []


def test_the_chief_reaches_a_decision_form_within_two_clicks(first_screen_site, chromium):
    base_url, cookies = first_screen_site
    chief = get_user_model().objects.get(username="chief")
    awaiting = Deliverable.objects.awaiting_decision().filter(
        product__branch_id=viewer.user_branch_id(chief)
    )
    context = crawler.open_context(chromium, base_url, cookies["chief"], "en")
    try:
        page = context.new_page()
        page.goto(base_url + "/")
        decision = page.locator("main .work-list > li[data-kind='decision'] a.button").first
        with page.expect_navigation():
            decision.click()
        path = page.url.removeprefix(base_url)
        # The one decision form: its choice (approve, or return for revision) and its button.
        decision_form = page.locator("form#decision")
        offered = decision_form.get_by_role("button", name="Record the decision").count()
        offered *= decision_form.get_by_label(str(TRANSITION_LABELS["approve"]), exact=True).count()
    finally:
        context.close()

    assert awaiting.exists()
    assert path in {f"/deliverables/{deliverable.pk}/#decision" for deliverable in awaiting}
    assert offered >= 1
