"""Pages of advisory requests (technical cooperation).

Thin on purpose: requests are loaded through `advisory.queries` (404 for what the person may
not see), operations go through `advisory.services`, and the services' errors are
translated: ValidationError → errors on the re-rendered bound form (status 400),
PermissionDenied → 403 (raised on), ServiceConflict → a message and a redirect.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from advisory import queries, rules, services
from advisory.enums import DocumentKind, MilestoneState
from advisory.forms import (
    CommentForm,
    DocumentUploadForm,
    MilestoneDueForm,
    MilestoneForm,
    MissionForm,
    PlanReviewForm,
    RequestFilterForm,
    RequestForm,
    TeamForm,
    TransitionForm,
    branch_people,
)
from advisory.models import (
    TRANSITION_LABELS,
    AdvisoryRequest,
    Milestone,
    RequestDocument,
)
from advisory.panels import REQUEST_PAGE
from cepa_collab import documents, pages, transitions, viewer
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.history import history_rows
from cepa_collab.models import Branch, MemberState
from cepa_collab.names import display_name
from cepa_collab.rulebook import Can
from cepa_collab.service_errors import add_service_errors
from cepa_collab.services import profile_for
from cepa_collab.spreadsheets import neutralise
from meetings.queries import visible_meetings

PAGE_SIZE = 50
BAD_REQUEST = 400


def _name(user) -> str:
    if user is None:
        return ""
    return display_name(user)


def _back(pk: int) -> str:
    return reverse("advisory:detail", args=[pk])


def _max_upload_mb() -> float:
    return documents.max_upload_bytes() / 1_000_000


def register_branches(user) -> QuerySet[Branch]:
    """The branches whose requests `user` may record (`rules.REQUEST.register`)."""
    if user.is_superuser:
        return Branch.objects.order_by("name")
    if may_register(user):
        return Branch.objects.filter(pk=viewer.user_branch_id(user))
    return Branch.objects.none()


def may_register(user) -> bool:
    """Whether `user` may record requests in some branch (no query beyond roles, profile):
    their own branch's, or any for a superuser."""
    return rules.REQUEST.register.permits(viewer.user_branch_id(user), user)


# --- the list and its export ---------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[RequestFilterForm, QuerySet[AdvisoryRequest]]:
    """The filter form and the filtered list: one code path for the page and the export."""
    visible = queries.visible_requests(request.user)
    form = RequestFilterForm(
        request.GET or None,
        countries=MemberState.objects.filter(pk__in=visible.values("country_id")).order_by("name"),
        branches=Branch.objects.filter(pk__in=visible.values("branch_id")).order_by("name"),
    )
    return form, queries.with_next_milestone(form.apply(visible))


def filters_active(form: Form) -> bool:
    """Whether the list is narrowed: some filter of the form was given a value."""
    return form.is_bound and any(form.data.get(name) for name in form.fields)


