"""Shared fixtures of the cooperation tests (advisory requests, contributions, knowledge).

The people of the e-Government Branch around an advisory request (its chief, a staff member,
the lead Inter-Regional Advisor and a team member), the Member State focal points of Oman
and of Ghana, and `request_in`, which brings a new request to any state of its lifecycle
through the services, as the pages and the API would. The base cast (chief, staff,
cepa_member (GHA), other_branch_staff (pacb), focal_point (OMN), secretariat_admin) comes
from tests/conftest.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from advisory import services as advisory
from advisory.enums import DocumentKind, RequestKind, RequestState
from advisory.models import AdvisoryRequest
from cepa_collab.enums import Role
from tests.factories import branch, member_state, person

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

S = RequestState
# The way through the lifecycle to each state (declined branches off at the start).
PATH = [
    S.RECEIVED,
    S.ACCEPTED,
    S.MISSION_PLANNED,
    S.MISSION_COMPLETED,
    S.ANALYSIS,
    S.PLAN_DRAFTED,
    S.PLAN_AGREED,
    S.FOLLOW_UP,
    S.CLOSED,
]


def pdf(name: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def pdf_file() -> Callable[..., SimpleUploadedFile]:
    """A small valid PDF upload: `pdf_file("plan.pdf")`."""
    return pdf


@pytest.fixture
def ira(db):
    """The lead Inter-Regional Advisor of the e-Government Branch."""
    return person(
        Role.INTER_REGIONAL_ADVISOR,
        username="ira",
        branch_code="e-govb",
        first_name="Ines",
        last_name="Rahal",
    )


@pytest.fixture
def team_member(db):
    """Another advisor of the e-Government Branch, on the request's team."""
    return person(
        Role.INTER_REGIONAL_ADVISOR,
        username="teammate",
        branch_code="e-govb",
        first_name="Tomas",
        last_name="Mensah",
    )


@pytest.fixture
def other_focal_point(db):
    """The focal point of Ghana (the requests in these tests are mostly Oman's)."""
    return person(Role.FOCAL_POINT, username="focal_gha", country="GHA")


@pytest.fixture
def request_in(chief, staff, ira, team_member) -> Callable[..., AdvisoryRequest]:
    """`request_in(state, country="OMN", title=...)`: a new e-govb request brought to
    `state` through the services. From accepted on, `ira` leads it with `team_member` on
    the team; the mission report is uploaded once the mission is completed, the analysis
    and the plan of action during the analysis."""

    def make(
        state: str = S.RECEIVED,
        *,
        country: str = "OMN",
        title: str = "",
        kind: str = RequestKind.ASSESSMENT,
    ) -> AdvisoryRequest:
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
        if state == S.DECLINED:
            advisory.fire_transition(chief, request, "decline", comment="Outside our mandate.")
            return AdvisoryRequest.objects.get(pk=request.pk)
        for step in PATH[1 : PATH.index(state) + 1]:
            _advance(request, step, chief=chief, ira=ira, team_member=team_member)
        return AdvisoryRequest.objects.get(pk=request.pk)

    return make


def _advance(request: AdvisoryRequest, step: str, *, chief, ira, team_member) -> None:
    if step == S.ACCEPTED:
        advisory.fire_transition(chief, request, "accept", lead=ira)
        advisory.set_team(chief, request, members=[team_member])
    elif step == S.MISSION_PLANNED:
        start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=20)
        advisory.schedule_mission(
            ira,
            request,
            start=start,
            end=start + datetime.timedelta(days=3),
            time_zone="Asia/Muscat",
            location="Muscat",
        )
    elif step == S.MISSION_COMPLETED:
        advisory.fire_transition(ira, request, "complete_mission")
        advisory.upload_document(ira, request, DocumentKind.MISSION_REPORT, pdf("report.pdf"))
    elif step == S.ANALYSIS:
        advisory.fire_transition(ira, request, "start_analysis")
        advisory.upload_document(ira, request, DocumentKind.ANALYSIS, pdf("analysis.pdf"))
        advisory.upload_document(ira, request, DocumentKind.PLAN_OF_ACTION, pdf("plan.pdf"))
    elif step == S.PLAN_DRAFTED:
        advisory.fire_transition(ira, request, "draft_plan")
    elif step == S.PLAN_AGREED:
        advisory.fire_transition(ira, request, "agree_plan")
    elif step == S.FOLLOW_UP:
        advisory.fire_transition(ira, request, "start_follow_up")
    elif step == S.CLOSED:
        advisory.fire_transition(chief, request, "close")
