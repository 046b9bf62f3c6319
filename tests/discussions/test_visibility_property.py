"""Property test: whatever reviewers are asked (in whatever state their assignments end) and
whoever writes what to whom, threads follow their visibility.

The rule is written out here independently of `discussions.rules`:
- the deliverable's thread: its owner, its chief, a superuser, and the branch's staff never
  asked to review it;
- a review assignment's thread: that reviewer, the owner, the chief, a superuser;
- nobody inactive.
For random examples, every person × thread: the thread loads (or 404s) exactly for those who
may read it; its participants (whom the form offers to mention) are exactly those of the
branch who may; the deliverable page's list of review threads is exactly those the person
may read; a message is written only by who may read an open thread; a mention tells exactly
those mentioned who may read the thread, names back the others, and no notification ever
reaches anyone else.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from discussions import queries, services
from discussions.models import Message, Thread
from discussions.notices import DiscussionNotice
from notifications.models import Notification
from tests.factories import ReviewAssignmentFactory, person
from workflows.enums import ASSIGNMENT_ACCESS_STATES, AssignmentState
from workflows.models import Deliverable, ReviewAssignment

pytestmark = pytest.mark.django_db

STATES = [
    AssignmentState.INVITED,
    AssignmentState.ACCEPTED,
    AssignmentState.DECLINED,
    AssignmentState.SUBMITTED,
    AssignmentState.WITHDRAWN,
]
# Who may be asked to review (besides the cast's CEPA member, already asked).
CANDIDATES = ["colleague_b", "advisor", "member_b", "member_c", "member_d"]


@pytest.fixture
def people(cast) -> dict:
    found = {
        "owner": cast.owner,
        "chief": cast.chief,
        "amina": cast.assigned_reviewer,
        "pacb_staff": cast.other_branch_staff,
        "admin": cast.secretariat_admin,
        "focal_gha": cast.focal_point_elsewhere,
        "colleague_a": person(Role.BRANCH_STAFF, username="colleague_a", branch_code="e-govb"),
        "colleague_b": person(Role.BRANCH_STAFF, username="colleague_b", branch_code="e-govb"),
        "advisor": person(Role.INTER_REGIONAL_ADVISOR, username="advisor", branch_code="e-govb"),
        "member_b": person(Role.CEPA_MEMBER, username="member_b", country="GHA"),
        "member_c": person(Role.CEPA_MEMBER, username="member_c", country="GHA"),
        "pacb_chief": person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb"),
        "root": person(username="root", is_superuser=True, is_staff=True),
        "member_d": person(Role.CEPA_MEMBER, username="member_d", country="GHA"),
        "gone": person(Role.BRANCH_STAFF, username="gone", branch_code="e-govb", is_active=False),
    }
    return found


def _roles(user) -> set:
    return set(user.groups.values_list("name", flat=True))


def _of_branch(user, deliverable) -> bool:
    profile = getattr(user, "profile", None)
    return profile is not None and profile.branch_id == deliverable.product.branch_id


def may_read(user, deliverable: Deliverable, assignment: ReviewAssignment | None) -> bool:
    """The rule, written out."""
    if not user.is_active:
        return False
    roles = _roles(user)
    chief = user.is_superuser or (Role.BRANCH_CHIEF in roles and _of_branch(user, deliverable))
    if user.pk == deliverable.owner_id or chief:
        return True
    if assignment is not None:
        return assignment.reviewer_id == user.pk
    staff = Role.BRANCH_STAFF in roles and _of_branch(user, deliverable)
    asked = ReviewAssignment.objects.filter(deliverable=deliverable, reviewer=user).exists()
    return staff and not asked


def _load(user, deliverable, assignment) -> Thread | None:
    try:
        if assignment is None:
            return queries.get_deliverable_thread(user, deliverable.pk)
        return queries.get_review_thread(user, assignment.pk)
    except Http404:
        return None


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_threads_follow_their_visibility(cast, people, data):
    # Each example runs in its own savepoint, rolled back at the end.
    with transaction.atomic():
        deliverable = Deliverable.objects.select_related("product").get(pk=cast.deliverable.pk)
        asked = data.draw(
            st.lists(st.sampled_from(CANDIDATES), unique=True, max_size=4), label="asked"
        )
        for login in asked:
            state = data.draw(st.sampled_from(STATES), label=f"{login}'s assignment")
            ReviewAssignmentFactory(deliverable=deliverable, reviewer=people[login], state=state)
        assignments = list(
            ReviewAssignment.objects.filter(deliverable=deliverable).select_related("reviewer")
        )
        threads: list[ReviewAssignment | None] = [None, *assignments]
        everyone = sorted(people)

        # writing, with mentions
        for _step in range(data.draw(st.integers(1, 5), label="messages")):
            about = data.draw(st.sampled_from(threads), label="thread")
            # half the time someone who may read the thread, so that messages get written
            readers = [login for login in everyone if may_read(people[login], deliverable, about)]
            pool = readers if data.draw(st.booleans(), label="a reader") else everyone
            author = people[data.draw(st.sampled_from(pool), label="author")]
            mentioned = data.draw(
                st.lists(st.sampled_from(everyone), unique=True, max_size=5), label="mentions"
            )
            text = "Please look. " + " ".join(f"@{login}" for login in mentioned)
            thread = Thread(deliverable=deliverable, assignment=about)
            before = Message.objects.count()
            told_before = set(Notification.objects.values_list("pk", flat=True))
            reads = may_read(author, deliverable, about)
            open_now = about is None or about.state in ASSIGNMENT_ACCESS_STATES
            if not reads:
                with pytest.raises(PermissionDenied):
                    services.post_message(author, thread, text)
                event("refused: may not read")
            elif not open_now:
                with pytest.raises(ServiceConflict):
                    services.post_message(author, thread, text)
                event("refused: closed")
            else:
                posted = services.post_message(author, thread, text)
                expected = {
                    login
                    for login in mentioned
                    if login != author.username and may_read(people[login], deliverable, about)
                }
                assert {user.username for user in posted.notified} == expected
                assert set(posted.not_notified) == {
                    f"@{login}"
                    for login in mentioned
                    if login != author.username and login not in expected
                }
                told = Notification.objects.exclude(pk__in=told_before)
                assert {n.user.username for n in told} == expected
                assert {n.kind for n in told} <= {DiscussionNotice.MENTION}
                event("posted")
                continue
            assert Message.objects.count() == before
            assert set(Notification.objects.values_list("pk", flat=True)) == told_before

        # reading: loading, participants, the deliverable page's list of review threads
        for login, user in people.items():
            for about in threads:
                expected = may_read(user, deliverable, about)
                loaded = _load(user, deliverable, about)
                assert (loaded is not None) is expected, (login, about)
                if loaded is not None:
                    assert all(
                        m.thread.assignment_id == (about and about.pk)
                        for m in queries.messages_of(loaded).select_related("thread")
                    )
            listed = {a.pk for a in queries.review_threads(user, deliverable)}
            assert listed == {a.pk for a in assignments if may_read(user, deliverable, a)}
        for about in threads:
            thread = Thread(deliverable=deliverable, assignment=about)
            assert {user.username for user in queries.participants(thread)} == {
                login
                for login, user in people.items()
                if may_read(user, deliverable, about) and not user.is_superuser
            }
        # every mention ever sent reached someone who may read its thread
        for notification in Notification.objects.filter(kind=DiscussionNotice.MENTION):
            thread = next(
                Thread(deliverable=deliverable, assignment=about)
                for about in threads
                if queries.thread_url(Thread(deliverable=deliverable, assignment=about))
                == notification.link
            )
            assert may_read(notification.user, deliverable, thread.assignment)
        transaction.set_rollback(True)
