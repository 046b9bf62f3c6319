"""Loading threads through their rules (`discussions.rules`): 404 for those who may not
see, in fixed queries."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from cepa_collab.enums import Role
from cepa_collab.names import display_name
from discussions import rules
from discussions.models import Message, Thread
from workflows.models import Deliverable, ReviewAssignment
from workflows.queries import get_deliverable_for_user


def _thread(deliverable: Deliverable, assignment: ReviewAssignment | None) -> Thread:
    """The thread as an unsaved record (no query): its messages are found by what it is
    about (`messages_of`), and its first message saves it (`services.post_message`)."""
    return Thread(deliverable=deliverable, assignment=assignment)


def deliverable_thread(user, deliverable: Deliverable) -> Thread | None:
    """The deliverable's thread if `user` may see it, else None."""
    thread = _thread(deliverable, None)
    return thread if rules.sees(thread, user) else None


def review_thread(user, assignment: ReviewAssignment) -> Thread | None:
    """The assignment's thread if `user` may see it, else None."""
    thread = _thread(assignment.deliverable, assignment)
    return thread if rules.sees(thread, user) else None


def get_deliverable_thread(user, deliverable_pk) -> Thread:
    """The deliverable's thread, or Http404 (the deliverable hidden, or its thread)."""
    thread = deliverable_thread(user, get_deliverable_for_user(user, deliverable_pk))
    if thread is None:
        raise Http404("No such discussion.")
    return thread


def get_review_thread(user, assignment_pk) -> Thread:
    """A review assignment's thread, or Http404 for anyone but its reviewer, the owner and
    the chief."""
    try:
        assignment = ReviewAssignment.objects.select_related(
            "deliverable__product", "deliverable__owner", "reviewer", "round"
        ).get(pk=assignment_pk)
    except (ReviewAssignment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such discussion.") from None
    thread = review_thread(user, assignment)
    if thread is None:
        raise Http404("No such discussion.")
    return thread


def messages_of(thread: Thread) -> QuerySet[Message]:
    """The thread's messages, oldest first, with their authors (one query)."""
    if thread.pk is not None:
        found = Message.objects.filter(thread=thread)
    elif thread.assignment_id is None:
        found = Message.objects.filter(
            thread__deliverable_id=thread.deliverable_id, thread__assignment__isnull=True
        )
    else:
        found = Message.objects.filter(thread__assignment_id=thread.assignment_id)
    return found.select_related("author").order_by("created_at", "pk")


def review_threads(user, deliverable: Deliverable) -> QuerySet[ReviewAssignment]:
    """The review assignments of `deliverable` whose threads `user` sees — all of them for
    the owner and the chief, their own for a reviewer — each with `message_count` and
    `last_message_at` (one query)."""
    qs = deliverable.assignments.select_related("reviewer", "round").annotate(
        message_count=Count("thread__messages"), last_message_at=Max("thread__messages__created_at")
    )
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if rules.is_owner_or_chief(deliverable, user):
        return qs.order_by("round__number", "pk")
    return qs.filter(reviewer_id=user.pk).order_by("round__number", "pk")


def participants(thread: Thread) -> list:
    """The people who may read `thread` and can be told (active), by name: whom a message
    may mention (one query; the rule of `discussions.rules.sees` written as a condition,
    which the property test holds to it). Superusers outside the branch are not listed
    (they still may be mentioned by their login)."""
    deliverable = thread.deliverable
    branch_id = deliverable.product.branch_id
    chiefs = Q(groups__name=Role.BRANCH_CHIEF, profile__branch_id=branch_id)
    if thread.assignment_id is None:
        staff = Q(groups__name=Role.BRANCH_STAFF, profile__branch_id=branch_id) & ~Q(
            pk__in=deliverable.assignments.values("reviewer_id")
        )
        condition = chiefs | staff | Q(pk=deliverable.owner_id)
    else:
        condition = chiefs | Q(pk__in=[deliverable.owner_id, thread.assignment.reviewer_id])
    people = get_user_model().objects.filter(condition, is_active=True).distinct()
    return sorted(people, key=lambda person: (display_name(person).casefold(), person.pk))


def thread_url(thread: Thread) -> str:
    """The thread's own page."""
    if thread.assignment_id is None:
        return reverse("discussions:deliverable", args=[thread.deliverable_id])
    return reverse("discussions:review", args=[thread.assignment_id])
