"""Operations of the review workflow: one function per operation.

Each locks what it changes, checks the actor may do it, fires the django-fsm
transition, saves, writes its history lines in the same transaction and schedules
notifications after commit. Pages, API, admin and tests all call these.

An operation's side effects run once, whatever the number of reviewers it concerns:
its history lines are written in one statement, the calendar counter moves once and the
deliverable's deadlines are brought up to date once (`_record`); people are told
set-wise (`notify_all`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.shortcuts import assign_perm, remove_perm

from cepa_collab import documents, transitions, viewer
from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.names import display_name
from cepa_collab.services import CALENDAR, bump_counter
from cepa_collab.validation import check_due_date
from notifications.deadlines import close as close_deadlines
from notifications.services import N_, mark_read_for, notify, notify_all
from workflows import deadlines, review_forms, rules, texts
from workflows.enums import (
    ASSIGNMENT_ACCESS_STATES,
    ASSIGNMENT_OUTSTANDING_STATES,
    AssignmentState,
    DeliverableAction,
    DeliverableState,
    Recommendation,
    ReviewStatus,
    RoundState,
)
from workflows.models import (
    MACHINE,
    AnnotatedFile,
    Deliverable,
    DeliverableHistory,
    Product,
    Review,
    ReviewAssignment,
    ReviewRound,
    Version,
)
from workflows.notices import WorkflowNotice
from workflows.reviewers import refusals

VIEW_DELIVERABLE = "workflows.view_deliverable"
VIEW_VERSION = "workflows.view_version"


# --- products and deliverables -------------------------------------------------------


@transaction.atomic
def create_product(actor, **fields) -> Product:
    product = Product(**fields)
    rules.PRODUCT.create.require(product, actor)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def create_deliverable(actor, *, product: Product, owner, **fields) -> Deliverable:
    check_new_deliverable(actor, product, owner)
    return build_deliverable(product=product, owner=owner, **fields)


def build_deliverable(*, product: Product, owner, **fields) -> Deliverable:
    """Create a deliverable for a caller that has checked who may (e.g. the lead of an
    advisory request sending its plan of action to review). Its due date is not in the past."""
    _check_owner(owner, product.branch_id)
    check_due_date(fields.get("due_date"))
    deliverable = Deliverable(product=product, owner=owner, **fields)
    deliverable.full_clean(exclude=["state"])
    deliverable.save()
    _changed(deliverable)
    return deliverable


@transaction.atomic
def hand_over(deliverable: Deliverable | int, owner) -> None:
    """Give a deliverable to a new owner (for a caller that has checked who may)."""
    locked = _lock(deliverable)
    if locked.owner_id == owner.pk:
        return
    _check_owner(owner, locked.product.branch_id)
    locked.owner = owner
    locked.save(update_fields=["owner", "updated_at"])
    _changed(locked)


def _lock(deliverable: Deliverable | int) -> Deliverable:
    pk = deliverable.pk if isinstance(deliverable, Deliverable) else deliverable
    return Deliverable.objects.select_for_update().select_related("product", "owner").get(pk=pk)


def _line(
    deliverable: Deliverable, actor, action: str, comment: str = "", **fields
) -> DeliverableHistory:
    """One line of the deliverable's history, not written yet (see `_record`)."""
    return DeliverableHistory.line(actor, action, comment, deliverable=deliverable, **fields)


def _assignment_line(
    assignment: ReviewAssignment, actor, from_state: str = "", comment: str = "", **fields
) -> DeliverableHistory:
    """A line of the assignment's step (its deliverable named by id: no query)."""
    return DeliverableHistory.line(
        actor,
        DeliverableAction.ASSIGNMENT,
        comment,
        deliverable_id=assignment.deliverable_id,
        assignment=assignment,
        from_state=from_state,
        to_state=assignment.state,
        **fields,
    )


def _record(deliverable: Deliverable, *lines: DeliverableHistory) -> None:
    """End an operation: write its history lines (one statement, in order) and run its
    side effects once."""
    DeliverableHistory.write_all(lines)
    _changed(deliverable)


def _changed(deliverable: Deliverable) -> None:
    """Note a change of the deliverable or its assignments, once per operation: the reminder
    sweep learns who owes what by when (the deadlines, synced set-wise) and calendar feeds,
    which list deliverables and deadlines, that they changed (the counter moves once)."""
    if not deadlines.sync_deliverable(deliverable.pk):
        bump_counter(CALENDAR)  # else the deadlines' sync moved it already


