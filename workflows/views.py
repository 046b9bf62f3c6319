"""Pages of the review workflow (the branch dashboard lives in `dashboard_views`).

Thin on purpose: objects are loaded through `workflows.queries` (404 for what the
person may not see), operations go through `workflows.services`, and the services'
errors are translated: ValidationError → errors on the re-rendered bound form (status
400), PermissionDenied → 403 (raised on), ServiceConflict → a message and a redirect.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cepa_collab import documents, pages, transitions
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.history import history_rows
from cepa_collab.names import display_name
from cepa_collab.services import profile_for
from notifications import reminders
from workflows import dashboard as board
from workflows import queries, responses, review_forms, rules, services
from workflows.deadlines import WorkflowDeadline
from workflows.enums import (
    ASSIGNMENT_ACCESS_STATES,
    ASSIGNMENT_OUTSTANDING_STATES,
    AssignmentState,
    DeliverableState,
    Recommendation,
    ReviewStatus,
    RoundState,
)
from workflows.forms import (
    DECISIONS,
    AssignReviewersForm,
    DecisionForm,
    DeclineForm,
    DeliverableFilterForm,
    DueDateForm,
    TransitionForm,
    VersionUploadForm,
)
from workflows.models import TRANSITION_LABELS, Deliverable, Product, Review, ReviewAssignment
from workflows.panels import DELIVERABLE_PAGE, REVIEW_PAGE
from workflows.planning_forms import ReviewerChooser
from workflows.review_form_forms import ScoredReviewForm

PAGE_SIZE = 50
CANCEL = "cancel"
DEFAULT_REVIEW_DAYS = 21
BAD_REQUEST = 400


def _name(user) -> str:
    if user is None:
        return _("System")
    return display_name(user)


def _max_upload_mb() -> float:
    return documents.max_upload_bytes() / 1_000_000


# --- deliverables list -----------------------------------------------------------------


@login_required
def deliverable_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    visible = queries.visible_deliverables(user)
    products = Product.objects.filter(pk__in=visible.values("product_id")).order_by(
        "title", "edition"
    )
    form = DeliverableFilterForm(request.GET or None, products=products)
    rows = form.apply(visible, user=user, today=today)
    # The rows carry the dashboard's flags (overdue, at risk and why), so a deliverable
    # reads the same here and there (`workflows/_deliverable_row.html`); still one query.
    # Counted and sorted by their own columns; only the page's rows get the flags.
    paged = queries.PagedRows(rows, lambda shown: board.annotate_rows(shown, today))
    page = Paginator(paged, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = board.with_risk_reasons(page.object_list)
    filtered = form.is_bound and any(form.data.get(name) for name in form.fields)
    return render(
        request,
        "workflows/deliverable_list.html",
        {
            # Not `form`: invalid filter values are ignored, the page has no error to report.
            "filter_form": form,
            "page": page,
            "filters_active": filtered,
            # Filtering a list of one row helps nobody: the panel shows from two rows.
            "show_filters": filtered or (page.paginator.count > 1),
        },
    )


# --- the deliverable page ------------------------------------------------------------------


@dataclass
class ReviewRow:
    review: Review
    author: str
    is_own: bool


@dataclass
class RoundRow:
    round: object
    assignments: list
    reviews: list[ReviewRow]
    # The viewer still owes a review of this round: the others' are hidden until they submit.
    blind: bool = False
    # The owner's response to this round's reviews, if the viewer may read it (rounds).
    response: object = None


def _rounds(user, deliverable, *, sees_all, assignments, reviews) -> list[RoundRow]:
    # A reviewer sees the rounds they were assigned in and the earlier ones (rounds).
    rounds = list(queries.visible_rounds(user, deliverable))
    # A response answers a closed round: none to look for before a round closes.
    closed = any(round_.state == RoundState.CLOSED for round_ in rounds)
    answers = responses.visible_responses(user, deliverable) if closed else {}
    rows = []
    for round_ in rounds:
        round_reviews = [
            ReviewRow(
                review=review,
                is_own=review.assignment.reviewer_id == user.pk,
                author=(
                    _name(review.assignment.reviewer)
                    if queries.names_reviewer(user, review.assignment, deliverable)
                    else queries.ANOTHER_REVIEWER
                ),
            )
            for review in reviews
            if review.assignment.round_id == round_.pk
        ]
        round_assignments = [a for a in assignments if a.round_id == round_.pk]
        rows.append(
            RoundRow(
                round=round_,
                assignments=round_assignments,
                reviews=round_reviews,
                blind=any(a.reviewer_id == user.pk and a.is_outstanding for a in round_assignments),
                response=answers.get(round_.pk),
            )
        )
    return rows


@dataclass
class Step:
    label: str
    status: str  # "done", "current" or "todo" (the design system's step-list modifiers)
    note: str = ""


@dataclass
class Blocked:
    """An action not possible yet, with what comes first."""

    label: str
    reason: str


def _steps(deliverable, versions, latest: RoundRow | None, waiting: bool) -> list[Step]:
    """Draft → reviewers → reviews in → decision, for the deliverable's current cycle (a
    return for revision starts a new one: a new draft first)."""
    state = deliverable.state
    reviewed = latest.round.version.number if latest is not None else 0
    new_draft = bool(versions) and versions[-1].number > reviewed
    owed_or_in = (*ASSIGNMENT_OUTSTANDING_STATES, AssignmentState.SUBMITTED)
    counted = [a for a in latest.assignments if a.state in owed_or_in] if latest else []
    submitted = sum(1 for a in counted if a.state == AssignmentState.SUBMITTED)
    decided = state in (DeliverableState.APPROVED, DeliverableState.PUBLISHED)
    in_review = state == DeliverableState.IN_REVIEW
    todo, done, current = "todo", "done", "current"
    if in_review or decided:
        draft = Step(_("Draft uploaded"), done, _("Version %(number)d") % {"number": reviewed})
    elif new_draft:
        draft = Step(
            _("Draft uploaded"),
            current,
            _("Version %(number)d: submit it for review") % {"number": versions[-1].number},
        )
    else:
        draft = Step(_("Draft uploaded"), current, _("Upload a draft"))
    count = len(counted)
    chosen_note = (
        ngettext("%(count)d reviewer", "%(count)d reviewers", count) % {"count": count}
        if counted
        else ""
    )
    if decided or (in_review and counted):
        reviewers = Step(_("Reviewers chosen"), done, chosen_note)
    elif in_review:
        reviewers = Step(_("Reviewers chosen"), current, _("Choose reviewers"))
    else:
        reviewers = Step(_("Reviewers chosen"), todo)
    in_note = (
        _("%(submitted)d of %(total)d in") % {"submitted": submitted, "total": len(counted)}
        if counted
        else ""
    )
    if decided or (in_review and counted and submitted == len(counted)):
        reviews = Step(_("Reviews in"), done, in_note)
    elif in_review and counted:
        reviews = Step(_("Reviews in"), current, in_note)
    else:
        reviews = Step(_("Reviews in"), todo)
    if decided:
        decision = Step(_("Decision"), done, str(DeliverableState(state).label))
    elif waiting:
        decision = Step(_("Decision"), current, _("Waiting for the chief's decision"))
    else:
        decision = Step(_("Decision"), todo)
    return [draft, reviewers, reviews, decision]


def _recommendations(row: RoundRow | None) -> list[tuple[str, list[str]]]:
    """The open round's recommendations (in the scale's order) with who gave each, then
    the reviews still missing."""
    if row is None:
        return []
    by_choice: dict[str, list[str]] = {}
    for item in row.reviews:
        if item.review.status == ReviewStatus.SUBMITTED:
            by_choice.setdefault(item.review.recommendation, []).append(item.author)
    summary = [
        (str(choice.label), by_choice[choice.value])
        for choice in Recommendation
        if choice.value in by_choice
    ]
    missing = [_name(a.reviewer) for a in row.assignments if a.is_outstanding]
    if missing:
        summary.append((_("No review yet"), missing))
    return summary


def _score_summary(row: RoundRow | None):
    """The open round's scores per criterion, once a review of it is in (else None)."""
    reviews = [item.review for item in row.reviews] if row is not None else []
    if not any(review.status == ReviewStatus.SUBMITTED for review in reviews):
        return None
    return review_forms.summary(row.round, reviews)


