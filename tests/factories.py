"""factory_boy factories shared by the whole suite: one per model of every app.

A factory makes its record the way the application does. Reference data (branches, regions,
Member States) is found by its natural key or created with codes no real record uses. A
record with an operation of its own is made by that operation's service, as the pages and
the API would make it, with its side effects (history, guardian permissions, deadlines,
notifications): `ProductFactory` calls `create_product`, `ReviewAssignmentFactory` calls
`assign_reviewers`, and so on. A record with a lifecycle takes a `state` and is walked there
through the services: `DeliverableFactory(state=DeliverableState.IN_REVIEW)` creates it,
starts drafting, uploads a version and submits it for review.

Each factory creates the people it needs (the branch chief is the branch's first chief, or a
new one); pass your own to control who acts. Records only an operation writes are not made
here: history lines (`DeliverableHistory`, `RequestHistory`, `ContributionHistory`: every service
writes them), reminders and digests (the sweeps claim them: call
`notifications.reminders.sweep_reminders` / `notifications.services.sweep_digests`), and the
heartbeat and counter rows.
"""

from __future__ import annotations

import datetime
import itertools
import string
from dataclasses import dataclass

import factory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from advisory import services as advisory
from advisory.enums import DocumentKind, MilestoneState, RequestKind, RequestState
from advisory.models import AdvisoryRequest, Comment, Milestone, RequestDocument
from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState, Profile, Region
from cepa_collab.reference_data import load_reference_data
from cepa_collab.roles import sync_roles
from cepa_collab.services import set_roles
from contributions import services as contributions
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from contributions.models import Attachment, Contribution
from knowledge import services as knowledge
from knowledge.models import KnowledgeLink
from meetings import services as meetings
from meetings.enums import MeetingKind, ParticipantRole, TokenKind, Visibility
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant
from notifications import services as notifications
from notifications.enums import Delivery, NotificationKind
from notifications.models import Deadline, Notification, NotificationPreference, ReminderPolicy
from tests.samples import minimal_pdf
from workflows import services as workflows
from workflows.deadlines import WorkflowDeadline
from workflows.enums import (
    AssignmentState,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
    RoundState,
)
from workflows.models import (
    AwayPeriod,
    Deliverable,
    Product,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewRound,
    Version,
)
from workflows.notices import WorkflowNotice

DEFAULT_PASSWORD = "correct horse battery staple"

# The one small valid PDF of the suite (content sniffing accepts it).
PDF_BYTES = minimal_pdf()