def available_transitions(deliverable: Deliverable, user) -> list[str]:
    """Names of the transitions `user` may fire now (conditions met), in page order."""
    return transitions.available(deliverable, user, MACHINE)


@transaction.atomic
def fire_transition(
    actor,
    deliverable: Deliverable | int,
    name: str,
    *,
    comment: str = "",
    waiver_reason: str = "",
) -> Deliverable:
    """Move a deliverable along its state machine, or raise.

    Raises ValidationError (unknown transition, missing reason, unmet condition),
    PermissionDenied (the actor may not fire it), ServiceConflict (the state
    changed first: not possible from the current state).
    """
    transitions.check_name(name, MACHINE)
    locked = _lock(deliverable)
    transitions.check(locked, name, actor, MACHINE)
    comment = comment.strip()
    waiver_reason = waiver_reason.strip()
    open_round = locked.rounds.filter(state=RoundState.OPEN).select_related("version").first()
    outstanding = (
        list(
            open_round.assignments.select_related("reviewer").filter(
                state__in=ASSIGNMENT_OUTSTANDING_STATES
            )
        )
        if open_round
        else []
    )
    transitions.check_comment(name, comment, MACHINE)
    if name == "approve" and outstanding and not waiver_reason:
        raise ValidationError(
            {
                "waiver_reason": ngettext(
                    "%(count)d review is outstanding: give a reason to approve without it.",
                    "%(count)d reviews are outstanding: give a reason to approve without them.",
                    len(outstanding),
                )
                % {"count": len(outstanding)}
            }
        )

    from_state = transitions.fire(locked, name)
    locked.save(update_fields=["state", "state_changed_at", "updated_at"])

    lines = []
    if name == "submit_for_review":
        _open_round(locked, actor)
    elif open_round is not None:
        lines = _withdraw_all(locked, outstanding, actor, note=DeliverableHistory.ROUND_CLOSED)
        open_round.state = RoundState.CLOSED
        open_round.closed_at = timezone.now()
        open_round.save(update_fields=["state", "closed_at"])

    waiver = (
        {"note": DeliverableHistory.WAIVED, "params": {"reason": waiver_reason}}
        if waiver_reason
        else {}
    )
    lines.append(
        _line(
            locked,
            actor,
            DeliverableAction.TRANSITION,
            comment,
            from_state=from_state,
            to_state=locked.state,
            **waiver,
        )
    )
    _record(locked, *lines)
    text = comment
    if waiver_reason:
        text = f"{comment}\n{_('Waiver')}: {waiver_reason}".strip()
    _notify_decision(locked, actor, name, text)
    mark_read_for(actor, reverse("workflows:deliverable", args=[locked.pk]))
    return locked