def _blocked(deliverable, user, available: list[str], versions, can) -> list[Blocked]:
    """The actions the person could take at another step, and what comes first."""
    state = deliverable.state
    blocked = []
    preparing = state in rules.UPLOAD_STATES
    if preparing and rules.can_manage(deliverable, user) and "submit_for_review" not in available:
        if not versions:
            reason = _("Upload a draft first.")
        elif state == DeliverableState.PLANNED:
            reason = _("Start drafting first.")
        else:
            reason = _("Upload a new version first: the latest one was reviewed already.")
        blocked.append(Blocked(str(TRANSITION_LABELS["submit_for_review"]), reason))
    if preparing and rules.can_decide(deliverable, user):
        blocked.append(Blocked(_("Decide"), _("The decision comes once a draft is in review.")))
    if state == DeliverableState.APPROVED and rules.can_decide(deliverable, user):
        blocked.append(
            Blocked(
                str(TRANSITION_LABELS[CANCEL]),
                _("An approved deliverable can no longer be cancelled."),
            )
        )
    return blocked


def _render_deliverable(
    request: HttpRequest,
    deliverable: Deliverable,
    *,
    bound_transition: TransitionForm | None = None,
    bound_decision: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    sees_all = queries.sees_all_of(user, deliverable)
    versions = list(queries.visible_versions(user, deliverable).select_related("text"))
    assignments = list(queries.visible_assignments(user, deliverable))
    reviews = list(queries.visible_reviews(user, deliverable).select_related("annotated_file"))
    review_forms.dress(user, reviews, deliverable)  # scores; comments for the chief they may read
    review_forms.dress_assignments(user, assignments, deliverable)  # declarations they may read
    outstanding = [a for a in assignments if a.round.state == RoundState.OPEN and a.is_outstanding]
    available = services.available_transitions(deliverable, user)
    decides = any(name in available for name in DECISIONS)
    transition_forms = []
    for name in available:
        if name == CANCEL or name in DECISIONS:
            continue  # cancel: its confirmation page; approve and return: the decision form
        if bound_transition is not None and bound_transition.name == name:
            transition_forms.append(bound_transition)
        else:
            transition_forms.append(TransitionForm(name=name))
    if bound_transition is not None and bound_transition not in transition_forms:
        # e.g. "submit for review" whose condition is not met: keep what was typed.
        transition_forms.append(bound_transition)
    decision_form = bound_decision
    if decision_form is None and decides:
        decision_form = DecisionForm(with_waiver=bool(outstanding))
    can = rules.DELIVERABLE.can(deliverable, user)
    for assignment in assignments:
        assignment.can = rules.ASSIGNMENT.can(assignment, user)
    rounds = _rounds(user, deliverable, sees_all=sees_all, assignments=assignments, reviews=reviews)
    open_row = next((row for row in rounds if row.round.state == RoundState.OPEN), None)
    waiting = (
        deliverable.state == DeliverableState.IN_REVIEW
        and Deliverable.objects.awaiting_decision().filter(pk=deliverable.pk).exists()
    )
    # The owner's next reminder, for those who see everything of the deliverable.
    next_reminders = (
        reminders.next_reminders_for(WorkflowDeadline.DELIVERABLE, [deliverable.pk])
        if sees_all
        else {}
    )
    context = {
        "deliverable": deliverable,
        "sees_all": sees_all,
        "versions": versions,
        "rounds": rounds,
        "history": history_rows(queries.visible_history(user, deliverable)),
        "transition_forms": transition_forms,
        "bound_transition": bound_transition or bound_decision,
        # The chief's one decision form, after the open round's reviews and their summary.
        "decision_form": decision_form,
        "decision_round": open_row if decision_form is not None else None,
        "recommendations": _recommendations(open_row) if decision_form is not None else [],
        # Beside them, the round's scores per criterion (`workflows/_score_summary.html`).
        "score_summary": _score_summary(open_row) if decision_form is not None else None,
        "waiting": waiting,
        "steps": (
            _steps(deliverable, versions, rounds[0] if rounds else None, waiting)
            if sees_all and deliverable.state != DeliverableState.CANCELLED
            else []
        ),
        "blocked": _blocked(deliverable, user, available, versions, can),
        # The state machine says whether cancelling is possible now (never once approved).
        "can_cancel": CANCEL in available,
        "can": can,
        # The reviewers' table has an action column for those who manage the deliverable.
        "manages_reviewers": rules.can_manage(deliverable, user),
        "upload_form": VersionUploadForm(max_mb=_max_upload_mb()) if can.upload_version else None,
        "due_form": (
            DueDateForm(initial={"due_date": deliverable.due_date}) if can.change_due_date else None
        ),
        "submitted": ReviewStatus.SUBMITTED,
        "has_deadline": deliverable.pk in next_reminders,
        "next_reminder": next_reminders.get(deliverable.pk),
        "viewer_zone": profile_for(user).time_zone,
        # What apps above workflows show here: the advisory request a plan of action
        # comes from, the knowledge value chain (see `workflows.panels`).
        **DELIVERABLE_PAGE.context(user, deliverable),
        **responses.deliverable_page_context(user, deliverable),
    }
    return render(request, "workflows/deliverable_detail.html", context, status=status)


def _done(deliverable: Deliverable, name: str) -> str:
    """What a transition did, in plain words, and what comes next."""
    title = deliverable.title
    owner = _name(deliverable.owner)
    messages_by_name = {
        "start_drafting": _("%(title)s is now being drafted. Next: upload a draft."),
        "submit_for_review": _("%(title)s is now in review. Next: choose reviewers."),
        "return_for_revision": _(
            "%(title)s was returned to %(owner)s for revision. They are told your reason."
        ),
        "approve": _("%(title)s is approved. Next: publish it."),
        "publish": _("%(title)s is published."),
        "cancel": _("%(title)s is cancelled."),
    }
    return messages_by_name[name] % {"title": title, "owner": owner}


@login_required
def deliverable_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = queries.get_deliverable_for_user(request.user, pk)
    return _render_deliverable(request, deliverable)


@login_required
@require_POST
def deliverable_transition(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = queries.get_deliverable_for_user(request.user, pk)
    back = reverse("workflows:deliverable", args=[pk])
    if request.POST.get("step") == DecisionForm.STEP:
        # The chief's decision: approve or return for revision, chosen in one form.
        decision = DecisionForm(request.POST, with_waiver=True)
        done = pages.submit(
            request,
            decision,
            lambda data: services.fire_transition(
                request.user,
                deliverable,
                data["transition"],
                comment=data["comment"],
                waiver_reason=data.get("waiver_reason", ""),
            ),
            success_url=back,
            message=lambda moved: _done(moved, decision.cleaned_data["transition"]),
        )
        if done is not None:
            return done
        deliverable = queries.get_deliverable_for_user(request.user, pk)
        return _render_deliverable(
            request, deliverable, bound_decision=decision, status=BAD_REQUEST
        )
    name = request.POST.get("transition", "")
    if name not in TRANSITION_LABELS:
        messages.error(request, _("Unknown action."))
        return redirect("workflows:deliverable", pk=pk)
    form = TransitionForm(request.POST, name=name, with_waiver=name == "approve")
    done = pages.submit(
        request,
        form,
        lambda data: services.fire_transition(
            request.user,
            deliverable,
            name,
            comment=data["comment"],
            waiver_reason=data.get("waiver_reason", ""),
        ),
        success_url=back,
        message=lambda moved: _done(moved, name),
    )
    if done is not None:
        return done
    # Re-read the deliverable: the page shows its current state next to the errors.
    deliverable = queries.get_deliverable_for_user(request.user, pk)
    return _render_deliverable(request, deliverable, bound_transition=form, status=BAD_REQUEST)


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page of the one destructive transition: the reason, then a
    warning button. Offered only while the state machine allows it (never once approved)."""
    deliverable = queries.get_deliverable_for_user(request.user, pk)
    back = reverse("workflows:deliverable", args=[pk])
    status = 200
    if request.method == "POST":
        form = TransitionForm(request.POST, name=CANCEL)
        done = pages.submit(
            request,
            form,
            lambda data: services.fire_transition(
                request.user, deliverable, CANCEL, comment=data["comment"]
            ),
            success_url=back,
            message=lambda moved: _done(moved, CANCEL),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        try:
            transitions.check(deliverable, CANCEL, request.user, rules.MACHINE)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, back)
        form = TransitionForm(name=CANCEL)
    return render(
        request,
        "workflows/deliverable_cancel.html",
        {"deliverable": deliverable, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_due_date(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = queries.get_deliverable_for_user(request.user, pk)
    rules.DELIVERABLE.change_due_date.require(deliverable, request.user)
    status = 200
    if request.method == "POST":
        form = DueDateForm(request.POST)
        done = pages.submit(
            request,
            form,
            lambda data: services.change_due_date(
                request.user, deliverable, data["due_date"], data["reason"]
            ),
            success_url=reverse("workflows:deliverable", args=[pk]),
            message=_("The due date was changed."),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = DueDateForm(initial={"due_date": deliverable.due_date})
    return render(
        request,
        "workflows/change_due_date.html",
        {"deliverable": deliverable, "form": form},
        status=status,
    )


# --- versions ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def version_upload(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = queries.get_deliverable_for_user(request.user, pk)
    rule = rules.DELIVERABLE.upload_version
    rule.require_person(deliverable, request.user)
    back = reverse("workflows:deliverable", args=[pk])
    status = 200
    if request.method == "POST":
        form = VersionUploadForm(request.POST, request.FILES, max_mb=_max_upload_mb())
        done = pages.submit(
            request,
            form,
            lambda data: services.upload_version(
                request.user, deliverable, data["file"], notes=data["notes"]
            ),
            success_url=back,
            message=lambda version: _uploaded(deliverable, version),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        try:
            rule.require(deliverable, request.user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, back)
        form = VersionUploadForm(max_mb=_max_upload_mb())
    return render(
        request,
        "workflows/version_upload.html",
        {"deliverable": deliverable, "form": form},
        status=status,
    )


def _uploaded(deliverable: Deliverable, version) -> str:
    if deliverable.state in (DeliverableState.DRAFTING, DeliverableState.REVISING):
        text = _("Version %(number)d of %(title)s is uploaded. Next: submit it for review.")
    elif deliverable.state == DeliverableState.PLANNED:
        text = _("Version %(number)d of %(title)s is uploaded. Next: start drafting.")
    else:
        text = _("Version %(number)d of %(title)s is uploaded.")
    return text % {"number": version.number, "title": deliverable.title}


@login_required
def version_download(request: HttpRequest, pk: int, number: int) -> FileResponse:
    """The draft, for those who may see it (404 otherwise); never served from MEDIA_URL."""
    return documents.serve(queries.get_version_for_user(request.user, pk, number))


# --- choosing reviewers ------------------------------------------------------------------


def _assigned(created: list[ReviewAssignment]) -> str:
    names = ", ".join(_name(assignment.reviewer) for assignment in created)
    return ngettext(
        "%(names)s is invited to review and told so.",
        "%(count)d reviewers are invited and told so: %(names)s.",
        len(created),
    ) % {"count": len(created), "names": names}


@login_required
@require_http_methods(["GET", "POST"])
def assign_reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = queries.get_deliverable_for_user(request.user, pk)
    back = reverse("workflows:deliverable", args=[pk])
    try:
        rules.DELIVERABLE.assign_reviewers.require(deliverable, request.user)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, back)
    today = timezone.localdate()
    chooser = ReviewerChooser.for_request(request.GET, deliverable, today=today)
    suggestions = chooser.suggestions
    status = 200
    if request.method == "POST":
        form = AssignReviewersForm(request.POST, deliverable=deliverable)
        done = pages.submit(
            request,
            form,
            lambda data: services.assign_reviewers(
                request.user, deliverable, list(data["reviewers"]), data["due_date"]
            ),
            success_url=back,
            message=_assigned,
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = AssignReviewersForm(
            initial={"due_date": chooser.due_date},
            deliverable=deliverable,
        )
    return render(
        request,
        "workflows/assign_reviewers.html",
        {
            "deliverable": deliverable,
            "form": form,
            "suggestions": suggestions,
            "chooser": chooser,
            "chosen": form.chosen_pks(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page (an optional reason, a warning button); POST: withdraw."""
    assignment = queries.get_assignment_for_user(request.user, pk)
    back = reverse("workflows:deliverable", args=[assignment.deliverable_id])
    if request.method == "GET":
        rule = rules.ASSIGNMENT.withdraw
        rule.require_person(assignment, request.user)
        try:
            rule.require(assignment, request.user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, back)
        return render(
            request,
            "workflows/assignment_withdraw.html",
            {
                "assignment": assignment,
                "deliverable": assignment.deliverable,
                "reviewer": _name(assignment.reviewer),
            },
        )
    try:
        services.withdraw_assignment(
            request.user, assignment, reason=request.POST.get("reason", "").strip()
        )
    except ServiceConflict as exc:
        return pages.conflict(request, exc, back)
    messages.success(
        request,
        _("The assignment of %(name)s was withdrawn.") % {"name": _name(assignment.reviewer)},
    )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_due_date(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a reviewer more (or less) time: the deliverable's owner or chief."""
    assignment = queries.get_assignment_for_user(request.user, pk)
    deliverable = assignment.deliverable
    rule = rules.ASSIGNMENT.change_due_date
    rule.require_person(assignment, request.user)
    back = reverse("workflows:deliverable", args=[deliverable.pk])
    status = 200
    if request.method == "POST":
        form = DueDateForm(request.POST)
        done = pages.submit(
            request,
            form,
            lambda data: services.change_assignment_due_date(
                request.user, assignment, data["due_date"], data["reason"]
            ),
            success_url=back,
            message=lambda result: (
                _("The review by %(name)s is now due %(due)s; they were told.")
                % {
                    "name": _name(assignment.reviewer),
                    "due": formats.date_format(form.cleaned_data["due_date"], "DATE_FORMAT"),
                }
            ),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        try:
            rule.require(assignment, request.user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, back)
        form = DueDateForm(initial={"due_date": assignment.due_date})
    return render(
        request,
        "workflows/assignment_due_date.html",
        {
            "assignment": assignment,
            "deliverable": deliverable,
            "reviewer": _name(assignment.reviewer),
            "form": form,
        },
        status=status,
    )


# --- the reviewer's side ---------------------------------------------------------------


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = queries.MyReviews(request.user, today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for assignment in page.object_list:
        assignment.can = rules.ASSIGNMENT.can(assignment, request.user)
    _with_next_reminders(request.user, page.object_list)
    return render(
        request,
        "workflows/my_reviews.html",
        {
            "assignments": page.object_list,
            "page": page,
            "access_states": ASSIGNMENT_ACCESS_STATES,
            "submitted": AssignmentState.SUBMITTED,
        },
    )


def _with_next_reminders(user, assignments: list[ReviewAssignment]) -> None:
    """Set `next_reminder` (and `reminder_zone`, the reviewer's time zone) on each
    outstanding assignment: the same three queries for a page of any length."""
    outstanding = [a.pk for a in assignments if a.state in ASSIGNMENT_OUTSTANDING_STATES]
    found = reminders.next_reminders_for(WorkflowDeadline.REVIEW, outstanding, user=user)
    for assignment in assignments:
        assignment.has_deadline = assignment.pk in found
        assignment.next_reminder = found.get(assignment.pk)
        if assignment.next_reminder is not None:
            assignment.reminder_zone = assignment.next_reminder.time_zone


def _own_assignment(user, pk) -> ReviewAssignment:
    """The reviewer's own assignment; anyone else gets 404."""
    assignment = queries.get_assignment_for_user(user, pk)
    if assignment.reviewer_id != user.pk:
        raise Http404("No such assignment.")
    return assignment


def _review_of(assignment: ReviewAssignment) -> Review | None:
    try:
        return assignment.review
    except Review.DoesNotExist:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def review_form(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request.user, pk)
    review = _review_of(assignment)
    editable = rules.REVIEW.write(assignment, request.user)
    status = 200
    criteria = review_forms.round_criteria(assignment.round_id)
    if request.method == "POST" and editable:
        form = ScoredReviewForm(request.POST, request.FILES, criteria=criteria)
        submit = request.POST.get("action") == ScoredReviewForm.SUBMIT
        done = pages.submit(
            request,
            form,
            lambda data: services.save_review(
                request.user,
                assignment,
                recommendation=data["recommendation"],
                comments=data["comments"],
                annotated_file=data["annotated_file"] or None,
                submit=submit,
                scores=form.scores(),
                comments_for_chief=data["comments_for_chief"],
            ),
            success_url=reverse("workflows:review", args=[pk]),
            message=_("Your review was submitted. Thank you.")
            if submit
            else _("Your draft was saved."),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    elif request.method == "POST":
        try:
            rules.REVIEW.write.require(assignment, request.user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, reverse("workflows:review", args=[pk]))
    else:
        form = ScoredReviewForm(
            initial={
                "recommendation": review.recommendation if review else "",
                "comments": review.comments if review else "",
                **review_forms.initial_of(review),
            },
            criteria=criteria,
        )
    if review is not None:
        review_forms.dress(request.user, [review])
    _with_next_reminders(request.user, [assignment])
    return render(
        request,
        "workflows/review_form.html",
        {
            "assignment": assignment,
            "review": review,
            "form": form if editable else None,
            "version": assignment.round.version,
            "has_access": assignment.state in ASSIGNMENT_ACCESS_STATES,
            "can": rules.ASSIGNMENT.can(assignment, request.user),
            "submitted": ReviewStatus.SUBMITTED,
            **responses.review_page_context(request.user, assignment),
            **REVIEW_PAGE.context(request.user, assignment),  # the discussion (see panels)
            "guidelines": review_forms.round_guidelines(assignment.round_id),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_decline(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = queries.get_assignment_for_user(request.user, pk)
    rule = rules.ASSIGNMENT.decline
    rule.require_person(assignment, request.user)
    back = reverse("workflows:my_reviews")
    status = 200
    if request.method == "POST":
        form = DeclineForm(request.POST)
        done = pages.submit(
            request,
            form,
            lambda data: services.decline_assignment(
                request.user,
                assignment,
                data["reason"],
                conflict_of_interest=data["conflict_of_interest"],
            ),
            success_url=back,
            message=_("You declined to review “%(title)s”.")
            % {"title": assignment.deliverable.title},
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        try:
            rule.require(assignment, request.user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, back)
        form = DeclineForm()
    return render(
        request,
        "workflows/assignment_decline.html",
        {"assignment": assignment, "form": form},
        status=status,
    )


@login_required
def annotated_download(request: HttpRequest, pk: int) -> FileResponse:
    """The annotated file of the review of assignment `pk`, for those who may see that
    review (blind between reviewers), else 404."""
    try:
        deliverable_id = (
            ReviewAssignment.objects.filter(pk=pk).values_list("deliverable_id", flat=True).get()
        )
    except (ReviewAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such review.") from None
    deliverable = queries.get_deliverable_for_user(request.user, deliverable_id)
    review = (
        queries.visible_reviews(request.user, deliverable)
        .select_related("assignment__deliverable", "assignment__round__version", "annotated_file")
        .filter(assignment_id=pk)
        .first()
    )
    if review is None or not hasattr(review, "annotated_file"):
        raise Http404("No such file.")
    return documents.serve(review.annotated_file)
