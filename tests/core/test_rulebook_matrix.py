"""A page offers exactly what the service accepts: the rule books, from the outside.

Over the demo world's people and objects (the session's demo world), for each kind of
object (deliverable, review assignment, review, advisory request, milestone, contribution,
knowledge link, meeting, and who has a branch's calendar feed), each person × object ×
action: the action is offered on the person's page (its form or link is rendered) exactly
when the service called by that person succeeds. Each service call runs in a savepoint that
is rolled back, so every call sees the demo world as seeded.

A refusal is `PermissionDenied`, `ServiceConflict`, or a `ValidationError` naming the
`transition` (a condition of a state machine) or, for sending a plan of action to review,
the `document` (no plan yet, or its latest version reviewed already). Any other
`ValidationError` is bad input given by this test, and fails it — except what a
contribution still lacks before it is submitted: the page offers "Submit" and then says
what is missing (input, not a rule).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from advisory import services as advisory
from advisory.enums import MilestoneState, RequestState
from advisory.models import AdvisoryRequest, Milestone
from advisory.rules import TRANSITION_LABELS as REQUEST_TRANSITIONS
from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from contributions import services as contributions
from contributions.models import Contribution
from contributions.rules import NEEDED_TO_SUBMIT
from contributions.rules import TRANSITION_LABELS as CONTRIBUTION_TRANSITIONS
from knowledge import services as knowledge
from knowledge.models import KnowledgeLink
from meetings import services as meetings
from meetings.enums import Reply, TokenKind
from meetings.models import Meeting
from tests.factories import pdf
from workflows import planning, review_forms
from workflows import services as workflows
from workflows.enums import DeliverableKind
from workflows.models import Deliverable, Product, ReviewAssignment
from workflows.queries import visible_deliverables
from workflows.review_forms import CriterionSpec
from workflows.rules import TRANSITION_LABELS as DELIVERABLE_TRANSITIONS

pytestmark = pytest.mark.django_db


# The demo's cast: the Division (both sides of each branch line), the focal points, and
# CEPA members who review, author, or do neither.
CAST = (
    "chief",
    "staff",
    "staff3",
    "pacb_chief",
    "ira",
    "ira3",
    "admin",
    "focal",
    "focal_gha",
    "amina",
    "wanjiru",
    "katarzyna",
)


@dataclass
class World:
    people: dict


@pytest.fixture
def world(demo) -> World:
    """The demo world (seeded once per session; what a test changes is rolled back)."""
    return World(people={u.username: u for u in get_user_model().objects.filter(username__in=CAST)})


# --- what a page offers ------------------------------------------------------------------------

FORM = re.compile(r'<form\b[^>]*\baction="([^"]+)"[^>]*>(.*?)</form>', re.S)
TRANSITION = re.compile(r'name="transition" value="([a-z_]+)"')
HREF = re.compile(r'href="([^"]+)"')
KIND = re.compile(r'name="kind" value="([a-z_]+)"')
SELECT = re.compile(r'<select\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([0-9]+)"')


@dataclass
class Page:
    posts: dict[str, list[str]]  # form action -> the transitions (or kinds) it posts
    links: set[str]
    choices: dict[str, set[str]] = field(default_factory=dict)  # select -> option values

    def posts_to(self, url: str) -> bool:
        return url in self.posts

    def values(self, url: str) -> set[str]:
        return set(self.posts.get(url, ()))

    def confirmations(self, base: str) -> set[str]:
        """The transitions offered as a link to their confirmation page (`<base><name>/`):
        a destructive step is offered so, never as a button that fires at once."""
        return {
            link.removeprefix(base).rstrip("/")
            for link in self.links
            if link.startswith(base) and "/" not in link.removeprefix(base).rstrip("/")
        }


NO_PAGE = Page({}, set())
# The demo world is the same in every test of the module (each service call is rolled
# back): a page is read once per person.
_PAGES: dict[tuple[int, str], Page] = {}


def page(client, user, url: str) -> Page:
    """The forms and links of the page `user` gets at `url` (nothing when it is hidden)."""
    if (user.pk, url) not in _PAGES:
        _PAGES[user.pk, url] = _read(client, user, url)
    return _PAGES[user.pk, url]


def _read(client, user, url: str) -> Page:
    client.force_login(user)
    response = client.get(url)
    if response.status_code in (403, 404):
        return NO_PAGE
    assert response.status_code == 200, (url, user.username, response.status_code)
    html = response.content.decode()
    posts: dict[str, list[str]] = {}
    for action, body in FORM.findall(html):
        posts.setdefault(action, []).extend(TRANSITION.findall(body) + KIND.findall(body))
    choices = {name: set(OPTION.findall(body)) for name, body in SELECT.findall(html)}
    return Page(posts, set(HREF.findall(html)), choices)


# --- what the service accepts ------------------------------------------------------------------


class _Accepted(Exception):
    """Raised inside the savepoint once the service returned: roll its work back."""


def accepts(
    call: Callable[[], object],
    *,
    refusals: Iterable[str] = ("transition",),
    input_fields: Iterable[str] = (),
) -> bool:
    """Whether the service call succeeds (its changes rolled back), or a rule refuses."""
    try:
        with transaction.atomic():
            call()
            raise _Accepted
    except _Accepted:
        return True
    except (PermissionDenied, ServiceConflict):
        return False
    except ValidationError as exc:
        fields = set(getattr(exc, "error_dict", {}) or {"__all__"})
        if fields <= set(refusals):
            return False
        if fields <= set(input_fields):
            return True
        raise


def check(rows: list[tuple[object, object, str, bool, bool]], *, never_offered=()) -> None:
    """Each row: person, object, action, offered, accepted; all must agree. Every action
    is hidden from someone, and offered to someone but those the demo world has no object
    for (`never_offered`)."""
    wrong = [
        f"{who} × {obj} × {action}: page {'offers' if offered else 'hides'}, "
        f"service {'accepts' if accepted else 'refuses'}"
        for who, obj, action, offered, accepted in rows
        if offered != accepted
    ]
    assert wrong == []
    offered_once = {action for _who, _obj, action, offered, _accepted in rows if offered}
    hidden_once = {action for _who, _obj, action, offered, _accepted in rows if not offered}
    actions = {action for _who, _obj, action, _offered, _accepted in rows}
    assert actions - offered_once == set(never_offered)
    assert actions - hidden_once == set()


def cast(world) -> list:
    return [world.people[name] for name in CAST]


def _later(date: datetime.date, days: int) -> datetime.date:
    return max(date, timezone.localdate()) + datetime.timedelta(days=days)


# --- deliverables ------------------------------------------------------------------------------


def _one_per_state() -> list[Deliverable]:
    """A deliverable of each state, and the plan of action under review."""
    chosen: dict[str, Deliverable] = {}
    for deliverable in Deliverable.objects.select_related("product", "owner").order_by("pk"):
        key = deliverable.state
        if deliverable.kind == DeliverableKind.PLAN_OF_ACTION:
            key = deliverable.kind
        chosen.setdefault(key, deliverable)
    return list(chosen.values())


def _new_reviewer(deliverable: Deliverable):
    taken = set(deliverable.assignments.values_list("reviewer_id", flat=True))
    return (
        get_user_model()
        .objects.filter(groups__name=Role.CEPA_MEMBER)
        .exclude(pk__in=taken)
        .order_by("pk")
        .first()
    )


def deliverable_attempts(user, deliverable: Deliverable) -> dict[str, Callable]:
    reviewer = _new_reviewer(deliverable)
    attempts = {
        name: (
            lambda name=name: workflows.fire_transition(
                user, deliverable.pk, name, comment="Matrix.", waiver_reason="Matrix."
            )
        )
        for name in DELIVERABLE_TRANSITIONS
    }
    attempts.update(
        {
            "upload_version": lambda: workflows.upload_version(user, deliverable.pk, pdf()),
            "assign_reviewers": lambda: workflows.assign_reviewers(
                user, deliverable.pk, [reviewer], _later(deliverable.due_date, 14)
            ),
            "change_due_date": lambda: workflows.change_due_date(
                user, deliverable.pk, _later(deliverable.due_date, 3), "Matrix."
            ),
        }
    )
    return attempts


def deliverable_offers(client, user, deliverable: Deliverable) -> set[str]:
    base = f"/deliverables/{deliverable.pk}/"
    shown = page(client, user, base)
    offered = shown.values(f"{base}transition/")
    if f"{base}cancel/" in shown.links:  # through its confirmation page
        offered.add("cancel")
    if shown.posts_to(f"{base}versions/new/"):
        offered.add("upload_version")
    if f"{base}reviewers/" in shown.links:
        offered.add("assign_reviewers")
    if shown.posts_to(f"{base}due-date/"):
        offered.add("change_due_date")
    return offered


def test_deliverable_pages_offer_what_the_services_accept(client, world):
    rows = []
    for deliverable in _one_per_state():
        for user in cast(world):
            offered = deliverable_offers(client, user, deliverable)
            for action, attempt in deliverable_attempts(user, deliverable).items():
                rows.append((user, deliverable, action, action in offered, accepts(attempt)))

    check(rows)


# --- review assignments and reviews ----------------------------------------------------------


def _assignments() -> list[ReviewAssignment]:
    """One assignment of each state on each deliverable in review, and the submitted ones
    of a final deliverable."""
    chosen: dict[tuple, ReviewAssignment] = {}
    assignments = ReviewAssignment.objects.select_related("deliverable", "reviewer")
    for assignment in assignments.order_by("pk"):
        chosen.setdefault((assignment.deliverable.state, assignment.state), assignment)
    return list(chosen.values())


def assignment_attempts(user, assignment: ReviewAssignment) -> dict[str, Callable]:
    return {
        "accept": lambda: workflows.accept_assignment(user, assignment.pk),
        "decline": lambda: workflows.decline_assignment(user, assignment.pk, "Matrix."),
        "withdraw": lambda: workflows.withdraw_assignment(user, assignment.pk, "Matrix."),
        "change_due_date": lambda: workflows.change_assignment_due_date(
            user, assignment.pk, _later(assignment.due_date, 7), "Matrix."
        ),
        "write_review": lambda: workflows.save_review(
            user, assignment.pk, recommendation="ready", comments="Matrix."
        ),
    }


def assignment_offers(client, user, assignment: ReviewAssignment) -> set[str]:
    offered = set()
    on_deliverable = page(client, user, f"/deliverables/{assignment.deliverable_id}/")
    withdraw = f"/assignments/{assignment.pk}/withdraw/"
    if on_deliverable.posts_to(withdraw) or withdraw in on_deliverable.links:
        offered.add("withdraw")
    if f"/assignments/{assignment.pk}/due-date/" in on_deliverable.links:
        offered.add("change_due_date")
    mine = page(client, user, "/reviews/")
    if f"/reviews/{assignment.pk}/accept/" in mine.links:
        offered.add("accept")
    if f"/reviews/{assignment.pk}/decline/" in mine.links:
        offered.add("decline")
    review = f"/reviews/{assignment.pk}/"
    if page(client, user, review).posts_to(review):
        offered.add("write_review")
    return offered


def test_review_assignment_pages_offer_what_the_services_accept(client, world):
    rows = []
    for assignment in _assignments():
        people = [*cast(world), assignment.reviewer]
        for user in dict.fromkeys(people):
            offered = assignment_offers(client, user, assignment)
            for action, attempt in assignment_attempts(user, assignment).items():
                rows.append((user, assignment, action, action in offered, accepts(attempt)))

    check(rows)


# --- advisory requests and their milestones ---------------------------------------------------


def _requests() -> list[AdvisoryRequest]:
    return list(AdvisoryRequest.objects.select_related("lead").order_by("pk"))


def _plan_review_due() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


def request_attempts(user, adv: AdvisoryRequest) -> dict[str, Callable]:
    start = timezone.now() + datetime.timedelta(days=20)
    lead = adv.lead or get_user_model().objects.get(username="ira")
    attempts = {
        name: (
            lambda name=name: advisory.fire_transition(
                user, adv.pk, name, comment="Matrix.", lead=lead
            )
        )
        for name in REQUEST_TRANSITIONS
    }
    attempts.update(
        {
            "choose_team": lambda: advisory.set_team(user, adv.pk, members=list(adv.team.all())),
            "plan_mission": lambda: advisory.schedule_mission(
                user,
                adv.pk,
                start=start,
                end=start + datetime.timedelta(days=3),
                time_zone="UTC",
            ),
            "upload_document": lambda: advisory.upload_document(user, adv.pk, "analysis", pdf()),
            "add_milestone": lambda: advisory.add_milestone(
                user, adv.pk, title="Matrix", due_date=_plan_review_due()
            ),
            "comment": lambda: advisory.add_comment(user, adv.pk, "Matrix."),
            "send_plan_for_review": lambda: advisory.send_plan_for_review(
                user, adv.pk, due_date=_plan_review_due()
            ),
        }
    )
    return attempts


def request_offers(shown: Page, adv: AdvisoryRequest) -> set[str]:
    base = f"/advisory-requests/{adv.pk}/"
    offered = shown.values(f"{base}transition/") | shown.confirmations(f"{base}transition/")
    for action, url in (
        ("choose_team", "team/"),
        ("plan_mission", "mission/"),
        ("upload_document", "documents/"),
        ("add_milestone", "milestones/"),
        ("comment", "comments/"),
        ("send_plan_for_review", "plan-review/"),
    ):
        if shown.posts_to(base + url):
            offered.add(action)
    return offered


def test_advisory_request_pages_offer_what_the_services_accept(client, world):
    rows = []
    for adv in _requests():
        for user in dict.fromkeys([*cast(world), *([adv.lead] if adv.lead else [])]):
            offered = request_offers(page(client, user, f"/advisory-requests/{adv.pk}/"), adv)
            for action, attempt in request_attempts(user, adv).items():
                refusals = ("transition", "document")
                accepted = accepts(attempt, refusals=refusals)
                rows.append((user, adv, action, action in offered, accepted))

    # The demo has no request whose plan of action is uploaded and not in review yet.
    check(
        rows,
        never_offered={"draft_plan", "send_plan_for_review", "agree_plan", "start_follow_up"},
    )


def test_milestone_rows_offer_what_the_services_accept(client, world):
    rows = []
    milestones = list(Milestone.objects.select_related("request").order_by("pk"))
    assert {m.state for m in milestones} >= {MilestoneState.OPEN}
    assert {m.request.state for m in milestones} & {RequestState.CLOSED, RequestState.FOLLOW_UP}
    for user in cast(world):
        pages = {}
        for milestone in milestones:
            base = f"/advisory-requests/{milestone.request_id}/"
            if base not in pages:
                pages[base] = page(client, user, base)
            shown = pages[base]
            url = f"{base}milestones/{milestone.pk}/"
            offered = {
                "complete": shown.posts_to(f"{url}complete/"),
                "move": shown.posts_to(f"{url}due-date/"),
            }
            attempts = {
                "complete": lambda m=milestone, u=user: advisory.complete_milestone(u, m.pk),
                "move": lambda m=milestone, u=user: advisory.move_milestone(
                    u, m.pk, _later(m.due_date, 10)
                ),
            }
            for action, attempt in attempts.items():
                rows.append((user, milestone, action, offered[action], accepts(attempt)))

    check(rows)


# --- contributions -----------------------------------------------------------------------------


def _contributions() -> list[Contribution]:
    """A contribution of each state and kind."""
    chosen: dict[tuple, Contribution] = {}
    for contribution in Contribution.objects.select_related("author").order_by("pk"):
        chosen.setdefault((contribution.state, contribution.kind), contribution)
    return list(chosen.values())


def contribution_attempts(user, contribution: Contribution) -> dict[str, Callable]:
    target = visible_deliverables(user).filter(product__branch_id=contribution.branch_id).first()
    attempts = {
        name: (
            lambda name=name: contributions.fire_transition(
                user, contribution.pk, name, comment="Matrix."
            )
        )
        for name in CONTRIBUTION_TRANSITIONS
    }
    attempts.update(
        {
            "edit": lambda: contributions.update(
                user, contribution.pk, title=f"{contribution.title} (matrix)"
            ),
            "incorporate": lambda: contributions.incorporate(user, contribution.pk, target),
        }
    )
    return attempts


def test_contribution_pages_offer_what_the_services_accept(client, world):
    rows = []
    for contribution in _contributions():
        needed = NEEDED_TO_SUBMIT[contribution.kind]
        for user in dict.fromkeys([*cast(world), contribution.author]):
            base = f"/contributions/{contribution.pk}/"
            shown = page(client, user, base)
            offered = shown.values(f"{base}transition/") | shown.confirmations(f"{base}transition/")
            if f"{base}edit/" in shown.links:
                offered.add("edit")
            if shown.posts_to(f"{base}incorporate/"):
                offered.add("incorporate")
            for action, attempt in contribution_attempts(user, contribution).items():
                accepted = accepts(attempt, input_fields=needed if action == "submit" else ())
                rows.append((user, contribution, action, action in offered, accepted))

    check(rows)


# --- knowledge links ---------------------------------------------------------------------------


def test_knowledge_link_pages_offer_what_the_services_accept(client, world):
    """The deliverable's page offers linking, the link page offers the requests and
    contributions it may draw on, each link's row offers removing it."""
    linked = KnowledgeLink.objects.values("deliverable_id")
    deliverable = (
        Deliverable.objects.exclude(pk__in=linked).select_related("product").order_by("pk").first()
    )
    requests = _requests()
    contributions = _contributions()
    links = list(KnowledgeLink.objects.select_related("deliverable__product").order_by("pk"))
    rows = []
    for user in cast(world):
        base = f"/deliverables/{deliverable.pk}/"
        offers_link = f"{base}links/" in page(client, user, base).links
        link_page = page(client, user, f"{base}links/") if offers_link else NO_PAGE
        for adv in requests:
            offered = str(adv.pk) in link_page.choices.get("req-request", set())
            accepted = accepts(
                lambda adv=adv, u=user: knowledge.link_request(u, deliverable, adv),
                refusals=("request",),
            )
            rows.append((user, adv, "draw_on_request", offered, accepted))
        for contribution in contributions:
            offered = str(contribution.pk) in link_page.choices.get("con-contribution", set())
            accepted = accepts(
                lambda c=contribution, u=user: knowledge.link_contribution(u, deliverable, c),
                refusals=("contribution",),
            )
            rows.append((user, contribution, "cite_contribution", offered, accepted))
        for link in links:
            shown = page(client, user, f"/deliverables/{link.deliverable_id}/")
            # offered as a link to its confirmation page (a destructive step)
            offered = f"/knowledge-links/{link.pk}/remove/" in shown.links
            accepted = accepts(lambda link=link, u=user: knowledge.unlink(u, link))
            rows.append((user, link, "remove", offered, accepted))

    check(rows)