def _open_round(deliverable: Deliverable, actor) -> ReviewRound:
    version = deliverable.versions.order_by("-number").first()
    number = (deliverable.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = ReviewRound.objects.create(
        deliverable=deliverable, version=version, number=number, opened_by=actor
    )
    review_forms.freeze(round_)  # the round keeps the form it opened with
    return round_


def _notify_decision(deliverable: Deliverable, actor, name: str, comment: str) -> None:
    if name not in {"approve", "return_for_revision", "cancel", "publish"}:
        return
    link = reverse("workflows:deliverable", args=[deliverable.pk])
    params = {
        "title": deliverable.title,
        "state": DeliverableState(deliverable.state).label,
        "comment": comment,
    }
    body = (
        N_("“%(title)s” is now: %(state)s.\n\n%(comment)s")
        if comment
        else N_("“%(title)s” is now: %(state)s.")
    )
    recipients = [deliverable.owner]
    last_round = deliverable.rounds.order_by("-number").first()
    if last_round is not None:
        # The comment may sum up the reviews: never to someone still reviewing (blind review).
        recipients += [
            a.reviewer
            for a in last_round.assignments.select_related("reviewer__profile")
            .filter(state__in=ASSIGNMENT_ACCESS_STATES)
            .order_by("pk")
            if not a.is_outstanding
        ]
    notify_all(
        [user for user in recipients if user.pk != actor.pk],
        WorkflowNotice.DECISION,
        subject=N_("%(title)s: %(state)s"),
        body=body,
        params=params,
        link=link,
    )


@transaction.atomic
def change_due_date(actor, deliverable: Deliverable | int, new_due: datetime.date, reason: str):
    locked = _lock(deliverable)
    rules.DELIVERABLE.change_due_date.require(locked, actor)
    check_due_date_move(locked.due_date, new_due, reason)
    old = locked.due_date
    locked.due_date = new_due
    locked.save(update_fields=["due_date", "updated_at"])
    _record(locked, _due_date_line(locked, actor, old, new_due, reason.strip()))
    return locked


def check_due_date_move(current: datetime.date, new_due: datetime.date | None, reason: str) -> None:
    """The rules of moving a due date, a deliverable's or a review's: a new date, not in the
    past (`check_due_date`; earlier than before is fine), and a reason."""
    errors = {}
    if new_due is None:
        errors["due_date"] = _("Give the new due date.")
    elif new_due == current:
        errors["due_date"] = _("That is already the due date.")
    else:
        try:
            check_due_date(new_due)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not reason.strip():
        errors["reason"] = _("Say why the due date moves.")
    if errors:
        raise ValidationError(errors)


def _due_date_line(
    deliverable: Deliverable, actor, old: datetime.date, new: datetime.date, reason: str, **fields
) -> DeliverableHistory:
    return _line(
        deliverable,
        actor,
        DeliverableAction.DUE_DATE,
        reason,
        note=DeliverableHistory.DUE_DATE_MOVED,
        params={"old": old.isoformat(), "new": new.isoformat()},
        **fields,
    )


# --- versions ------------------------------------------------------------------------


@transaction.atomic
def upload_version(actor, deliverable: Deliverable | int, upload: UploadedFile, notes: str = ""):
    locked = _lock(deliverable)
    rules.DELIVERABLE.upload_version.require(locked, actor)
    version = documents.store(
        Version, upload, uploaded_by=actor, deliverable=locked, notes=notes.strip()
    )
    _record(
        locked,
        _line(
            locked,
            actor,
            DeliverableAction.VERSION,
            note=DeliverableHistory.UPLOADED,
            params={"n": version.number},
        ),
    )
    texts.version_uploaded(version)  # its text is read after commit (issue 16)
    return version


# --- reviewers -----------------------------------------------------------------------


@transaction.atomic
def assign_reviewers(
    actor, deliverable: Deliverable | int, reviewers: Iterable, due_date: datetime.date
) -> list[ReviewAssignment]:
    """Give the open round's version to several reviewers in one step."""
    locked = _lock(deliverable)
    rules.DELIVERABLE.assign_reviewers.require(locked, actor)
    round_ = locked.open_round
    reviewers = list(dict.fromkeys(reviewers))
    if not reviewers:
        raise ValidationError({"reviewers": _("Choose at least one reviewer.")})
    check_due_date(due_date)
    already = set(round_.assignments.values_list("reviewer_id", flat=True))
    errors = [
        _("%(name)s is already assigned in this round.") % {"name": display_name(reviewer)}
        for reviewer in reviewers
        if reviewer.pk in already
    ]
    errors += refusals(locked, [r for r in reviewers if r.pk not in already])
    if errors:
        raise ValidationError({"reviewers": errors})
    created = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=round_,
            deliverable=locked,
            reviewer=reviewer,
            due_date=due_date,
            assigned_by=actor,
        )
        for reviewer in reviewers
    )
    assign_perm(VIEW_DELIVERABLE, reviewers, locked)
    assign_perm(VIEW_VERSION, reviewers, round_.version)
    _record(locked, *(_assignment_line(assignment, actor) for assignment in created))
    notify_all(
        reviewers,
        WorkflowNotice.REVIEW_ASSIGNED,
        subject=N_("Review requested: %(title)s, due %(due)s"),
        body=N_(
            "You are asked to review “%(title)s” (%(product)s), version %(version)s, "
            "by %(due)s. Accept or decline the assignment on your reviews page."
        ),
        params={
            "title": locked.title,
            "product": locked.product,
            "version": round_.version.number,
            "due": due_date,
        },
        links={a.reviewer_id: reverse("workflows:review", args=[a.pk]) for a in created},
    )
    return created


def _lock_assignment(assignment: ReviewAssignment | int) -> ReviewAssignment:
    pk = assignment.pk if isinstance(assignment, ReviewAssignment) else assignment
    return (
        ReviewAssignment.objects.select_for_update()
        .select_related("deliverable__product", "round__version", "reviewer")
        .get(pk=pk)
    )