def pdf(name: str = "document.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    """A fresh upload of PDF_BYTES named `name` (the `pdf_file` fixture returns this)."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def ensure_reference_data() -> None:
    """Branches, regions, Member States and role groups, as the migrations load them (a
    transactional test's flush empties every table, these included)."""
    if not MemberState.objects.exists():
        load_reference_data(apps)
        sync_roles()


def branch(code: str = "e-govb") -> Branch:
    """One of the three branches the migration loads."""
    return Branch.objects.get(code=code)


def member_state(iso3: str = "GHA") -> MemberState:
    return MemberState.objects.get(iso3=iso3)


def _branch(value: Branch | str | None) -> Branch | None:
    return branch(value) if isinstance(value, str) else value


def _country(value: MemberState | str | None) -> MemberState | None:
    return member_state(value) if isinstance(value, str) else value


def _today() -> datetime.date:
    return timezone.localdate()


# --- reference data ----------------------------------------------------------------------------

# Codes ISO 3166 leaves to users (QM–QZ, XA–XZ): no real Member State has them.
_USER_ASSIGNED = itertools.cycle(
    [f"Q{letter}" for letter in string.ascii_uppercase[12:]]
    + [f"X{letter}" for letter in string.ascii_uppercase]
)


class RegionFactory(factory.django.DjangoModelFactory):
    """A region: `RegionFactory(code="arab")` is the one the migration loaded."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.LazyAttribute(lambda o: f"Region {o.code}")
    position = 9


class MemberStateFactory(factory.django.DjangoModelFactory):
    """A Member State: `MemberStateFactory(iso3="GHA")` is Ghana as loaded; a new one gets
    user-assigned ISO codes."""

    class Meta:
        model = MemberState
        django_get_or_create = ("iso3",)

    iso2 = factory.LazyFunction(lambda: next(_USER_ASSIGNED))
    iso3 = factory.LazyAttribute(lambda o: f"X{o.iso2}")
    name = factory.LazyAttribute(lambda o: f"Republic of {o.iso3}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="africa"))


class BranchFactory(factory.django.DjangoModelFactory):
    """A branch of the division: `BranchFactory(code="pacb")` is the one loaded."""

    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"branch-{n}")
    name = factory.LazyAttribute(lambda o: f"Branch {o.code}")


# --- people --------------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEFAULT_PASSWORD)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    time_zone = "UTC"
    language = "en"


class PersonFactory(UserFactory):
    """A user with a profile and roles:
    `PersonFactory(roles=[Role.BRANCH_STAFF], branch="e-govb")`,
    `PersonFactory(roles=[Role.FOCAL_POINT], country="OMN", time_zone="Asia/Muscat")`
    (a branch or Member State, or its code). The same username gives the same person."""

    roles: tuple[Role, ...] = ()
    branch = None
    country = None
    time_zone = "UTC"
    language = "en"
    title = ""

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        roles=(),
        branch=None,
        country=None,
        time_zone="UTC",
        language="en",
        title="",
        **fields,
    ):
        profile = {
            "branch": _branch(branch),
            "country": _country(country),
            "time_zone": time_zone,
            "language": language,
            "title": title,
        }
        user = model_class.objects.filter(username=fields["username"]).first()
        if user is not None:  # the same person again: their profile stays, roles are set
            ProfileFactory(user=user, **profile)
            set_roles(user, roles)
            return user
        # A new person, in the fewest queries (the suite makes thousands): the rows
        # `create_person` would leave, the role groups added as `set_roles` adds them.
        user = model_class.objects.create(**fields)
        Profile.objects.create(user=user, **profile)
        if roles:
            user.groups.add(*Group.objects.filter(name__in=[Role(role) for role in roles]))
        return user


def person(*roles: Role, branch_code: str | None = None, country: str | None = None, **kwargs):
    """A user with a profile and the given roles, e.g. `person(Role.CEPA_MEMBER)`."""
    return PersonFactory(roles=roles, branch=branch_code, country=country, **kwargs)


def branch_chief(of: Branch | str):
    """The chief of a branch: its first chief, or a new one."""
    of = _branch(of)
    chief = (
        get_user_model()
        .objects.filter(groups__name=Role.BRANCH_CHIEF, profile__branch=of)
        .order_by("pk")
        .first()
    )
    return chief or PersonFactory(roles=[Role.BRANCH_CHIEF], branch=of)


def _staff_of(of: Branch | str):
    return PersonFactory(roles=[Role.BRANCH_STAFF], branch=_branch(of))


def _advisor_of(of: Branch | str):
    return PersonFactory(roles=[Role.INTER_REGIONAL_ADVISOR], branch=_branch(of))


# --- workflows ---------------------------------------------------------------------------------


class ProductFactory(factory.django.DjangoModelFactory):
    """A product of a branch (e-govb unless given), created by `actor` (the branch chief)."""

    class Meta:
        model = Product

    actor = factory.LazyAttribute(lambda o: branch_chief(o.branch))
    branch = factory.LazyFunction(lambda: Branch.objects.get(code="e-govb"))
    kind = ProductKind.SURVEY
    title = factory.Sequence(lambda n: f"Product {n}")
    edition = "2026"
    lead = None

    @classmethod
    def _create(cls, model_class, *args, actor, **fields):
        return workflows.create_product(actor, **fields)


def deliverable_to(deliverable: Deliverable, state: str, *, chief=None) -> Deliverable:
    """Walk a planned deliverable to `state` through the services: its owner drafts, uploads
    a version and submits it; the branch chief (`chief`) returns, approves, publishes or
    cancels it."""
    S = DeliverableState
    if state == S.PLANNED:
        return deliverable
    owner = deliverable.owner
    chief = chief or branch_chief(deliverable.product.branch)
    if state == S.CANCELLED:
        workflows.fire_transition(chief, deliverable, "cancel", comment="No longer needed.")
        return Deliverable.objects.get(pk=deliverable.pk)
    workflows.fire_transition(owner, deliverable, "start_drafting")
    if state != S.DRAFTING:
        workflows.upload_version(owner, deliverable, pdf("draft-1.pdf"))
        workflows.fire_transition(owner, deliverable, "submit_for_review")
    if state == S.REVISING:
        workflows.fire_transition(chief, deliverable, "return_for_revision", comment="Revise.")
    if state in (S.APPROVED, S.PUBLISHED):
        workflows.fire_transition(chief, deliverable, "approve")
    if state == S.PUBLISHED:
        workflows.fire_transition(chief, deliverable, "publish")
    return Deliverable.objects.get(pk=deliverable.pk)


class DeliverableFactory(factory.django.DjangoModelFactory):
    """A deliverable of a new product, owned by new branch staff, brought to `state`."""

    class Meta:
        model = Deliverable

    product = factory.SubFactory(ProductFactory)
    owner = factory.LazyAttribute(lambda o: _staff_of(o.product.branch))
    title = factory.Sequence(lambda n: f"Chapter {n}")
    kind = DeliverableKind.CHAPTER
    due_date = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=90))
    state = DeliverableState.PLANNED

    @classmethod
    def _create(cls, model_class, *args, product, owner, state, **fields):
        deliverable = workflows.create_deliverable(owner, product=product, owner=owner, **fields)
        return deliverable_to(deliverable, state)


class VersionFactory(factory.django.DjangoModelFactory):
    """A version of a drafting deliverable, uploaded by its owner."""

    class Meta:
        model = Version

    deliverable = factory.SubFactory(DeliverableFactory, state=DeliverableState.DRAFTING)
    uploaded_by = factory.SelfAttribute("deliverable.owner")
    file = factory.LazyFunction(lambda: pdf("draft.pdf"))
    notes = ""

    @classmethod
    def _create(cls, model_class, *args, deliverable, uploaded_by, file, notes):
        return workflows.upload_version(uploaded_by, deliverable, file, notes=notes)


class ReviewRoundFactory(factory.django.DjangoModelFactory):
    """The open review round of a deliverable, opened by submitting it for review (a version
    is uploaded first if none awaits review)."""

    class Meta:
        model = ReviewRound

    deliverable = factory.SubFactory(DeliverableFactory, state=DeliverableState.DRAFTING)
    opened_by = factory.SelfAttribute("deliverable.owner")

    @classmethod
    def _create(cls, model_class, *args, deliverable, opened_by):
        if deliverable.state != DeliverableState.IN_REVIEW:
            if not deliverable.has_unreviewed_version():
                workflows.upload_version(opened_by, deliverable, pdf("draft.pdf"))
            workflows.fire_transition(opened_by, deliverable, "submit_for_review")
        return deliverable.rounds.get(state=RoundState.OPEN)


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """A CEPA member assigned (`assign_reviewers`: permissions, deadline, notice) to a
    deliverable in review, then brought to `state`: accepted, declined, submitted (with a
    submitted review) or withdrawn."""

    class Meta:
        model = ReviewAssignment

    deliverable = factory.SubFactory(DeliverableFactory, state=DeliverableState.IN_REVIEW)
    reviewer = factory.LazyFunction(lambda: PersonFactory(roles=[Role.CEPA_MEMBER], country="GHA"))
    assigned_by = factory.SelfAttribute("deliverable.owner")
    due_date = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=14))
    state = AssignmentState.INVITED

    @classmethod
    def _create(cls, model_class, *args, deliverable, reviewer, assigned_by, due_date, state):
        A = AssignmentState
        (assignment,) = workflows.assign_reviewers(assigned_by, deliverable, [reviewer], due_date)
        if state in (A.ACCEPTED, A.SUBMITTED):
            workflows.accept_assignment(reviewer, assignment)
        if state == A.SUBMITTED:
            workflows.save_review(
                reviewer,
                assignment,
                recommendation=Recommendation.READY,
                comments="Ready as it is.",
                submit=True,
            )
        elif state == A.DECLINED:
            workflows.decline_assignment(reviewer, assignment, "No time this month.")
        elif state == A.WITHDRAWN:
            workflows.withdraw_assignment(assigned_by, assignment, "Enough reviewers.")
        return ReviewAssignment.objects.get(pk=assignment.pk)


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review written by the assigned reviewer (`save_review`), a draft unless `submit`."""

    class Meta:
        model = Review

    assignment = factory.SubFactory(ReviewAssignmentFactory, state=AssignmentState.ACCEPTED)
    recommendation = Recommendation.MINOR_REVISION
    comments = "Clear; add the 2024 figures."
    annotated_file = None
    submit = False

    @classmethod
    def _create(cls, model_class, *args, assignment, **fields):
        return workflows.save_review(assignment.reviewer, assignment, **fields)


class ReviewerProfileFactory(factory.django.DjangoModelFactory):
    """A CEPA member's expertise and capacity as a reviewer."""

    class Meta:
        model = ReviewerProfile
        django_get_or_create = ("user",)
        skip_postgeneration_save = True

    user = factory.LazyFunction(lambda: PersonFactory(roles=[Role.CEPA_MEMBER], country="GHA"))
    themes = "e-government strategy, online services"
    max_assignments = 3

    @factory.post_generation
    def regions(self, create, codes, **kwargs):
        """`regions=["africa", "arab"]`"""
        if codes:
            self.regions.set(Region.objects.filter(code__in=codes))


class AwayPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwayPeriod

    reviewer = factory.LazyFunction(lambda: PersonFactory(roles=[Role.CEPA_MEMBER]))
    start = factory.LazyFunction(_today)
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(days=14))
    note = "Away"