# --- meetings ----------------------------------------------------------------------------------


def _meetings() -> list[Meeting]:
    """A meeting of each kind and status."""
    chosen: dict[tuple, Meeting] = {}
    for meeting in Meeting.objects.order_by("pk"):
        chosen.setdefault((meeting.kind, meeting.status), meeting)
    return list(chosen.values())


def test_meeting_pages_offer_what_the_services_accept(client, world):
    rows = []
    for meeting in _meetings():
        participants = [p.user for p in meeting.participants.select_related("user") if p.user]
        for user in dict.fromkeys([*cast(world), *participants[:1]]):
            base = f"/meetings/{meeting.pk}/"
            shown = page(client, user, base)
            offered = {
                "edit": f"{base}edit/" in shown.links,
                "cancel": f"{base}cancel/" in shown.links,
                "reply": shown.posts_to(f"{base}reply/"),
            }
            attempts = {
                "edit": lambda m=meeting, u=user: meetings.update_meeting(
                    u, m.pk, title=f"{m.title} (matrix)"
                ),
                "cancel": lambda m=meeting, u=user: meetings.cancel_meeting(u, m.pk, "Matrix."),
                "reply": lambda m=meeting, u=user: meetings.set_reply(u, m, Reply.TENTATIVE),
            }
            for action, attempt in attempts.items():
                accepted = accepts(attempt, refusals=("status", "reply"))
                rows.append((user, meeting, action, offered[action], accepted))

    check(rows)


