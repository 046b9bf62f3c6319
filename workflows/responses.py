"""Review rounds that build on each other: the owner's response to a round's reviews, what
the reviewers of a later round see of the earlier ones, and inviting the previous round's
reviewers again.

The response answers the latest (closed) round of a deliverable being revised: free text
and optionally one reply per submitted review of that round. It is written while revising
(`save_response`, or with the new draft in `planning.send_for_review`) and is then read
by those who see the whole deliverable and by the reviewers of every later round
(`visible_response`): the next round's reviewers read it with the earlier versions before
they write. The blind rule across rounds is `workflows.queries`'.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cepa_collab.names import display_name
from cepa_collab.rulebook import Rule, RuleBook
from cepa_collab.validation import check_due_date
from workflows import queries, rules, services
from workflows.enums import (
    ASSIGNMENT_ACCESS_STATES,
    AssignmentState,
    DeliverableState,
    ReviewStatus,
)
from workflows.models import (
    Deliverable,
    OwnerResponse,
    ResponsePoint,
    Review,
    ReviewAssignment,
    ReviewRound,
)
from workflows.reviewers import eligible_reviewers, refusals

MAX_TEXT = 20000


def last_round(deliverable: Deliverable) -> ReviewRound | None:
    """The deliverable's latest round (one query, kept on the deliverable)."""
    cached = getattr(deliverable, "_last_round", False)
    if cached is False:
        cached = deliverable.rounds.order_by("-number").first()
        deliverable._last_round = cached
    return cached


def answerable(deliverable: Deliverable) -> bool:
    """Being revised after a round: the response to that round can be written."""
    return deliverable.state == DeliverableState.REVISING and last_round(deliverable) is not None


def has_previous_round(deliverable: Deliverable) -> bool:
    """In review, its round open, and an earlier round to take reviewers from."""
    return rules.takes_reviewers(deliverable) and deliverable.open_round.number > 1


RESPONSE = RuleBook(
    # The object is the deliverable.
    write=Rule(
        rules.can_manage,
        gettext_lazy("Only the owner or the chief responds to the reviews."),
        when=answerable,
        not_now=gettext_lazy(
            "The response to the reviews is written while the deliverable is revised, "
            "not %(state)s."
        ),
    ),
    reinvite=Rule(
        rules.can_manage,
        rules.DELIVERABLE.assign_reviewers.denied,
        when=has_previous_round,
        not_now=gettext_lazy(
            "The previous round's reviewers are invited again once a later round is open."
        ),
    ),
)


# --- the owner's response --------------------------------------------------------------------


def answered_reviews(round_: ReviewRound) -> list[Review]:
    """The submitted reviews of `round_`, which the response may reply to one by one."""
    return list(
        Review.objects.filter(assignment__round=round_, status=ReviewStatus.SUBMITTED)
        .select_related("assignment__reviewer")
        .order_by("assignment__pk")
    )


