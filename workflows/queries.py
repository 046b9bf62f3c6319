"""Queries shared by pages, API and tasks: what a person may see, loaded in fixed queries."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cepa_collab import viewer
from workflows.enums import (
    ASSIGNMENT_ACCESS_STATES,
    ASSIGNMENT_OUTSTANDING_STATES,
    DeliverableAction,
    ReviewStatus,
)
from workflows.models import (
    Deliverable,
    DeliverableHistory,
    DeliverableUserObjectPermission,
    Review,
    ReviewAssignment,
    ReviewRound,
    Version,
    VersionUserObjectPermission,
)


def _granted(model_perm_table, user, codename: str):
    return model_perm_table.objects.filter(user_id=user.pk, permission__codename=codename).values(
        "content_object_id"
    )


def visible_deliverables(user) -> QuerySet[Deliverable]:
    """Deliverables `user` may see: their branch's (staff), all (admin), or those assigned
    to them for review (guardian object permission, direct foreign-key table)."""
    qs = Deliverable.objects.select_related("product__branch", "owner")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if viewer.is_admin(user):
        return qs
    condition = Q(pk__in=_granted(DeliverableUserObjectPermission, user, "view_deliverable"))
    branch_id = viewer.branch_person_id(user)
    if branch_id is not None:
        condition |= Q(product__branch_id=branch_id)
    return qs.filter(condition)


def get_deliverable_for_user(user, pk) -> Deliverable:
    """The deliverable, or Http404 if it does not exist or `user` may not see it."""
    try:
        return visible_deliverables(user).get(pk=pk)
    except (Deliverable.DoesNotExist, ValueError, TypeError):
        raise Http404("No such deliverable.") from None


def sees_all_of(user, deliverable: Deliverable) -> bool:
    """Branch staff, the chief and the admin see every version, submitted review and history
    line, but the others' of a round they still review (blind review, below)."""
    return viewer.sees_branch(user, deliverable.product.branch_id)


# How a reviewer is named to someone who may not know who they are (`names_reviewer`).
ANOTHER_REVIEWER = _("another reviewer")


def names_reviewer(
    user, assignment: ReviewAssignment, deliverable: Deliverable | None = None
) -> bool:
    """Whether `user` may know who holds `assignment` (and wrote its review): the reviewer
    themself and those who see the whole deliverable; another reviewer reads "another
    reviewer", in the pages and the API alike. (`deliverable`: the assignment's, when the
    caller has it with its product.)"""
    if assignment.reviewer_id == user.pk:
        return True
    return sees_all_of(user, deliverable or assignment.deliverable)


def visible_versions(user, deliverable: Deliverable) -> QuerySet[Version]:
    """The versions `user` may see: all for those who see the whole deliverable; for a
    reviewer, the version they were given and the earlier ones (a reviewer of round n reads
    how the draft came to be: earlier rounds in view)."""
    qs = deliverable.versions.select_related("uploaded_by")
    if sees_all_of(user, deliverable):
        return qs
    given_later = Exists(
        ReviewAssignment.objects.filter(
            deliverable_id=deliverable.pk,
            reviewer_id=user.pk,
            state__in=ASSIGNMENT_ACCESS_STATES,
            round__version__number__gte=OuterRef("number"),
        )
    )
    return qs.filter(
        Q(pk__in=_granted(VersionUserObjectPermission, user, "view_version")) | Q(given_later)
    )


def visible_rounds(user, deliverable: Deliverable) -> QuerySet[ReviewRound]:
    """The review rounds `user` may see, newest first, with their versions: all for those
    who see the whole deliverable; for a reviewer, the rounds they were assigned in and the
    earlier ones of a round where they keep access to the draft."""
    qs = deliverable.rounds.select_related("version").order_by("-number")
    if sees_all_of(user, deliverable):
        return qs
    mine = ReviewAssignment.objects.filter(deliverable_id=deliverable.pk, reviewer_id=user.pk)
    return qs.filter(
        Q(pk__in=mine.values("round_id"))
        | Q(
            Exists(
                mine.filter(
                    state__in=ASSIGNMENT_ACCESS_STATES, round__number__gte=OuterRef("number")
                )
            )
        )
    )


def get_version_for_user(user, deliverable_pk, number) -> Version:
    deliverable = get_deliverable_for_user(user, deliverable_pk)
    try:
        return visible_versions(user, deliverable).get(number=number)
    except (Version.DoesNotExist, ValueError, TypeError):
        raise Http404("No such version.") from None