def test_the_subscriptions_page_offers_a_branch_feed_to_whom_the_service_gives_one(client, world):
    rows = []
    for user in cast(world):
        shown = page(client, user, "/calendar/subscriptions/")
        offered = TokenKind.BRANCH in shown.values("/calendar/subscriptions/reset/")
        accepted = accepts(lambda u=user: meetings.reset_token(u, TokenKind.BRANCH))
        rows.append((user, user, "branch_feed", offered, accepted))

    check(rows)


# --- planning pages (products, deliverables' edit and hand-over, sending for review) ---------
#
# Each is a page of its own: offered when it opens with its form (200), hidden when it
# answers 403 or 404, or sends the person back with the reason (a conflict of state).


def _opens(client, user, url: str) -> bool:
    client.force_login(user)
    status = client.get(url).status_code
    assert status in (200, 302, 403, 404), (url, user.username, status)
    return status == 200


def _another_owner(deliverable: Deliverable):
    return planning.branch_people(deliverable.product.branch_id).exclude(pk=deliverable.owner_id)[0]


def test_planning_pages_of_a_deliverable_offer_what_the_services_accept(client, world):
    rows = []
    for deliverable in _one_per_state():
        base = f"/deliverables/{deliverable.pk}/"
        reviewer = _new_reviewer(deliverable)
        new_owner = _another_owner(deliverable)
        for user in cast(world):
            attempts = {
                "edit": lambda d=deliverable, u=user: workflows.update_deliverable(
                    u, d.pk, title=f"{d.title} (matrix)"
                ),
                "hand_over": lambda d=deliverable, u=user, o=new_owner: (
                    workflows.update_deliverable(u, d.pk, owner=o)
                ),
                "send_for_review": lambda d=deliverable, u=user, r=reviewer: (
                    planning.send_for_review(
                        u, d.pk, upload=pdf(), reviewers=[r], due_date=_later(d.due_date, 14)
                    )
                ),
            }
            urls = {
                "edit": "edit/",
                "hand_over": "hand-over/",
                "send_for_review": "send-for-review/",
            }
            for action, attempt in attempts.items():
                offered = _opens(client, user, base + urls[action])
                rows.append((user, deliverable, action, offered, accepts(attempt)))

    check(rows)


def test_planning_pages_of_a_product_offer_what_the_services_accept(client, world):
    rows = []
    for product in Product.objects.order_by("pk"):
        owner = planning.branch_people(product.branch_id)[0]
        for user in cast(world):
            attempts = {
                "edit_product": lambda p=product, u=user: planning.update_product(
                    u, p.pk, title=f"{p.title} (matrix)"
                ),
                "add_deliverable": lambda p=product, u=user, o=owner: workflows.create_deliverable(
                    u,
                    product=p,
                    owner=o,
                    title="Matrix",
                    kind=DeliverableKind.CHAPTER,
                    due_date=_later(timezone.localdate(), 30),
                ),
            }
            attempts["edit_review_form"] = lambda p=product, u=user: review_forms.save_form(
                u, p, guidelines="", criteria=[CriterionSpec("Matrix")]
            )
            urls = {
                "edit_review_form": f"/products/{product.pk}/review-form/",
                "edit_product": f"/products/{product.pk}/edit/",
                "add_deliverable": f"/deliverables/new/?product={product.pk}",
            }
            for action, attempt in attempts.items():
                offered = _opens(client, user, urls[action])
                rows.append((user, product, action, offered, accepts(attempt)))

    check(rows)