@login_required
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    form, rows = _filtered(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    active = filters_active(form)
    return render(
        request,
        "advisory/request_list.html",
        {
            "filter_form": form,
            "page": page,
            "export_query": query.urlencode(),
            "can_create": may_register(request.user),
            "filters_active": active,
            # Unfiltered, the count is the whole list's: no filters for a single row.
            "show_filters": active or page.paginator.count > 1,
        },
    )


def export_header() -> list[str]:
    return [
        _("Member State"),
        _("title"),
        _("kind of support"),
        _("state"),
        _("branch"),
        _("lead"),
        _("received on"),
        _("next milestone"),
        _("next milestone due"),
    ]


def export_rows(rows) -> list[list[object]]:
    for row in rows:
        cells = [
            str(row.country),
            row.title,
            row.get_kind_display(),
            row.get_state_display(),
            row.branch.code,
            _name(row.lead),
            row.received_on.isoformat(),
            row.next_milestone_title or "",
            row.next_milestone_due.isoformat() if row.next_milestone_due else "",
        ]
        yield [neutralise(cell) for cell in cells]


@login_required
@require_safe
def request_export(request: HttpRequest) -> HttpResponse:
    """Exactly the list's filtered requests the viewer may see, as CSV (formula-like cells
    neutralised)."""
    _form, rows = _filtered(request)
    filename = f"advisory-requests-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # a byte order mark, so spreadsheets read the file as UTF-8
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(export_header())
    writer.writerows(export_rows(rows.iterator(chunk_size=2000)))
    return response


# --- recording a request ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    rules.REQUEST.register.require_person(viewer.user_branch_id(request.user), request.user)
    branches = register_branches(request.user)
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, branches=branches)
        if form.is_valid():
            try:
                created = services.register_request(request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The request was recorded."))
                return redirect(_back(created.pk))
        status = BAD_REQUEST
    else:
        form = RequestForm(initial={"received_on": timezone.localdate()}, branches=branches)
    return render(request, "advisory/request_form.html", {"form": form}, status=status)


# --- the request page --------------------------------------------------------------------


@dataclass
class DocumentGroup:
    kind: str
    label: str
    versions: list[RequestDocument]


@dataclass
class MilestoneRow:
    milestone: Milestone
    can: Can
    due_form: MilestoneDueForm | None


def _plan_review_form(adv: AdvisoryRequest, data=None) -> PlanReviewForm:
    initial = {} if adv.plan_review is None else {"due_date": adv.plan_review.due_date}
    return PlanReviewForm(data, first=rules.starts_new_plan_review(adv), initial=initial)


def _document_groups(documents: list[RequestDocument], *, all_kinds: bool) -> list:
    groups = []
    for kind in DocumentKind:
        versions = [d for d in documents if d.kind == kind]
        if versions or all_kinds:
            groups.append(DocumentGroup(kind=kind.value, label=kind.label, versions=versions))
    return groups


def _render_detail(
    request: HttpRequest,
    adv: AdvisoryRequest,
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    internal = rules.sees_internal(adv, user)
    can = rules.REQUEST.can(adv, user)
    people = branch_people(adv.branch_id) if rules.can_work_on(adv, user) else None

    transition_forms = []
    confirmed_transitions = []
    bound_transition = bound.get("transition")
    for name in services.available_transitions(adv, user):
        if name in rules.CONFIRMED_TRANSITIONS:
            confirmed_transitions.append((name, TRANSITION_LABELS[name]))
        elif bound_transition is not None and bound_transition.name == name:
            transition_forms.append(bound_transition)
        else:
            transition_forms.append(TransitionForm(name=name, leads=people, lead=adv.lead))
    if bound_transition is not None and bound_transition not in transition_forms:
        transition_forms.append(bound_transition)

    documents = list(queries.visible_documents(user, adv))
    if internal:
        # The rules ask for the latest plan: it is among the documents listed.
        adv.known_latest_plan = max(
            (d for d in documents if d.kind == DocumentKind.PLAN_OF_ACTION),
            key=lambda d: d.number,
            default=None,
        )
    team = list(adv.team.order_by("last_name", "first_name", "username")) if internal else []
    mission = adv.mission
    milestone_rows = []
    for milestone in adv.milestones.select_related("lead").order_by("due_date", "pk"):
        milestone_can = rules.MILESTONE.can(milestone, user)
        milestone_rows.append(
            MilestoneRow(
                milestone=milestone,
                can=milestone_can,
                due_form=(
                    bound.get(f"due:{milestone.pk}")
                    or MilestoneDueForm(
                        milestone_id=milestone.pk, initial={"due_date": milestone.due_date}
                    )
                )
                if milestone_can.move
                else None,
            )
        )
    commentable_kinds = rules.commentable_kinds(adv, user)
    commentable = [d.pk for d in documents if d.kind in commentable_kinds]
    context = {
        "advisory_request": adv,
        "can": can,
        "internal": internal,
        "viewer_zone": profile_for(user).time_zone,
        "transition_forms": transition_forms,
        "confirmed_transitions": confirmed_transitions,
        "bound_transition": bound_transition,
        "team": team,
        "team_form": (
            bound.get("team")
            or TeamForm(
                initial={"lead": adv.lead_id, "members": [p.pk for p in team]},
                people=people,
                may_change_lead=rules.REQUEST.change_lead.permits(adv, user),
            )
        )
        if can.choose_team
        else None,
        "mission": mission,
        "mission_link": mission is not None
        and visible_meetings(user).filter(pk=mission.pk).exists(),
        "mission_form": (bound.get("mission") or MissionForm(initial={"time_zone": "UTC"}))
        if can.plan_mission
        else None,
        "document_groups": _document_groups(documents, all_kinds=internal),
        "upload_form": (bound.get("upload") or DocumentUploadForm(max_mb=_max_upload_mb()))
        if can.upload_document
        else None,
        "milestones": milestone_rows,
        "milestone_form": (bound.get("milestone") or MilestoneForm(people=people))
        if can.add_milestone
        else None,
        "comments": list(queries.visible_comments(user, adv)),
        "comment_form": (
            bound.get("comment")
            or CommentForm(
                documents=RequestDocument.objects.filter(pk__in=commentable),
                with_internal=internal,
            )
        )
        if can.comment
        else None,
        # What apps above advisory show here: the deliverables it informed.
        **REQUEST_PAGE.context(user, adv),
        "plan_review": queries.plan_review_of(adv) if internal else None,
        # The section shows once the plan can go to review, and stays once it went.
        "show_plan_review": internal
        and (adv.plan_review_id is not None or adv.state in rules.PLAN_REVIEW_STATES),
        "plan_review_form": (bound.get("plan_review") or _plan_review_form(adv))
        if can.send_plan_for_review
        else None,
        "history": history_rows(queries.visible_history(user, adv)) if internal else [],
        "errors": [form for key, form in bound.items() if key != "transition"],
    }
    return render(request, "advisory/request_detail.html", context, status=status)


@login_required
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adv = queries.get_request_for_user(request.user, pk)
    return _render_detail(request, adv)


def _rerender(request: HttpRequest, pk: int, key: str, form: Form) -> HttpResponse:
    # Re-read the request: the page shows its current state next to the errors.
    adv = queries.get_request_for_user(request.user, pk)
    return _render_detail(request, adv, bound={key: form}, status=BAD_REQUEST)


def _render_confirm(
    request: HttpRequest, adv: AdvisoryRequest, form: TransitionForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "advisory/request_confirm.html",
        {"advisory_request": adv, "form": form},
        status=status,
    )


@login_required
@require_safe
def request_confirm(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The page that asks to confirm a transition that ends the request (decline, close),
    with its reason or comment; its warning button fires it."""
    adv = queries.get_request_for_user(request.user, pk)
    if name not in rules.CONFIRMED_TRANSITIONS:
        raise Http404("No such action.")
    try:
        transitions.check(adv, name, request.user, rules.MACHINE)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, _back(pk))
    return _render_confirm(request, adv, TransitionForm(name=name))


@login_required
@require_POST
def request_transition(request: HttpRequest, pk: int) -> HttpResponse:
    adv = queries.get_request_for_user(request.user, pk)
    name = request.POST.get("transition", "")
    if name not in TRANSITION_LABELS:
        messages.error(request, _("Unknown action."))
        return redirect(_back(pk))
    confirming = name in rules.CONFIRMED_TRANSITIONS
    if confirming and not request.POST.get("confirmed"):
        # Not confirmed on its page: ask first, keeping what was typed.
        initial = {"transition": name, "comment": request.POST.get("comment", "")}
        return _render_confirm(request, adv, TransitionForm(name=name, initial=initial))
    form = TransitionForm(request.POST, name=name, leads=branch_people(adv.branch_id))
    done = pages.submit(
        request,
        form,
        lambda data: services.fire_transition(
            request.user, adv, name, comment=data["comment"], lead=data.get("lead")
        ),
        success_url=_back(pk),
        message=_("Done: %(action)s.") % {"action": TRANSITION_LABELS[name]},
    )
    if done is not None:
        return done
    if confirming:
        adv = queries.get_request_for_user(request.user, pk)
        return _render_confirm(request, adv, form, status=BAD_REQUEST)
    return _rerender(request, pk, "transition", form)


@login_required
@require_POST
def request_team(request: HttpRequest, pk: int) -> HttpResponse:
    adv = queries.get_request_for_user(request.user, pk)
    rules.REQUEST.choose_team.require_person(adv, request.user)
    form = TeamForm(
        request.POST,
        people=branch_people(adv.branch_id),
        may_change_lead=rules.REQUEST.change_lead.permits(adv, request.user),
    )
    done = pages.submit(
        request,
        form,
        lambda data: services.set_team(
            request.user, adv, lead=data.get("lead"), members=data["members"]
        ),
        success_url=_back(pk),
        message=_("The team was saved."),
    )
    if done is not None:
        return done
    return _rerender(request, pk, "team", form)


@login_required
@require_POST
def request_mission(request: HttpRequest, pk: int) -> HttpResponse:
    adv = queries.get_request_for_user(request.user, pk)
    rules.REQUEST.plan_mission.require_person(adv, request.user)
    form = MissionForm(request.POST)
    done = pages.submit(
        request,
        form,
        lambda data: services.schedule_mission(
            request.user,
            adv,
            start=data["start"],
            end=data["end"],
            time_zone=data["time_zone"],
            location=data["location"],
            title=data["title"],
        ),
        success_url=_back(pk),
        message=_("The assessment mission was scheduled."),
    )
    if done is not None:
        return done
    return _rerender(request, pk, "mission", form)


@login_required
@require_POST
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the plan of action to review (the lead or the chief), then choose its reviewers
    on the review's deliverable page."""
    adv = queries.get_request_for_user(request.user, pk)
    rules.REQUEST.send_plan_for_review.require_person(adv, request.user)
    form = _plan_review_form(adv, request.POST)
    if form.is_valid():
        try:
            deliverable = services.send_plan_for_review(
                request.user, adv, due_date=form.cleaned_data["due_date"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, _back(pk))
        else:
            messages.success(
                request,
                _(
                    "The plan of action is in review. Choose its reviewers here, with the "
                    "date their reviews are due."
                ),
            )
            return redirect("workflows:deliverable", pk=deliverable.pk)
    return _rerender(request, pk, "plan_review", form)


# --- documents -------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    adv = queries.get_request_for_user(request.user, pk)
    rules.REQUEST.upload_document.require_person(adv, request.user)
    form = DocumentUploadForm(request.POST, request.FILES, max_mb=_max_upload_mb())
    done = pages.submit(
        request,
        form,
        lambda data: services.upload_document(
            request.user, adv, data["kind"], data["file"], notes=data["notes"]
        ),
        success_url=_back(pk),
        message=lambda document: (
            _("%(document)s version %(number)d was uploaded.")
            % {"document": document.get_kind_display(), "number": document.number}
        ),
    )
    if done is not None:
        return done
    return _rerender(request, pk, "upload", form)


@login_required
@require_safe
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A document version, for those who may read it (404 otherwise); never served from
    MEDIA_URL."""
    adv = queries.get_request_for_user(request.user, pk)
    return documents.serve(queries.get_document_for_user(request.user, adv, document_pk))


# --- milestones --------------------------------------------------------------------------


def _milestone_of(adv: AdvisoryRequest, milestone_pk: int) -> Milestone:
    try:
        return adv.milestones.get(pk=milestone_pk)
    except Milestone.DoesNotExist:
        raise Http404("No such milestone.") from None


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    adv = queries.get_request_for_user(request.user, pk)
    rules.REQUEST.add_milestone.require_person(adv, request.user)
    form = MilestoneForm(request.POST, people=branch_people(adv.branch_id))
    done = pages.submit(
        request,
        form,
        lambda data: services.add_milestone(
            request.user, adv, title=data["title"], due_date=data["due_date"], lead=data["lead"]
        ),
        success_url=_back(pk),
        message=_("The milestone was added."),
    )
    if done is not None:
        return done
    return _rerender(request, pk, "milestone", form)


def _render_cancel(request: HttpRequest, adv: AdvisoryRequest, milestone: Milestone):
    return render(
        request,
        "advisory/milestone_cancel.html",
        {"advisory_request": adv, "milestone": milestone},
    )


@login_required
@require_safe
def milestone_cancel(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    """The page that asks to confirm cancelling a milestone; its warning button does it."""
    adv = queries.get_request_for_user(request.user, pk)
    milestone = _milestone_of(adv, milestone_pk)
    try:
        rules.MILESTONE.complete.require(milestone, request.user)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, _back(pk))
    return _render_cancel(request, adv, milestone)


@login_required
@require_POST
def milestone_complete(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    adv = queries.get_request_for_user(request.user, pk)
    milestone = _milestone_of(adv, milestone_pk)
    cancelled = request.POST.get("outcome") == MilestoneState.CANCELLED
    if cancelled and not request.POST.get("confirmed"):
        rules.MILESTONE.complete.require_person(milestone, request.user)
        return _render_cancel(request, adv, milestone)
    try:
        services.complete_milestone(request.user, milestone, cancelled=cancelled)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, _back(pk))
    messages.success(
        request,
        (_("“%(title)s” was cancelled.") if cancelled else _("“%(title)s” is done."))
        % {"title": milestone.title},
    )
    return redirect(_back(pk))


@login_required
@require_POST
def milestone_move(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    adv = queries.get_request_for_user(request.user, pk)
    milestone = _milestone_of(adv, milestone_pk)
    rules.MILESTONE.move.require_person(milestone, request.user)
    form = MilestoneDueForm(request.POST, milestone_id=milestone.pk)
    done = pages.submit(
        request,
        form,
        lambda data: services.move_milestone(request.user, milestone, data["due_date"]),
        success_url=_back(pk),
        message=_("The due date was changed."),
    )
    if done is not None:
        return done
    return _rerender(request, pk, f"due:{milestone.pk}", form)


# --- comments --------------------------------------------------------------------------


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    adv = queries.get_request_for_user(user, pk)
    rules.REQUEST.comment.require_person(adv, user)
    internal = rules.sees_internal(adv, user)
    commentable = queries.commentable_documents(user, adv)
    form = CommentForm(request.POST, documents=commentable, with_internal=internal)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_comment(
                user,
                adv,
                data["text"],
                internal=data.get("internal", False),
                document=data["document"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your comment was added."))
            return redirect(_back(pk) + "#comments-heading")
    return _rerender(request, pk, "comment", form)