# --- blind review: one rule for pages, API, downloads, exports and mails ---------------
#
# Whoever still owes a review in a round (invited or accepted: a CEPA member, branch staff,
# an adviser, the admin) sees that round, and every earlier round of the deliverable, as
# its reviewers do until they submit: their own assignments, reviews and timeline
# entries, none of the others'. A reviewer who submitted in a round sees the submitted
# reviews of that round and of every earlier one once they owe none in a later round
# (round n's reviewers read round 1 to n-1 once their own review of round n is in, even
# those who reviewed round 1 too: the current round is judged afresh); those who see the
# whole deliverable (its owner and chief, who never review it, the branch's staff, the
# admin) see them whenever that round is not blind to them. Drafts are their author's
# alone.
#
# "Round r is blind to u" is: u owes a review in round r or a later round of the same
# deliverable (what u submitted before does not lift it). `prefix` is the path from the
# listed model to the assignment ("" when assignments are listed; "assignment__" for
# reviews and timeline entries).


def _own_from_round(user, prefix: str, **conditions) -> Exists:
    """Whether `user` has an assignment matching `conditions` in the outer row's round or a
    later round of the same deliverable."""
    return Exists(
        ReviewAssignment.objects.filter(
            deliverable_id=OuterRef(f"{prefix}deliverable_id"),
            round__number__gte=OuterRef(f"{prefix}round__number"),
            reviewer_id=user.pk,
            **conditions,
        )
    )


def owes_from_round(user, prefix: str = "") -> Exists:
    return _own_from_round(user, prefix, state__in=ASSIGNMENT_OUTSTANDING_STATES)


def submitted_from_round(user, prefix: str = "") -> Exists:
    return _own_from_round(user, prefix, review__status=ReviewStatus.SUBMITTED)


def reviewing(user, prefix: str = "") -> Q:
    """Whether the outer row's round is blind to `user` (above): they still owe a review in
    it or a later round of the deliverable."""
    return Q(owes_from_round(user, prefix))


def not_blind(user, assignment: str = "") -> Q:
    """The condition every list about assignments adds for `user`: rows of their own
    assignments, or of a round not blind to them. `assignment` is the path from the listed
    model to the assignment ("" when the assignments are listed; "assignment__" for reviews
    and timeline entries)."""
    return Q(**{f"{assignment}reviewer_id": user.pk}) | ~reviewing(user, assignment)


def readable_reviews(user, whole: Q | None) -> Q:
    """The reviews `user` may read, as a condition on `Review`: their own; the others'
    submitted ones of a round not blind to them where theirs, of that round or a later one,
    is submitted; and with `whole` (the reviews of the deliverables `user` sees whole: an
    empty Q for every deliverable, None for none) the submitted ones of rounds not blind to
    them."""
    not_blind_to_them = ~reviewing(user, "assignment__")
    others = Q(submitted_from_round(user, "assignment__"))
    if whole is not None:
        # (`whole & …`, not `others | whole`: an empty Q vanishes from an OR)
        others |= whole & not_blind_to_them
    return Q(assignment__reviewer_id=user.pk) | (
        Q(status=ReviewStatus.SUBMITTED) & others & not_blind_to_them
    )


def visible_reviews(user, deliverable: Deliverable) -> QuerySet[Review]:
    """The reviews of `deliverable` that `user` may read (blind review, above)."""
    qs = Review.objects.filter(assignment__deliverable=deliverable).select_related(
        "assignment__reviewer", "assignment__round", "assignment__deliverable__product"
    )
    return qs.filter(readable_reviews(user, Q() if sees_all_of(user, deliverable) else None))


def visible_reviews_of_all(user) -> QuerySet[Review]:
    """Every review `user` may read, in one query: `visible_reviews` over all deliverables."""
    qs = Review.objects.select_related(
        "assignment__reviewer", "assignment__round", "assignment__deliverable__product"
    )
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if viewer.is_admin(user):
        whole = Q()
    else:
        branch_id = viewer.branch_person_id(user)
        whole = (
            Q(assignment__deliverable__product__branch_id=branch_id)
            if branch_id is not None
            else None
        )
    return qs.filter(readable_reviews(user, whole))


def visible_assignments(user, deliverable: Deliverable) -> QuerySet[ReviewAssignment]:
    """Who reviews what: for staff, all but the others' of a round they still review; for
    a reviewer, only their own assignments."""
    qs = deliverable.assignments.select_related("reviewer", "round__version")
    if sees_all_of(user, deliverable):
        return qs.filter(not_blind(user))
    return qs.filter(reviewer_id=user.pk)


def visible_history(user, deliverable: Deliverable) -> QuerySet[DeliverableHistory]:
    """The deliverable's history as `user` may see it, oldest first, each line with who did
    it and whose review it concerns (one query): a reviewer sees no other reviewer's lines,
    nor the version uploads (they could tell of versions the reviewer was not given); nor
    does staff the others' lines of a round they still review (blind review)."""
    qs = deliverable.history.select_related("actor", "assignment__reviewer").order_by("at", "pk")
    if sees_all_of(user, deliverable):
        return qs.filter(Q(assignment__isnull=True) | not_blind(user, "assignment__"))
    return qs.exclude(action=DeliverableAction.VERSION).filter(
        Q(assignment__isnull=True) | Q(assignment__reviewer_id=user.pk)
    )