def _check_assignment(assignment: ReviewAssignment, actor, name: str) -> None:
    """Raise unless `actor` may fire the assignment's transition `name` now."""
    getattr(rules.ASSIGNMENT, name).require(assignment, actor)


def _fire_assignment(assignment: ReviewAssignment, actor, name: str) -> str:
    _check_assignment(assignment, actor, name)
    from_state = assignment.state
    getattr(assignment, name)()
    assignment.responded_at = timezone.now()
    return from_state


@transaction.atomic
def accept_assignment(
    actor, assignment: ReviewAssignment | int, *, has_conflict: bool = False, conflict: str = ""
) -> ReviewAssignment:
    """The reviewer accepts, declaring no conflict of interest or which (`conflict`)."""
    locked = _lock_assignment(assignment)
    from_state = _fire_assignment(locked, actor, "accept")
    review_forms.check_declaration(has_conflict, conflict)
    locked.save(update_fields=["state", "responded_at", "updated_at"])
    review_forms.declare(locked, has_conflict, conflict)
    _record(locked.deliverable, _assignment_line(locked, actor, from_state))
    mark_read_for(actor, reverse("workflows:review", args=[locked.pk]))
    return locked


@transaction.atomic
def change_assignment_due_date(
    actor, assignment: ReviewAssignment | int, new_due: datetime.date | None, reason: str
) -> ReviewAssignment:
    """Give a reviewer more (or less) time: the owner or the chief, while the review is
    outstanding. Its reminders start over for the new date; the reviewer is told."""
    locked = _lock_assignment(assignment)
    rules.ASSIGNMENT.change_due_date.require(locked, actor)
    check_due_date_move(locked.due_date, new_due, reason)
    old = locked.due_date
    locked.due_date = new_due
    locked.save(update_fields=["due_date", "updated_at"])
    _record(
        locked.deliverable,
        _due_date_line(locked.deliverable, actor, old, new_due, reason.strip(), assignment=locked),
    )
    notify(
        locked.reviewer,
        WorkflowNotice.REVIEW_ASSIGNED,
        subject=N_("Review of “%(title)s” now due %(due)s"),
        body=N_(
            "Your review of “%(title)s” is now due %(due)s (it was due %(old)s).\n\n%(reason)s"
        ),
        params={"title": locked.deliverable.title, "due": new_due, "old": old, "reason": reason},
        link=reverse("workflows:review", args=[locked.pk]),
    )
    return locked


@transaction.atomic
def decline_assignment(
    actor, assignment: ReviewAssignment | int, reason: str, *, conflict_of_interest: bool = False
) -> ReviewAssignment:
    locked = _lock_assignment(assignment)
    from_state = _fire_assignment(locked, actor, "decline")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you decline.")})
    locked.decline_reason = reason.strip()
    locked.conflict_of_interest = conflict_of_interest
    locked.save(
        update_fields=[
            "state",
            "responded_at",
            "decline_reason",
            "conflict_of_interest",
            "updated_at",
        ]
    )
    _revoke_lost_access(locked.deliverable, [locked])
    _record(locked.deliverable, _assignment_line(locked, actor, from_state))
    mark_read_for(actor, reverse("workflows:review", args=[locked.pk]))
    notify(
        locked.deliverable.owner,
        WorkflowNotice.REVIEW_WITHDRAWN,
        subject=N_("Review declined: %(title)s"),
        body=N_("%(name)s declined to review “%(title)s”."),
        params={"name": locked.reviewer, "title": locked.deliverable.title},
        link=reverse("workflows:deliverable", args=[locked.deliverable_id]),
    )
    _decision_if_ready(locked)
    return locked


@transaction.atomic
def withdraw_assignment(actor, assignment: ReviewAssignment | int, reason: str = ""):
    locked = _lock_assignment(assignment)
    _check_assignment(locked, actor, "withdraw")
    _record(locked.deliverable, *_withdraw_all(locked.deliverable, [locked], actor, comment=reason))
    _decision_if_ready(locked)
    return locked


