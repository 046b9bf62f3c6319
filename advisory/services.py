"""Operations on advisory requests: one function per operation.

Each locks what it changes, checks the actor may do it, fires the django-fsm
transition, saves, keeps the request's deadlines in step and notifies the people
concerned after commit. Pages, API, admin and tests all call these.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from advisory import deadlines, rules
from advisory.enums import DocumentKind, MilestoneState, RequestAction, RequestState
from advisory.models import (
    MACHINE,
    AdvisoryRequest,
    Comment,
    Milestone,
    RequestDocument,
    RequestHistory,
)
from advisory.notices import AdvisoryNotice
from cepa_collab import documents, transitions
from cepa_collab.enums import Role
from cepa_collab.models import Profile, roles_for
from cepa_collab.names import display_name
from cepa_collab.services import CALENDAR, bump_counter
from cepa_collab.validation import check_due_date
from cepa_collab.viewer import is_branch_member
from meetings import services as meetings
from meetings.enums import MeetingKind, ParticipantRole, Visibility
from meetings.models import Meeting
from notifications.services import N_, mark_read_for, notify
from workflows import services as workflow
from workflows.enums import DeliverableKind, DeliverableState, ProductKind
from workflows.models import Deliverable, Product

TITLE_MAX = Milestone._meta.get_field("title").max_length
LEAD_ROLES = {Role.INTER_REGIONAL_ADVISOR, Role.BRANCH_STAFF, Role.BRANCH_CHIEF}


def _lock(request: AdvisoryRequest | int) -> AdvisoryRequest:
    pk = request.pk if isinstance(request, AdvisoryRequest) else request
    # Only the request's row is locked: the lead is a nullable (outer) join, which
    # PostgreSQL refuses to lock.
    return (
        AdvisoryRequest.objects.select_for_update(of=("self",))
        .select_related("country", "branch", "lead")
        .get(pk=pk)
    )


def focal_points(country_id: int):
    """The active focal points of a Member State."""
    return get_user_model().objects.filter(
        is_active=True, groups__name=Role.FOCAL_POINT, profile__country_id=country_id
    )


def _link(request: AdvisoryRequest) -> str:
    return reverse("advisory:detail", args=[request.pk])


def _tell(people: Iterable, actor, subject: str, body: str, request: AdvisoryRequest, **params):
    # the country itself, not its name: each person reads it in their own language
    params = {"title": request.title, "country": request.country, **params}
    seen = set()
    for person in people:
        if person is None or person.pk == actor.pk or person.pk in seen:
            continue
        seen.add(person.pk)
        notify(
            person,
            AdvisoryNotice.ADVISORY,
            subject=subject,
            body=body,
            params=params,
            link=_link(request),
        )


def _history(request: AdvisoryRequest, actor, action: str, comment: str = "", **note):
    """One line of the request's history, written in the transaction of the change."""
    return RequestHistory.write(actor, action, comment, request=request, **note)