class PagedRows:
    """A queryset for a `Paginator` (pages and API lists) that is counted and sorted by its
    ids only: a page is one query whose subquery picks the page's ids (sorting narrow rows,
    or walking the ordering's index and stopping after a page) and whose outer query reads
    only those rows in full, joined as `rows` joins them and `dress`ed (annotations computed
    for the page's rows only). Sorting every visible row with its joins to show fifty grew
    with the table (a member's guardian-filtered list; the chief's flagged list)."""

    def __init__(self, rows: QuerySet, dress=None) -> None:
        self.rows = rows
        self.dress = dress

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("PagedRows is read a page (a slice) at a time.")
        model = self.rows.model
        ordering = self.rows.query.order_by or model._meta.ordering
        shown = model._base_manager.filter(pk__in=self.rows.values("pk")[index])
        shown.query.select_related = self.rows.query.select_related
        shown = shown.order_by(*ordering)
        return list(self.dress(shown) if self.dress is not None else shown)


def my_assignments(user) -> QuerySet[ReviewAssignment]:
    """The caller's review assignments (joins through the assignment table: one query)."""
    return ReviewAssignment.objects.filter(reviewer_id=user.pk).select_related(
        "deliverable__product", "round__version", "review"
    )


def my_reviews_in_order(user, today) -> QuerySet[ReviewAssignment]:
    """My reviews as the page lists them: overdue first, then open ones, then the rest,
    each by due date. (A page of them: `MyReviews`, which reads only that page's rows.)"""
    return (
        my_assignments(user)
        .annotate(
            rank=Case(
                When(ReviewAssignment.objects.overdue_q(today), then=Value(0)),
                When(state__in=ASSIGNMENT_OUTSTANDING_STATES, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "due_date", "pk")
    )


class MyReviews:
    """`my_reviews_in_order` for a `Paginator`, in the same two queries (its count, a page's
    rows) however many reviews a person has written over the years.

    Sorting every assignment of a reviewer by rank to show twenty grew with their history.
    The order is the outstanding ones by due date (the overdue ones come first there: their
    due date is past), then the others by due date; each part is a range of its own index
    (`assignment_reviewer_state_due`, few rows; `assignment_reviewer_due`, walked and stopped
    after a page), so a page is the union of two bounded subqueries, read and ranked in one
    query."""

    def __init__(self, user, today) -> None:
        self.user = user
        self.today = today
        self._counts: dict[str, int] | None = None

    def _outstanding(self) -> QuerySet[ReviewAssignment]:
        return ReviewAssignment.objects.filter(
            reviewer_id=self.user.pk, state__in=ASSIGNMENT_OUTSTANDING_STATES
        )

    def _others(self) -> QuerySet[ReviewAssignment]:
        return ReviewAssignment.objects.filter(reviewer_id=self.user.pk).exclude(
            state__in=ASSIGNMENT_OUTSTANDING_STATES
        )

    def counts(self) -> dict[str, int]:
        if self._counts is None:
            self._counts = ReviewAssignment.objects.filter(reviewer_id=self.user.pk).aggregate(
                total=Count("pk"),
                outstanding=Count("pk", filter=Q(state__in=ASSIGNMENT_OUTSTANDING_STATES)),
            )
        return self._counts

    def count(self) -> int:
        return self.counts()["total"]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[ReviewAssignment]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("MyReviews is read a page (a slice) at a time.")
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        outstanding = self.counts()["outstanding"]
        wanted = Q(pk__in=[])
        if start < outstanding:
            part = self._outstanding().order_by("due_date", "pk").values("pk")
            wanted |= Q(pk__in=part[start : min(stop, outstanding)])
        if stop > outstanding:
            part = self._others().order_by("due_date", "pk").values("pk")
            wanted |= Q(pk__in=part[max(start - outstanding, 0) : stop - outstanding])
        return list(my_reviews_in_order(self.user, self.today).filter(wanted))


def get_assignment_for_user(user, pk) -> ReviewAssignment:
    """An assignment its reviewer may act on, or one the deliverable's staff may see (not
    another's of a round they still review)."""
    try:
        assignment = (
            ReviewAssignment.objects.select_related(
                "deliverable__product", "round__version", "reviewer"
            )
            .annotate(blind=ExpressionWrapper(reviewing(user), output_field=BooleanField()))
            .get(pk=pk)
        )
    except (ReviewAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assignment.") from None
    if assignment.reviewer_id == user.pk:
        return assignment
    if sees_all_of(user, assignment.deliverable) and not assignment.blind:
        return assignment
    raise Http404("No such assignment.")