# --- meetings --------------------------------------------------------------------------------


class MeetingFactory(factory.django.DjangoModelFactory):
    """A public workshop of a branch (e-govb unless given) in 20 days, scheduled by its staff."""

    class Meta:
        model = Meeting

    branch = factory.LazyFunction(lambda: Branch.objects.get(code="e-govb"))
    created_by = factory.LazyAttribute(lambda o: _staff_of(o.branch))
    kind = MeetingKind.WORKSHOP
    title = factory.Sequence(lambda n: f"Workshop {n}")
    country = None
    start = factory.LazyFunction(
        lambda: timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=20)
    )
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=8))
    time_zone = "UTC"
    visibility = Visibility.PUBLIC

    @classmethod
    def _create(cls, model_class, *args, created_by, **fields):
        return meetings.create_meeting(created_by, **fields)


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A person invited to a meeting by its organiser (`add_participant`: notice, .ics), who
    replies `reply` if given; `user=None, name=..., email=...` invites an outsider."""

    class Meta:
        model = Participant

    meeting = factory.SubFactory(MeetingFactory)
    invited_by = factory.SelfAttribute("meeting.created_by")
    user = factory.LazyFunction(lambda: PersonFactory(roles=[Role.CEPA_MEMBER]))
    name = ""
    email = ""
    role = ParticipantRole.EXPERT
    reply = None

    @classmethod
    def _create(cls, model_class, *args, meeting, invited_by, reply, **fields):
        participant = meetings.add_participant(invited_by, meeting, **fields)
        if reply is not None:
            meetings.set_reply(participant.user, meeting, reply)
        return Participant.objects.get(pk=participant.pk)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """An item at the end of a meeting's agenda (agenda items have no service of their own:
    the meeting's `set_agenda` rewrites the whole list), validated by the model."""

    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.LazyAttribute(lambda o: o.meeting.agenda.count() + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    deliverable = None

    @classmethod
    def _create(cls, model_class, *args, **fields):
        item = model_class(**fields)
        item.full_clean()
        item.save()
        return item


class CalendarTokenFactory(factory.django.DjangoModelFactory):
    """A calendar feed token (`reset_token`); the raw token is on `.raw`."""

    class Meta:
        model = CalendarToken

    user = factory.LazyFunction(lambda: PersonFactory(roles=[Role.CEPA_MEMBER]))
    kind = TokenKind.PERSONAL
    branch = None

    @classmethod
    def _create(cls, model_class, *args, user, kind, branch):
        raw = meetings.reset_token(user, kind, branch)
        token = CalendarToken.objects.get(token_hash=meetings.hash_token(raw))
        token.raw = raw
        return token


# --- advisory requests ---------------------------------------------------------------------

# The way of an advisory request through its lifecycle to each state (declined branches off
# at the start).
REQUEST_PATH = [
    RequestState.RECEIVED,
    RequestState.ACCEPTED,
    RequestState.MISSION_PLANNED,
    RequestState.MISSION_COMPLETED,
    RequestState.ANALYSIS,
    RequestState.PLAN_DRAFTED,
    RequestState.PLAN_AGREED,
    RequestState.FOLLOW_UP,
    RequestState.CLOSED,
]


def request_in_state(
    state: str = RequestState.RECEIVED,
    *,
    chief,
    staff,
    lead,
    team_member,
    country: MemberState | str = "OMN",
    title: str = "",
    kind: str = RequestKind.ASSESSMENT,
    branch_code: str = "e-govb",
    **fields,
) -> AdvisoryRequest:
    """A new advisory request registered by `staff` and brought to `state` through the
    services, as the pages and the API would. From accepted on, `lead` leads it with
    `team_member` on the team; the mission report is uploaded once the mission is completed,
    the analysis and the plan of action during the analysis."""
    country = _country(country)
    request = advisory.register_request(
        staff,
        country=country,
        branch=branch(branch_code),
        kind=kind,
        channel=fields.pop("channel", "letter"),
        received_on=fields.pop("received_on", _today() - datetime.timedelta(days=30)),
        title=title or f"E-government assessment ({country.iso3})",
        description=fields.pop("description", "Support for the national e-government programme."),
        **fields,
    )
    if state == RequestState.DECLINED:
        advisory.fire_transition(chief, request, "decline", comment="Outside our mandate.")
        return AdvisoryRequest.objects.get(pk=request.pk)
    for step in REQUEST_PATH[1 : REQUEST_PATH.index(state) + 1]:
        _advance(request, step, chief=chief, lead=lead, team_member=team_member)
    return AdvisoryRequest.objects.get(pk=request.pk)


def _advance(request: AdvisoryRequest, step: str, *, chief, lead, team_member) -> None:
    S = RequestState
    if step == S.ACCEPTED:
        advisory.fire_transition(chief, request, "accept", lead=lead)
        advisory.set_team(chief, request, members=[team_member])
    elif step == S.MISSION_PLANNED:
        start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=20)
        advisory.schedule_mission(
            lead,
            request,
            start=start,
            end=start + datetime.timedelta(days=3),
            time_zone="Asia/Muscat",
            location="Muscat",
        )
    elif step == S.MISSION_COMPLETED:
        advisory.fire_transition(lead, request, "complete_mission")
        advisory.upload_document(lead, request, DocumentKind.MISSION_REPORT, pdf("report.pdf"))
    elif step == S.ANALYSIS:
        advisory.fire_transition(lead, request, "start_analysis")
        advisory.upload_document(lead, request, DocumentKind.ANALYSIS, pdf("analysis.pdf"))
        advisory.upload_document(lead, request, DocumentKind.PLAN_OF_ACTION, pdf("plan.pdf"))
    elif step == S.PLAN_DRAFTED:
        advisory.fire_transition(lead, request, "draft_plan")
    elif step == S.PLAN_AGREED:
        advisory.fire_transition(lead, request, "agree_plan")
    elif step == S.FOLLOW_UP:
        advisory.fire_transition(lead, request, "start_follow_up")
    elif step == S.CLOSED:
        advisory.fire_transition(chief, request, "close")