def check_response(round_: ReviewRound, text: str, replies: Mapping[int, str] | None) -> dict:
    """What is wrong with a response to `round_` (empty: nothing), by field."""
    errors: dict[str, list[str]] = {}
    replies = replies or {}
    if not text.strip():
        errors["text"] = [_("Write your response to the reviews.")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [_("Keep the response under %(n)d characters.") % {"n": MAX_TEXT}]
    known = {review.pk for review in answered_reviews(round_)}
    if set(replies) - known:
        errors["replies"] = [_("Reply only to the submitted reviews of the round answered.")]
    elif any(len(reply) > MAX_TEXT for reply in replies.values()):
        errors["replies"] = [_("Keep each reply under %(n)d characters.") % {"n": MAX_TEXT}]
    return errors


@transaction.atomic
def save_response(
    actor, deliverable: Deliverable | int, *, text: str, replies: Mapping[int, str] | None = None
) -> OwnerResponse:
    """Write (or rewrite) the owner's response to the latest round's reviews, while the
    deliverable is being revised: its text and its replies to single reviews (a blank
    reply is none)."""
    pk = deliverable.pk if isinstance(deliverable, Deliverable) else deliverable
    locked = Deliverable.objects.select_for_update().select_related("product").get(pk=pk)
    RESPONSE.write.require(locked, actor)
    round_ = last_round(locked)
    replies = {int(key): value for key, value in (replies or {}).items()}
    errors = check_response(round_, text, replies)
    if errors:
        raise ValidationError(errors)
    return _store(round_, actor, text, replies)


def _store(round_: ReviewRound, actor, text: str, replies: Mapping[int, str]) -> OwnerResponse:
    response, _created = OwnerResponse.objects.update_or_create(
        round=round_, defaults={"text": text.strip(), "written_by": actor}
    )
    response.points.all().delete()
    ResponsePoint.objects.bulk_create(
        ResponsePoint(response=response, review_id=review_id, text=reply.strip())
        for review_id, reply in sorted(replies.items())
        if reply.strip()
    )
    return response


# --- who reads it ----------------------------------------------------------------------------


def reads_responses_q(user, deliverable: Deliverable) -> Q:
    """The rounds (as a condition on `ReviewRound`) whose response `user` may read: every
    one for those who see the whole deliverable; else those before a round where `user`
    keeps access to the draft (a reviewer of round n reads the responses to rounds < n)."""
    if queries.sees_all_of(user, deliverable):
        return Q()
    later = ReviewAssignment.objects.filter(
        deliverable_id=deliverable.pk,
        reviewer_id=user.pk,
        state__in=ASSIGNMENT_ACCESS_STATES,
        round__number__gt=OuterRef("number"),
    )
    return Q(Exists(later))


@dataclass
class Point:
    label: str
    text: str
    is_own: bool = False


@dataclass
class ResponseView:
    """A response as one reader may read it: its replies each labelled with whose review
    it answers (a name for those who see everything; "your review"; else "review 2")."""

    response: OwnerResponse
    points: list[Point] = field(default_factory=list)

    @property
    def round(self) -> ReviewRound:
        return self.response.round


def visible_responses(user, deliverable: Deliverable) -> dict[int, ResponseView]:
    """The responses `user` may read, by the id of the round they answer (two queries)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    sees_all = queries.sees_all_of(user, deliverable)
    responses = (
        OwnerResponse.objects.filter(round__deliverable=deliverable)
        .filter(round__in=ReviewRound.objects.filter(reads_responses_q(user, deliverable)))
        .select_related("round__version", "written_by")
        .prefetch_related(
            Prefetch(
                "points",
                queryset=ResponsePoint.objects.select_related(
                    "review__assignment__reviewer"
                ).order_by("review__assignment__pk"),
            )
        )
    )
    views = {}
    for response in responses:
        points = []
        for index, point in enumerate(response.points.all(), start=1):
            reviewer = point.review.assignment.reviewer
            own = reviewer.pk == user.pk
            if own and not sees_all:
                label = _("Your review")
            elif sees_all:
                label = _("Review by %(name)s") % {"name": display_name(reviewer)}
            else:
                label = _("Review %(n)d") % {"n": index}
            points.append(Point(label=label, text=point.text, is_own=own))
        views[response.round_id] = ResponseView(response=response, points=points)
    return views


def visible_response(user, round_: ReviewRound) -> ResponseView | None:
    return visible_responses(user, round_.deliverable).get(round_.pk)


# --- inviting the previous round's reviewers again -------------------------------------------


@dataclass
class Reinvited:
    created: list[ReviewAssignment]
    skipped: list[str]


def previous_reviewers(deliverable: Deliverable) -> list:
    """Who reviewed the round before the open one (submitted their review), in order."""
    open_round = deliverable.open_round
    if open_round is None:
        return []
    previous = deliverable.rounds.filter(number__lt=open_round.number).order_by("-number").first()
    if previous is None:
        return []
    return [
        assignment.reviewer
        for assignment in previous.assignments.filter(state=AssignmentState.SUBMITTED)
        .select_related("reviewer")
        .order_by("pk")
    ]


@transaction.atomic
def reinvite_previous(
    actor, deliverable: Deliverable | int, due_date: datetime.date | None
) -> Reinvited:
    """Invite the reviewers of the previous round again (those who submitted a review) in
    the open round, by `due_date`, through `services.assign_reviewers`. People already
    invited in this round, or no longer eligible to review it, are skipped, and the result
    says who and why; when nobody is left, nothing happens (ValidationError)."""
    pk = deliverable.pk if isinstance(deliverable, Deliverable) else deliverable
    locked = Deliverable.objects.select_for_update().select_related("product").get(pk=pk)
    RESPONSE.reinvite.require(locked, actor)
    if due_date is None:
        raise ValidationError({"due_date": _("Give the date the reviews are due.")})
    check_due_date(due_date)
    people = previous_reviewers(locked)
    already = set(locked.open_round.assignments.values_list("reviewer_id", flat=True))
    skipped = [
        _("%(name)s is already invited in this round.") % {"name": display_name(person)}
        for person in people
        if person.pk in already
    ]
    candidates = [person for person in people if person.pk not in already]
    eligible = set(
        eligible_reviewers(locked)
        .filter(pk__in=[person.pk for person in candidates])
        .values_list("pk", flat=True)
    )
    refused = [person for person in candidates if person.pk not in eligible]
    skipped += refusals(locked, refused) if refused else []
    invited = [person for person in candidates if person.pk in eligible]
    if not invited:
        message = _("Nobody from the previous round can be invited again.")
        raise ValidationError({"reviewers": [message, *skipped]})
    created = services.assign_reviewers(actor, locked.pk, invited, due_date)
    return Reinvited(created=created, skipped=skipped)


# --- what the pages show ---------------------------------------------------------------------


@dataclass
class EarlierReview:
    """A review of an earlier round as `_review_card.html` shows it."""

    review: Review
    author: str
    is_own: bool


@dataclass
class EarlierRound:
    round: ReviewRound
    version_visible: bool
    response: ResponseView | None
    reviews: list[EarlierReview]


def earlier_rounds(user, assignment: ReviewAssignment) -> list[EarlierRound]:
    """For the review page of `assignment`: the deliverable's rounds before its round, newest
    first, each with its version (if the reader may download it), the owner's response to
    it and the reviews of it the reader may read (their own; the others' once they
    submitted in this round or a later one: `queries.readable_reviews`)."""
    deliverable = assignment.deliverable
    rounds = list(
        queries.visible_rounds(user, deliverable).filter(number__lt=assignment.round.number)
    )
    if not rounds:
        return []
    versions = set(queries.visible_versions(user, deliverable).values_list("pk", flat=True))
    answers = visible_responses(user, deliverable)
    reviews = list(
        queries.visible_reviews(user, deliverable)
        .filter(assignment__round__in=[round_.pk for round_ in rounds])
        .select_related("annotated_file")
        .order_by("assignment__pk")
    )
    rows = []
    for round_ in rounds:
        shown = [
            EarlierReview(
                review=review,
                is_own=review.assignment.reviewer_id == user.pk,
                author=display_name(review.assignment.reviewer)
                if queries.names_reviewer(user, review.assignment, deliverable)
                else queries.ANOTHER_REVIEWER,
            )
            for review in reviews
            if review.assignment.round_id == round_.pk
        ]
        rows.append(
            EarlierRound(
                round=round_,
                version_visible=round_.version_id in versions,
                response=answers.get(round_.pk),
                reviews=shown,
            )
        )
    return rows


def review_page_context(user, assignment: ReviewAssignment) -> dict:
    """What the review page adds: the earlier rounds in view."""
    return {
        "earlier_rounds": earlier_rounds(user, assignment),
        "sees_all": queries.sees_all_of(user, assignment.deliverable),
        # Still owed: the others' earlier reviews come once this one is submitted.
        "earlier_blind": assignment.is_outstanding,
    }


def deliverable_page_context(user, deliverable: Deliverable) -> dict:
    """What the deliverable page adds: whether `user` may write the response to the latest
    round now, and whether they may invite its reviewers again."""
    can_respond = RESPONSE.write(deliverable, user)
    return {
        "respond_round": last_round(deliverable) if can_respond else None,
        "can_reinvite": RESPONSE.reinvite(deliverable, user),
    }