def _withdraw_all(
    deliverable: Deliverable, assignments: list[ReviewAssignment], actor, **line
) -> list[DeliverableHistory]:
    """Withdraw outstanding assignments of `deliverable` (their reviewers loaded) at once,
    whatever their number: their states in one statement, the access they gave taken back,
    their reviewers told. Returns their history lines, which the caller records with the
    rest of its operation; `line` says what they add (a comment, a note)."""
    if not assignments:
        return []
    now = timezone.now()
    from_states = [assignment.state for assignment in assignments]
    for assignment in assignments:
        assignment.state = AssignmentState.WITHDRAWN
        assignment.updated_at = now
    ReviewAssignment.objects.filter(pk__in=[a.pk for a in assignments]).update(
        state=AssignmentState.WITHDRAWN, updated_at=now
    )
    _revoke_lost_access(deliverable, assignments)
    notify_all(
        [assignment.reviewer for assignment in assignments],
        WorkflowNotice.REVIEW_WITHDRAWN,
        subject=N_("Review withdrawn: %(title)s"),
        body=N_("Your review of “%(title)s” is no longer needed."),
        params={"title": deliverable.title},
        link=reverse("workflows:my_reviews"),
    )
    return [
        _assignment_line(assignment, actor, from_state, **line)
        for assignment, from_state in zip(assignments, from_states, strict=True)
    ]


def _revoke_lost_access(deliverable: Deliverable, assignments: list[ReviewAssignment]) -> None:
    """Take the reviewers' permissions back unless another of their assignments still grants
    them (a fixed number of queries: one per version concerned, however many reviewers)."""
    kept = set(
        ReviewAssignment.objects.filter(
            deliverable=deliverable,
            reviewer_id__in={a.reviewer_id for a in assignments},
            state__in=ASSIGNMENT_ACCESS_STATES,
        ).values_list("reviewer_id", "round__version_id")
    )
    keeping = {reviewer_id for reviewer_id, _version_id in kept}
    losing = {a.reviewer_id: a.reviewer for a in assignments if a.reviewer_id not in keeping}
    if losing:
        remove_perm(VIEW_DELIVERABLE, list(losing.values()), deliverable)
    by_version: dict[int, tuple[Version, dict]] = {}
    for assignment in assignments:
        version = assignment.round.version
        if (assignment.reviewer_id, version.pk) not in kept:
            by_version.setdefault(version.pk, (version, {}))[1][assignment.reviewer_id] = (
                assignment.reviewer
            )
    for version, reviewers in by_version.values():
        remove_perm(VIEW_VERSION, list(reviewers.values()), version)


# --- reviews ---------------------------------------------------------------------------


def _replace_annotated_file(review: Review, upload: UploadedFile, actor) -> AnnotatedFile:
    """Store the reviewer's annotated file; the one it replaces goes (its file after commit:
    `documents.forget_file`)."""
    AnnotatedFile.objects.filter(review=review).delete()
    return documents.store(
        AnnotatedFile, upload, uploaded_by=actor, field="annotated_file", review=review
    )


@transaction.atomic
def save_review(
    actor,
    assignment: ReviewAssignment | int,
    *,
    recommendation: str = "",
    comments: str = "",
    annotated_file: UploadedFile | None = None,
    submit: bool = False,
    scores: dict[int, int | None] | None = None,
    comments_for_chief: str | None = None,
) -> Review:
    """Save the reviewer's draft; with `submit`, validate it and submit the assignment.
    `scores` (criterion id → score) and `comments_for_chief` replace the saved ones; None
    keeps them (`workflows.review_forms`)."""
    locked = _lock_assignment(assignment)
    rules.REVIEW.write.require(locked, actor)
    errors = {}
    if recommendation and recommendation not in Recommendation.values:
        errors["recommendation"] = _("Choose one of the recommendations.")
    if submit and not recommendation:
        errors["recommendation"] = _("Choose a recommendation before submitting.")
    if submit and not comments.strip():
        errors["comments"] = _("Write your comments before submitting.")
    if annotated_file is not None:
        try:
            documents.validate_upload(annotated_file)
        except ValidationError as exc:
            errors["annotated_file"] = exc.messages
    try:
        review_forms.check_scores(locked, scores)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    review, _created = Review.objects.get_or_create(assignment=locked)
    review_forms.store_scores(review, scores, comments_for_chief)
    review.recommendation = recommendation
    review.comments = comments
    if annotated_file is not None:
        _replace_annotated_file(review, annotated_file, actor)
    if submit:
        from_state = _fire_assignment(locked, actor, "submit")
        locked.save(update_fields=["state", "responded_at", "updated_at"])
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = timezone.now()
        _record(locked.deliverable, _assignment_line(locked, actor, from_state))
        mark_read_for(actor, reverse("workflows:review", args=[locked.pk]))
        notify(
            locked.deliverable.owner,
            WorkflowNotice.REVIEW_SUBMITTED,
            subject=N_("Review submitted: %(title)s"),
            body=N_(
                "%(name)s submitted their review of “%(title)s”. Recommendation: "
                "%(recommendation)s."
            ),
            params={
                "name": display_name(locked.reviewer),
                "title": locked.deliverable.title,
                "recommendation": Recommendation(recommendation).label,
            },
            link=reverse("workflows:deliverable", args=[locked.deliverable_id]),
        )
    review.save()
    if submit:
        _decision_if_ready(locked)
    return review