class AdvisoryRequestFactory(factory.django.DjangoModelFactory):
    """A request of a Member State (Oman unless given) to a branch (e-govb), registered by
    its staff and brought to `state` (see `request_in_state`); the chief, the lead advisor
    and a team member are made when the state needs them."""

    class Meta:
        model = AdvisoryRequest

    country = "OMN"
    branch = "e-govb"
    kind = RequestKind.ASSESSMENT
    title = factory.Sequence(lambda n: f"E-government assessment {n}")
    created_by = factory.LazyAttribute(lambda o: _staff_of(o.branch))
    chief = None
    lead = None
    team_member = None
    state = RequestState.RECEIVED

    @classmethod
    def _create(
        cls, model_class, *args, branch, created_by, chief, lead, team_member, state, **fields
    ):
        code = _branch(branch).code
        if state != RequestState.RECEIVED:
            chief = chief or branch_chief(code)
        if state not in (RequestState.RECEIVED, RequestState.DECLINED):
            lead = lead or _advisor_of(code)
            team_member = team_member or _advisor_of(code)
        return request_in_state(
            state,
            chief=chief,
            staff=created_by,
            lead=lead,
            team_member=team_member,
            branch_code=code,
            **fields,
        )


class RequestDocumentFactory(factory.django.DjangoModelFactory):
    """A document of an accepted request, uploaded by its lead (numbered by kind)."""

    class Meta:
        model = RequestDocument

    request = factory.SubFactory(AdvisoryRequestFactory, state=RequestState.ACCEPTED)
    uploaded_by = factory.SelfAttribute("request.lead")
    kind = DocumentKind.ANALYSIS
    file = factory.LazyFunction(lambda: pdf("analysis.pdf"))
    notes = ""

    @classmethod
    def _create(cls, model_class, *args, request, uploaded_by, kind, file, notes):
        return advisory.upload_document(uploaded_by, request, kind, file, notes=notes)