def _local(moment: datetime.datetime, zone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _name(user) -> str:
    return display_name(user) if user is not None else ""


def _check_lead(request: AdvisoryRequest, lead) -> None:
    if lead is None:
        raise ValidationError({"lead": _("Name the lead Inter-Regional Advisor.")})
    profile = Profile.objects.filter(user=lead).first()
    if (
        not lead.is_active
        or not (LEAD_ROLES & set(roles_for(lead)))
        or profile is None
        or profile.branch_id != request.branch_id
    ):
        raise ValidationError({"lead": _("The lead must be an advisor or staff of the branch.")})


# --- requests -----------------------------------------------------------------------------


@transaction.atomic
def register_request(actor, **fields) -> AdvisoryRequest:
    """Record a request received from a Member State."""
    request = AdvisoryRequest(created_by=actor, state=RequestState.RECEIVED, **fields)
    if request.branch_id is None:
        raise ValidationError({"branch": _("Choose the branch that handles the request.")})
    rules.REQUEST.register.require(request.branch_id, actor)
    errors = {}
    if request.received_on and request.received_on > timezone.localdate():
        errors["received_on"] = _("The request cannot be received in the future.")
    try:
        request.full_clean(exclude=["state", "lead", "mission"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    request.save()
    _history(request, actor, RequestAction.CREATED, to_state=request.state)
    return request


def available_transitions(request: AdvisoryRequest, user) -> list[str]:
    return transitions.available(request, user, MACHINE)


@transaction.atomic
def fire_transition(
    actor, request: AdvisoryRequest | int, name: str, *, comment: str = "", lead=None
) -> AdvisoryRequest:
    """Move a request along its state machine, or raise (ValidationError, PermissionDenied,
    ServiceConflict when the state changed first)."""
    transitions.check_name(name, MACHINE)
    locked = _lock(request)
    transitions.check(locked, name, actor, MACHINE)
    comment = comment.strip()
    transitions.check_comment(name, comment, MACHINE)
    if name == "decline":
        locked.decline_reason = comment
    if name == "accept":
        lead = lead or locked.lead
        _check_lead(locked, lead)
        locked.lead = lead
    from_state = transitions.fire(locked, name)
    locked.save(update_fields=["state", "state_changed_at", "decline_reason", "lead", "updated_at"])
    _history(
        locked,
        actor,
        RequestAction.TRANSITION,
        comment,
        from_state=from_state,
        to_state=locked.state,
    )
    if name == "accept":
        _history(
            locked,
            actor,
            RequestAction.TEAM,
            note=N_("Lead: %(lead)s."),
            params={"lead": _name(lead)},
        )
    deadlines.sync_request(locked.pk)
    mark_read_for(actor, _link(locked))
    _notify_transition(locked, actor, name)
    return locked


def _notify_transition(request: AdvisoryRequest, actor, name: str) -> None:
    team = [request.lead, *request.team.all()]
    if name == "accept":
        _tell(
            [*team, *focal_points(request.country_id)],
            actor,
            N_("Request accepted: %(country)s, %(title)s"),
            N_("The request “%(title)s” of %(country)s was accepted; %(lead)s leads it."),
            request,
            lead=_name(request.lead),
        )
    elif name == "decline":
        _tell(
            focal_points(request.country_id),
            actor,
            N_("Request declined: %(country)s, %(title)s"),
            N_("The request “%(title)s” was declined: %(reason)s"),
            request,
            reason=request.decline_reason,
        )
    elif name == "draft_plan":
        _tell(
            focal_points(request.country_id),
            actor,
            N_("Plan of action ready for your comments: %(title)s"),
            N_(
                "The draft plan of action for “%(title)s” is ready. Read it and comment on "
                "the request's page."
            ),
            request,
        )
    elif name in {"agree_plan", "close"}:
        _tell(
            team,
            actor,
            N_("%(country)s, %(title)s: %(state)s"),
            N_("The request “%(title)s” is now: %(state)s."),
            request,
            state=RequestState(request.state).label,
        )


@transaction.atomic
def set_team(actor, request: AdvisoryRequest | int, *, lead=None, members: Iterable = ()) -> None:
    locked = _lock(request)
    rules.REQUEST.choose_team.require(locked, actor)
    if lead is not None and lead.pk != locked.lead_id:
        rules.REQUEST.change_lead.require(locked, actor)
        _check_lead(locked, lead)
        locked.lead = lead
        locked.save(update_fields=["lead", "updated_at"])
    members = list(dict.fromkeys(members))
    for member in members:
        if not is_branch_member(member, locked.branch_id):
            raise ValidationError(
                {"team": _("%(name)s is not in the branch.") % {"name": _name(member)}}
            )
    locked.team.set(members)
    if locked.plan_review_id is not None and locked.lead is not None:
        # The plan's review follows the request's lead (reviews, reminders, due date).
        workflow.hand_over(locked.plan_review_id, locked.lead)
    _history(
        locked,
        actor,
        RequestAction.TEAM,
        note=N_("Lead: %(lead)s. Team: %(team)s."),
        params={
            "lead": _name(locked.lead) or "—",
            "team": ", ".join(_name(member) for member in members) or "—",
        },
    )
    deadlines.sync_request(locked.pk)


@transaction.atomic
def schedule_mission(
    actor,
    request: AdvisoryRequest | int,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    time_zone: str,
    location: str = "",
    title: str = "",
) -> Meeting:
    """Plan the assessment mission: a meeting (kind assessment mission) in the country, made
    by the meetings service with the lead and the team invited like any participants (each
    told, with the calendar file), so it shows in their calendars."""
    locked = _lock(request)
    rules.REQUEST.plan_mission.require(locked, actor)
    if start is not None and end is not None and end <= start:
        raise ValidationError({"end": _("The mission must end after it starts.")})
    people = [p for p in dict.fromkeys([locked.lead, *locked.team.all()]) if p is not None]
    # The lead manages the mission as the branch's staff do (the meetings service lets
    # only them schedule, and the lead is usually an Inter-Regional Advisor).
    meeting = meetings.save_meeting(
        actor,
        None,
        mission_lead=locked.lead,
        invitations=[
            meetings.Invitation(user=person, role=ParticipantRole.SECRETARIAT) for person in people
        ],
        kind=MeetingKind.ASSESSMENT_MISSION,
        title=title.strip() or _("Assessment mission: %(country)s") % {"country": locked.country},
        description=locked.title,
        branch=locked.branch,
        country=locked.country,
        start=start,
        end=end,
        time_zone=time_zone,
        location=location.strip(),
        visibility=Visibility.PARTICIPANTS,
    )
    locked.mission = meeting
    locked.save(update_fields=["mission", "updated_at"])
    _history(
        locked,
        actor,
        RequestAction.MISSION,
        note=N_("%(title)s, %(start)s – %(end)s (%(zone)s), %(place)s"),
        params={
            "title": meeting.title,
            "start": _local(meeting.start, meeting.time_zone),
            "end": _local(meeting.end, meeting.time_zone),
            "zone": meeting.time_zone,
            "place": meeting.location or locked.country.name,
        },
    )
    fire_transition(actor, locked, "plan_mission")
    _tell(
        focal_points(locked.country_id),
        actor,
        N_("Assessment mission scheduled: %(country)s, %(start)s"),
        N_("An assessment mission for “%(title)s” is planned from %(start)s in %(place)s."),
        locked,
        start=meeting.start,
        place=meeting.location or locked.country,
    )
    return meeting


# --- documents, milestones, comments ----------------------------------------------------


@transaction.atomic
def upload_document(
    actor, request: AdvisoryRequest | int, kind: str, upload: UploadedFile, notes: str = ""
) -> RequestDocument:
    locked = _lock(request)
    rules.REQUEST.upload_document.require_person(locked, actor)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose a mission report, an analysis or a plan.")})
    rules.REQUEST.upload_document.require(locked, actor)
    document = documents.store(
        RequestDocument, upload, uploaded_by=actor, request=locked, kind=kind, notes=notes.strip()
    )
    _history(
        locked,
        actor,
        RequestAction.DOCUMENT,
        note=N_("%(document)s, version %(number)d uploaded."),
        params={"document": kind, "number": document.number},
    )
    AdvisoryRequest.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return document


@transaction.atomic
def add_milestone(
    actor, request: AdvisoryRequest | int, *, title: str, due_date: datetime.date, lead=None
) -> Milestone:
    locked = _lock(request)
    rules.REQUEST.add_milestone.require(locked, actor)
    lead = lead or locked.lead or actor
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Name the milestone.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(limit)d characters.") % {"limit": TITLE_MAX}
    if due_date is None:
        errors["due_date"] = _("Give a due date.")
    else:
        try:
            check_due_date(due_date)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not is_branch_member(lead, locked.branch_id) and lead.pk != locked.lead_id:
        errors["lead"] = _("The milestone's lead must work in the branch.")
    if errors:
        raise ValidationError(errors)
    milestone = Milestone.objects.create(request=locked, title=title, due_date=due_date, lead=lead)
    _history(
        locked,
        actor,
        RequestAction.MILESTONE,
        note=N_("Milestone “%(title)s” added, due %(due)s, lead %(lead)s."),
        params={"title": title, "due": due_date.isoformat(), "lead": _name(lead)},
    )
    deadlines.sync_request(locked.pk)
    bump_counter(CALENDAR)
    return milestone


def _lock_milestone(milestone: Milestone | int) -> Milestone:
    pk = milestone.pk if isinstance(milestone, Milestone) else milestone
    return Milestone.objects.select_for_update(of=("self",)).select_related("request").get(pk=pk)


@transaction.atomic
def complete_milestone(actor, milestone: Milestone | int, *, cancelled: bool = False) -> Milestone:
    locked = _lock_milestone(milestone)
    rules.MILESTONE.complete.require(locked, actor)
    locked.state = MilestoneState.CANCELLED if cancelled else MilestoneState.DONE
    locked.done_at = timezone.now()
    locked.save(update_fields=["state", "done_at", "updated_at"])
    _history(
        locked.request,
        actor,
        RequestAction.MILESTONE,
        note=N_("Milestone “%(title)s” cancelled.")
        if cancelled
        else N_("Milestone “%(title)s” done."),
        params={"title": locked.title},
    )
    deadlines.sync_request(locked.request_id)
    bump_counter(CALENDAR)
    return locked


@transaction.atomic
def move_milestone(actor, milestone: Milestone | int, due_date: datetime.date) -> Milestone:
    locked = _lock_milestone(milestone)
    rules.MILESTONE.move.require(locked, actor)
    if due_date is None:
        raise ValidationError({"due_date": _("Give a due date.")})
    check_due_date(due_date)
    old_due = locked.due_date
    locked.due_date = due_date
    locked.save(update_fields=["due_date", "updated_at"])
    _history(
        locked.request,
        actor,
        RequestAction.MILESTONE,
        note=N_("Milestone “%(title)s” moved from %(old)s to %(new)s."),
        params={"title": locked.title, "old": old_due.isoformat(), "new": due_date.isoformat()},
    )
    deadlines.sync_request(locked.request_id)
    bump_counter(CALENDAR)
    return locked


@transaction.atomic
def add_comment(
    actor,
    request: AdvisoryRequest | int,
    text: str,
    *,
    internal: bool = True,
    document: RequestDocument | None = None,
) -> Comment:
    """A comment; the country's focal point comments (never internally) on the plan."""
    locked = _lock(request)
    rules.REQUEST.comment.require(locked, actor)
    if not rules.sees_internal(locked, actor):
        internal = False
    if document is not None and document.kind not in rules.commentable_kinds(locked, actor):
        raise PermissionDenied(rules.PLAN_ONLY)
    if document is not None and document.request_id != locked.pk:
        raise ValidationError({"document": _("That document belongs to another request.")})
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    comment = Comment.objects.create(
        request=locked, author=actor, text=text.strip(), internal=internal, document=document
    )
    mark_read_for(actor, _link(locked))
    if not internal and not rules.sees_internal(locked, actor):
        _tell(
            [locked.lead, *locked.team.all()],
            actor,
            N_("%(country)s commented on “%(title)s”"),
            N_("%(name)s wrote: %(text)s"),
            locked,
            name=display_name(actor),
            text=comment.text[:500],
        )
    return comment


# --- review of the plan of action -------------------------------------------------------

PLANS_PRODUCT_TITLE = "Plans of action"


def latest_plan(request: AdvisoryRequest) -> RequestDocument | None:
    return rules.latest_plan(request)


def _plans_product(request: AdvisoryRequest) -> Product:
    """The branch's product that holds the plans of action under review."""
    product, _created = Product.objects.get_or_create(
        branch_id=request.branch_id,
        kind=ProductKind.PLANS_OF_ACTION,
        title=PLANS_PRODUCT_TITLE,
        edition="",
        defaults={
            "description": "Plans of action of advisory requests, reviewed like deliverables."
        },
    )
    return product


@transaction.atomic
def send_plan_for_review(
    actor, request: AdvisoryRequest | int, *, due_date: datetime.date | None = None
) -> Deliverable:
    """Open a review round on the latest plan of action, like a deliverable's.

    The plan's review is a deliverable (kind plan of action, in the branch's "Plans of
    action" product) owned by the request's lead: the first time it is created with the
    plan as version 1; later, each new version of the plan is copied to it. Reviewers are
    then chosen, remind, review (blind between them) and the chief decides exactly as for
    any deliverable. `due_date` is when the reviewed plan should be final.
    """
    locked = _lock(request)
    rules.REQUEST.send_plan_for_review.require(locked, actor)
    plan = latest_plan(locked)
    check_due_date(due_date)

    if rules.starts_new_plan_review(locked):
        if due_date is None:
            raise ValidationError({"due_date": _("Say when the reviewed plan should be final.")})
        title = _("Plan of action: %(country)s, %(title)s") % {
            "country": locked.country.name,
            "title": locked.title,
        }
        deliverable = workflow.build_deliverable(
            product=_plans_product(locked),
            owner=locked.lead,
            title=title[: Deliverable._meta.get_field("title").max_length],
            kind=DeliverableKind.PLAN_OF_ACTION,
            due_date=due_date,
            description=locked.description,
        )
        locked.plan_review = deliverable
        locked.save(update_fields=["plan_review", "updated_at"])
    else:
        deliverable = locked.plan_review
        workflow.hand_over(deliverable, locked.lead)
        if due_date is not None and due_date != deliverable.due_date:
            workflow.change_due_date(
                actor, deliverable, due_date, _("The plan of action was sent to review again.")
            )

    with plan.file.open("rb") as handle:
        version = workflow.upload_version(
            actor,
            deliverable,
            File(handle, name=plan.original_name),
            notes=_("Plan of action, version %(number)d, of the advisory request.")
            % {"number": plan.number},
        )
    plan.review_version = version
    plan.save(update_fields=["review_version"])
    deliverable.refresh_from_db()
    if deliverable.state == DeliverableState.PLANNED:
        workflow.fire_transition(actor, deliverable, "start_drafting")
    deliverable = workflow.fire_transition(actor, deliverable, "submit_for_review")
    round_number = deliverable.rounds.order_by("-number").values_list("number", flat=True)[0]
    _history(
        locked,
        actor,
        RequestAction.PLAN_REVIEW,
        note=N_("Plan of action, version %(number)d, sent to review (round %(round)d)."),
        params={"number": plan.number, "round": round_number},
    )
    return deliverable