def _decision_if_ready(assignment: ReviewAssignment) -> None:
    """After a review came in or a reviewer dropped out of the round: if that was the last
    review owed (or the others are past due), the chief decides now."""
    if Deliverable.objects.awaiting_decision().filter(pk=assignment.deliverable_id).exists():
        request_decision(assignment.round_id)


# --- the chief's decision --------------------------------------------------------------


def _branch_chiefs(branch_id: int) -> list:
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.BRANCH_CHIEF, profile__branch_id=branch_id)
        .distinct()
        .order_by("pk")
    )


def _round_reviews(round_id: int) -> Promise:
    """The round's reviewers, each with their recommendation or the review still missing,
    one line each (lazy: written in each recipient's language when the notice is)."""
    assignments = list(
        ReviewAssignment.objects.filter(
            round_id=round_id, state__in=(*ASSIGNMENT_OUTSTANDING_STATES, AssignmentState.SUBMITTED)
        )
        .select_related("reviewer", "review")
        .order_by("reviewer__last_name", "reviewer__first_name", "pk")
    )

    def lines() -> str:
        written = []
        for assignment in assignments:
            if assignment.state == AssignmentState.SUBMITTED:
                line = _("%(name)s: %(recommendation)s") % {
                    "name": display_name(assignment.reviewer),
                    "recommendation": Recommendation(assignment.review.recommendation).label,
                }
            else:
                line = _("%(name)s: no review (it was due %(due)s)") % {
                    "name": display_name(assignment.reviewer),
                    "due": formats.date_format(assignment.due_date, "DATE_FORMAT"),
                }
            written.append(f"– {line}")
        return "\n".join(written)

    return lazy(lines, str)()


def request_decision(round_id: int) -> bool:
    """Tell the chief of the deliverable's branch that its open round waits for their
    decision, naming the reviewers and their recommendations: once per round (claimed by a
    conditional update of `decision_requested_at`). Returns whether this call told them.
    The caller has checked that the deliverable waits (`Deliverable.objects.awaiting_decision`)."""
    claimed = ReviewRound.objects.filter(
        pk=round_id, state=RoundState.OPEN, decision_requested_at__isnull=True
    ).update(decision_requested_at=timezone.now())
    if claimed != 1:
        return False
    round_ = ReviewRound.objects.select_related("deliverable__product").get(pk=round_id)
    deliverable = round_.deliverable
    missing = round_.assignments.filter(state__in=ASSIGNMENT_OUTSTANDING_STATES).exists()
    body = (
        N_(
            "Reviews of “%(title)s” (round %(round)s) are missing past their due date. "
            "Decide without them (give your reason), or give the reviewers more time.\n\n"
            "%(reviews)s"
        )
        if missing
        else N_(
            "Every review of “%(title)s” (round %(round)s) is in. Approve it or return it "
            "for revision.\n\n%(reviews)s"
        )
    )
    notify_all(
        _branch_chiefs(deliverable.product.branch_id),
        WorkflowNotice.DECISION_READY,
        subject=N_("Ready for your decision: %(title)s"),
        body=body,
        params={
            "title": deliverable.title,
            "round": round_.number,
            "reviews": _round_reviews(round_id),
        },
        link=reverse("workflows:deliverable", args=[deliverable.pk]),
    )
    return True