class MilestoneFactory(factory.django.DjangoModelFactory):
    """A milestone of an accepted request, added by its lead (its deadline follows), then
    done or cancelled if `state` says so."""

    class Meta:
        model = Milestone

    request = factory.SubFactory(AdvisoryRequestFactory, state=RequestState.ACCEPTED)
    added_by = factory.SelfAttribute("request.lead")
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=30))
    lead = None
    state = MilestoneState.OPEN

    @classmethod
    def _create(cls, model_class, *args, request, added_by, state, **fields):
        milestone = advisory.add_milestone(added_by, request, **fields)
        if state != MilestoneState.OPEN:
            advisory.complete_milestone(
                added_by, milestone, cancelled=state == MilestoneState.CANCELLED
            )
        return Milestone.objects.get(pk=milestone.pk)


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on an accepted request by its lead (internal unless `internal=False`)."""

    class Meta:
        model = Comment

    request = factory.SubFactory(AdvisoryRequestFactory, state=RequestState.ACCEPTED)
    author = factory.SelfAttribute("request.lead")
    text = factory.Sequence(lambda n: f"Note {n}.")
    internal = True
    document = None

    @classmethod
    def _create(cls, model_class, *args, request, author, text, **fields):
        return advisory.add_comment(author, request, text, **fields)


# --- contributions -----------------------------------------------------------------------------


class ContributionFactory(factory.django.DjangoModelFactory):
    """A complete case study by a CEPA member of Ghana, proposed and brought to `state`
    through the services (`reviewer`, staff of its branch, reviews it). Traits:
    `repository_entry=True`, `written_input=True` (to a new product)."""

    class Meta:
        model = Contribution

    class Params:
        repository_entry = factory.Trait(
            kind=ContributionKind.REPOSITORY_ENTRY,
            summary="",
            innovation="",
            transferability="",
            category=RepositoryCategory.POLICY,
            year=2003,
            document_url="https://example.org/policy.pdf",
        )
        written_input = factory.Trait(
            kind=ContributionKind.WRITTEN_INPUT,
            country=None,
            innovation="",
            transferability="",
            product=factory.SubFactory(ProductFactory),
        )

    author = factory.LazyFunction(lambda: PersonFactory(roles=[Role.CEPA_MEMBER], country="GHA"))
    kind = ContributionKind.CASE_STUDY
    title = factory.Sequence(lambda n: f"Contribution {n}")
    country = factory.LazyFunction(lambda: member_state("GHA"))
    summary = "One identity card for every public service."
    innovation = "Issued at birth registration."
    transferability = "Needs only a civil register."
    category = ""
    year = None
    document_url = ""
    product = None
    reviewer = None
    state = ContributionState.DRAFT

    @classmethod
    def _create(cls, model_class, *args, author, kind, reviewer, state, **fields):
        S = ContributionState
        given = {name: value for name, value in fields.items() if value not in (None, "")}
        contribution = contributions.propose(author, kind=kind, **given)
        if state == S.DRAFT:
            return contribution
        if state == S.WITHDRAWN:
            contributions.fire_transition(author, contribution, "withdraw")
            return Contribution.objects.get(pk=contribution.pk)
        reviewer = reviewer or _staff_of(contribution.branch)
        contributions.fire_transition(author, contribution, "submit")
        if state != S.SUBMITTED:
            contributions.fire_transition(reviewer, contribution, "start_review")
        if state == S.ACCEPTED:
            contributions.fire_transition(reviewer, contribution, "accept", comment="Good.")
        elif state == S.RETURNED:
            contributions.fire_transition(
                reviewer, contribution, "return_for_revision", comment="Add figures."
            )
        return Contribution.objects.get(pk=contribution.pk)


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A file attached by its author to a draft contribution."""

    class Meta:
        model = Attachment

    contribution = factory.SubFactory(ContributionFactory)
    file = factory.LazyFunction(lambda: pdf("case.pdf"))

    @classmethod
    def _create(cls, model_class, *args, contribution, file):
        return contributions.attach(contribution.author, contribution, file)


