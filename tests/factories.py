"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import datetime

import factory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from advisory import services as advisory
from advisory.enums import DocumentKind, RequestKind, RequestState
from advisory.models import AdvisoryRequest
from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState, Profile
from cepa_collab.reference_data import load_reference_data
from cepa_collab.roles import sync_roles
from cepa_collab.services import set_roles

DEFAULT_PASSWORD = "correct horse battery staple"

# The one small valid PDF of the suite (content sniffing accepts it).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "document.pdf") -> SimpleUploadedFile:
    """A fresh upload of PDF_BYTES named `name` (the `pdf_file` fixture returns this)."""
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


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


def person(*roles: Role, branch_code: str | None = None, country: str | None = None, **kwargs):
    """A user with a profile and the given roles, e.g. `person(Role.CEPA_MEMBER)`."""
    profile_kwargs = {
        key: kwargs.pop(key) for key in ("time_zone", "language", "title") if key in kwargs
    }
    user = UserFactory(**kwargs)
    ProfileFactory(
        user=user,
        branch=branch(branch_code) if branch_code else None,
        country=member_state(country) if country else None,
        **profile_kwargs,
    )
    set_roles(user, roles)
    return user


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
    country: str = "OMN",
    title: str = "",
    kind: str = RequestKind.ASSESSMENT,
) -> AdvisoryRequest:
    """A new e-govb advisory request registered by `staff` and brought to `state` through
    the services, as the pages and the API would. From accepted on, `lead` leads it with
    `team_member` on the team; the mission report is uploaded once the mission is completed,
    the analysis and the plan of action during the analysis."""
    today = timezone.localdate()
    request = advisory.register_request(
        staff,
        country=member_state(country),
        branch=branch("e-govb"),
        kind=kind,
        channel="letter",
        received_on=today - datetime.timedelta(days=30),
        title=title or f"E-government assessment ({country})",
        description="Support for the national e-government programme.",
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