def request_decisions(today: datetime.date | None = None) -> int:
    """One pass of the beat: tell the chiefs of every deliverable that now waits for their
    decision and has not been announced yet (its reviews past due with some missing; the
    ones all in were announced when the last came). Returns how many rounds it announced."""
    waiting = Deliverable.objects.awaiting_decision(today).values("pk")
    rounds = ReviewRound.objects.filter(
        state=RoundState.OPEN, decision_requested_at__isnull=True, deliverable__in=waiting
    ).values_list("pk", flat=True)
    told = 0
    for round_id in list(rounds):
        with transaction.atomic():
            told += request_decision(round_id)
    return told


# --- editing and deleting a deliverable (the admin) ----------------------------------------

# What `update_deliverable` changes: the state moves only by transitions, the due date only
# by `change_due_date`.
DELIVERABLE_FIELDS = ("product", "title", "kind", "owner", "description")


def _check_owner(owner, branch_id: int) -> None:
    """The hand-over rule: a deliverable's owner is a member of its product's branch."""
    if not viewer.is_branch_member(owner, branch_id):
        raise ValidationError({"owner": _("The owner must be a member of the product's branch.")})


def check_new_deliverable(
    actor, product: Product, owner, due_date: datetime.date | None = None
) -> None:
    """Raise unless `actor` may create a deliverable of `product` owned by `owner`, due
    `due_date` (not in the past)."""
    rules.DELIVERABLE.create.require(product, actor)
    _check_owner(owner, product.branch_id)
    check_due_date(due_date)


def check_deliverable_changes(actor, deliverable: Deliverable, changes: dict) -> None:
    """Raise unless `actor` may make `changes` to `deliverable` (the rules of
    `update_deliverable`, for a form to show before it saves): the owner or the chief edits;
    only the chief hands it over or moves it to another product (one of a branch they
    create in); the owner stays a member of the product's branch."""
    unknown = set(changes) - set(DELIVERABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed.") for name in sorted(unknown)}
        )
    rules.DELIVERABLE.edit.require(deliverable, actor)
    product = changes.get("product") or deliverable.product
    owner = changes.get("owner") or deliverable.owner
    moved = product.pk != deliverable.product_id
    handed_over = owner.pk != deliverable.owner_id
    if moved:
        rules.DELIVERABLE.move.require(deliverable, actor)
        rules.PRODUCT.move_into.require(product, actor)
    if handed_over:
        rules.DELIVERABLE.hand_over.require(deliverable, actor)
    if moved or handed_over:
        _check_owner(owner, product.branch_id)


@transaction.atomic
def update_deliverable(actor, deliverable: Deliverable | int, **changes) -> Deliverable:
    """Change a deliverable's product, title, kind, description or owner (a hand-over), with
    one history line saying what changed; see `check_deliverable_changes` for who may."""
    locked = _lock(deliverable)
    check_deliverable_changes(actor, locked, changes)
    changed = [
        name
        for name in DELIVERABLE_FIELDS
        if name in changes and getattr(locked, name) != changes[name]
    ]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    locked.full_clean(exclude=["state"])
    locked.save(update_fields=[*changed, "updated_at"])
    edited = [name for name in changed if name != "owner"]
    handed_over = "owner" in changed
    note = (
        DeliverableHistory.CHANGED_AND_HANDED_OVER
        if edited and handed_over
        else DeliverableHistory.HANDED_OVER
        if handed_over
        else DeliverableHistory.CHANGED
    )
    params = {"fields": edited}
    if handed_over:
        params["owner"] = display_name(locked.owner)
    _record(locked, _line(locked, actor, DeliverableAction.EDITED, note=note, params=params))
    return locked


@transaction.atomic
def delete_deliverable(actor, deliverable: Deliverable | int) -> None:
    """Delete a deliverable (the chief): nothing of it is owed any more, so its deadlines and
    its reviews' close. One that records depend on (a review round, a contribution written
    for it) is kept: a conflict."""
    locked = _lock(deliverable)
    rules.DELIVERABLE.delete.require(locked, actor)
    pk = locked.pk
    reviews = list(ReviewAssignment.objects.filter(deliverable_id=pk).values_list("pk", flat=True))
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError:
        raise ServiceConflict(
            _(
                "Records depend on this deliverable (review rounds, contributions): it cannot "
                "be deleted. Cancel it instead."
            )
        ) from None
    close_deadlines(deadlines.WorkflowDeadline.DELIVERABLE, [pk])
    close_deadlines(deadlines.WorkflowDeadline.REVIEW, reviews)
    bump_counter(CALENDAR)