# --- knowledge -----------------------------------------------------------------------------


class KnowledgeLinkFactory(factory.django.DjangoModelFactory):
    """A deliverable drawing on an advisory request (or, with `contribution=`, on an accepted
    contribution), linked by its owner."""

    class Meta:
        model = KnowledgeLink

    deliverable = factory.SubFactory(DeliverableFactory)
    contribution = None
    request = factory.Maybe(
        "contribution",
        yes_declaration=None,
        no_declaration=factory.SubFactory(AdvisoryRequestFactory),
    )
    note = ""
    created_by = factory.SelfAttribute("deliverable.owner")

    @classmethod
    def _create(cls, model_class, *args, deliverable, contribution, request, note, created_by):
        if contribution is not None:
            return knowledge.link_contribution(created_by, deliverable, contribution, note)
        return knowledge.link_request(created_by, deliverable, request, note)


# --- notifications -------------------------------------------------------------------------


class DeadlineFactory(factory.django.DjangoModelFactory):
    """The deadline of a deliverable, its owner's, as the deadlines registry keeps it (a
    deadline is never written by hand: it follows its record)."""

    class Meta:
        model = Deadline

    deliverable = factory.SubFactory(DeliverableFactory)

    @classmethod
    def _create(cls, model_class, *args, deliverable):
        return Deadline.objects.get(
            kind=WorkflowDeadline.DELIVERABLE, object_id=deliverable.pk, user=deliverable.owner
        )


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification told to a person (`notify`: their language, their preference decides
    whether it is mailed), read if `read`."""

    class Meta:
        model = Notification

    user = factory.LazyFunction(lambda: PersonFactory(roles=[Role.CEPA_MEMBER]))
    kind = WorkflowNotice.DECISION
    subject = factory.Sequence(lambda n: f"Decision {n}")
    body = ""
    link = ""
    read = False

    @classmethod
    def _create(cls, model_class, *args, user, kind, read, **fields):
        notification = notifications.notify(user, kind, **fields)
        if notification is None:
            raise ValueError(f"{user} is not told anything now (muted, or inactive).")
        if read:
            notifications.mark_read(user, [notification.pk])
        return Notification.objects.get(pk=notification.pk)


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    """How a person wants one kind of notification delivered (`set_preferences`)."""

    class Meta:
        model = NotificationPreference

    user = factory.LazyFunction(lambda: PersonFactory(roles=[Role.CEPA_MEMBER]))
    kind = NotificationKind.REMINDER
    delivery = Delivery.DIGEST

    @classmethod
    def _create(cls, model_class, *args, user, kind, delivery):
        notifications.set_preferences(user, {kind: delivery})
        return NotificationPreference.objects.get(user=user, kind=kind)


class ReminderPolicyFactory(factory.django.DjangoModelFactory):
    """The reminder policy of a kind of deadline (one per kind), validated by the model."""

    class Meta:
        model = ReminderPolicy
        django_get_or_create = ("kind",)

    kind = WorkflowDeadline.DELIVERABLE
    days_before = "7,2,0"

    @classmethod
    def _create(cls, model_class, *args, **fields):
        ReminderPolicy(**fields).full_clean(validate_unique=False)
        return super()._create(model_class, *args, **fields)


# --- the fixed cast ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """The fixed cast of the permission tests (STYLE.md) around `deliverable`, a chapter of
    the e-Government Branch in review: its owner (branch staff), the branch chief, staff of
    another branch, the CEPA member assigned to review it and one who is not, the focal point
    of a country (Ghana; the advisory requests of the tests are mostly Oman's), anonymous;
    and the secretariat admin, who sees every branch."""

    owner: object
    chief: object
    other_branch_staff: object
    assigned_reviewer: object
    unassigned_reviewer: object
    focal_point_elsewhere: object
    anonymous: AnonymousUser
    secretariat_admin: object
    deliverable: Deliverable

    PEOPLE = (
        "owner",
        "chief",
        "other_branch_staff",
        "assigned_reviewer",
        "unassigned_reviewer",
        "focal_point_elsewhere",
        "anonymous",
        "secretariat_admin",
    )

    def __getitem__(self, who: str):
        """`cast[who]` for tests parametrized by the name of a member of the cast."""
        if who not in self.PEOPLE:
            raise KeyError(who)
        return getattr(self, who)


def make_cast(
    *, chief, other_branch_staff, assigned_reviewer, focal_point_elsewhere, secretariat_admin
) -> Cast:
    """The cast, with its deliverable made through the services (`owner` and
    `unassigned_reviewer` are new people)."""
    owner = PersonFactory(username="owner", roles=[Role.BRANCH_STAFF], branch="e-govb")
    product = ProductFactory(
        actor=chief, branch=branch("e-govb"), title="UN E-Government Survey", lead=chief
    )
    deliverable = DeliverableFactory(
        product=product, owner=owner, title="Chapter 2", state=DeliverableState.IN_REVIEW
    )
    ReviewAssignmentFactory(deliverable=deliverable, reviewer=assigned_reviewer)
    return Cast(
        owner=owner,
        chief=chief,
        other_branch_staff=other_branch_staff,
        assigned_reviewer=assigned_reviewer,
        unassigned_reviewer=PersonFactory(username="lars", roles=[Role.CEPA_MEMBER], country="SWE"),
        focal_point_elsewhere=focal_point_elsewhere,
        anonymous=AnonymousUser(),
        secretariat_admin=secretariat_admin,
        deliverable=Deliverable.objects.get(pk=deliverable.pk),
    )
