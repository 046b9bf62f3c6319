"""The technical cooperation part of the demo world: advisory requests and focal points.

From the source document (the e-Government Branch's presentation to the 9th meeting of
CEPA): the ten countries that received technical cooperation — Bahrain, Belize, Colombia,
Ethiopia, Ghana, Lesotho, Oman, Saudi Arabia, Singapore and Tunisia — each with an
advisory request in a different state, from just received to closed (Singapore's is
declined: the branch focuses on developing and least developed countries). The Inter-
Regional Advisors lead assessment missions held in each country's own time zone; analyses
and plans of action are uploaded (small generated PDF files), milestones are due (some
within days, one overdue, so the reminder sweep has work). Focal points of Ghana,
Ethiopia and Colombia join Oman's. Ghana's plan of action is sent to review by CEPA
members. Which deliverables draw on the requests' findings is said here (`informs`);
`demo.knowledge` makes those links.

Everything goes through the services of `advisory` and `workflows` with the demo people
as actors. The one shortcut: where `demo.meetings` already scheduled a request's
assessment mission (Oman, Belize), the request is pointed at that meeting before
"mission planned" is fired through the service, rather than scheduling a second one.
Dates are relative to the day of the run.

`seed_advisory()` is idempotent: people are found by username, requests by (country,
title); what exists is left untouched (whatever the day), so a second run creates nothing
and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from advisory import services as advisory
from advisory.enums import Channel, DocumentKind, RequestKind, RequestState
from advisory.models import AdvisoryRequest, Milestone, RequestHistory
from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState
from cepa_collab.services import create_person
from demo.core import DEMO_PASSWORD
from demo.workflows import ARAB_CASES, CHAPTER_2, CHAPTER_3, CHAPTER_5, demo_pdf
from meetings.enums import MeetingKind
from meetings.models import Meeting
from workflows import services as workflows

BRANCH = "e-govb"
CHIEF = "chief"


# --- people ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FocalPointSpec:
    username: str
    first_name: str
    last_name: str
    country: str
    time_zone: str
    title: str
    language: str = "en"


# Oman's focal point ("focal") is one of the core demo people; these join for three more.
FOCAL_POINTS = [
    FocalPointSpec(
        "focal_gha",
        "Kwame",
        "Asante",
        "GHA",
        "Africa/Accra",
        "Member State focal point, National Information Technology Agency of Ghana",
    ),
    FocalPointSpec(
        "focal_eth",
        "Hiwot",
        "Tadesse",
        "ETH",
        "Africa/Addis_Ababa",
        "Member State focal point, Ministry of Innovation and Technology of Ethiopia",
    ),
    FocalPointSpec(
        "focal_col",
        "Andrés",
        "Gómez",
        "COL",
        "America/Bogota",
        "Member State focal point, Ministry of ICT of Colombia",
    ),
]


# --- advisory requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class MissionSpec:
    title: str
    location: str
    time_zone: str
    in_days: int  # first day, from the day of the run (negative: in the past)
    days: int
    starts: str = "09:00"
    ends: str = "17:00"
    # demo.meetings already scheduled this mission (found by its title): reuse it.
    reuse: bool = False


@dataclass(frozen=True)
class PlanReviewSpec:
    """The plan of action sent to review by the lead once drafted, like a deliverable."""

    due_in_days: int  # when the reviewed plan should be final
    reviewers: tuple[str, ...]  # CEPA members, assigned by the lead
    reviews_due_in_days: int
    accepted_by: tuple[str, ...] = ()  # those who already accepted


@dataclass(frozen=True)
class RequestSpec:
    country: str
    title: str
    kind: RequestKind
    channel: Channel
    received_days_ago: int
    description: str
    state: RequestState
    lead: str | None = None
    team: tuple[str, ...] = ()
    mission: MissionSpec | None = None
    decline_reason: str = ""
    plan_versions: int = 1
    # (title, due in days (negative: past), done)
    milestones: tuple[tuple[str, int, bool], ...] = ()
    # (username, text, internal)
    comments: tuple[tuple[str, str, bool], ...] = ()
    # (deliverable title, note): deliverables that draw on the request's findings
    informs: tuple[tuple[str, str], ...] = ()
    close_comment: str = ""
    plan_review: PlanReviewSpec | None = None


# The path of a request, in order; a request is moved along it up to its state.
PATH = [
    RequestState.ACCEPTED,
    RequestState.MISSION_PLANNED,
    RequestState.MISSION_COMPLETED,
    RequestState.ANALYSIS,
    RequestState.PLAN_DRAFTED,
    RequestState.PLAN_AGREED,
    RequestState.FOLLOW_UP,
    RequestState.CLOSED,
]

REQUESTS = [
    RequestSpec(
        "LSO",
        "Capacity-building workshop on e-government for senior officials",
        RequestKind.WORKSHOP,
        Channel.EMAIL,
        6,
        "The Government asks for a national workshop on e-government strategy and e/m-"
        "government services for principal secretaries and district administrators.",
        RequestState.RECEIVED,
    ),
    RequestSpec(
        "SGP",
        "Advice on the governance of a whole-of-government data platform",
        RequestKind.POLICY_ADVICE,
        Channel.MISSION,
        75,
        "Peer advice on the governance of a shared data platform across ministries.",
        RequestState.DECLINED,
        decline_reason=(
            "Singapore leads the e-government rankings; the branch focuses its technical "
            "cooperation on developing and least developed countries. Its practices are "
            "invited for the Compendium instead."
        ),
    ),
    RequestSpec(
        "COL",
        "Assessment of the online services programme",
        RequestKind.ASSESSMENT,
        Channel.RESIDENT_COORDINATOR,
        50,
        "Assessment of the strengths and weaknesses of the programme of online procedures "
        "for citizens and businesses. The mission was postponed at the Government's request.",
        RequestState.ACCEPTED,
        lead="ira",
        team=("staff",),
        milestones=(("Agree new dates for the assessment mission with the Government", 3, False),),
    ),
    RequestSpec(
        "BLZ",
        "National e-government strategy",
        RequestKind.STRATEGY,
        Channel.LETTER,
        40,
        "Support in developing the national ICT and e-government strategy and its "
        "implementation plan.",
        RequestState.MISSION_PLANNED,
        lead="ira",
        team=("staff2",),
        mission=MissionSpec(
            "Assessment mission to Belize: national e-government strategy",
            "Belmopan",
            "America/Belize",
            25,
            4,
            reuse=True,
        ),
        milestones=(("Send the mission's programme to the Government", 2, False),),
    ),
    RequestSpec(
        "OMN",
        "Assessment of the e-government programme (e.oman)",
        RequestKind.ASSESSMENT,
        Channel.MISSION,
        30,
        "Identify the strengths and weaknesses of the e-government programme and the "
        "capacity building activities to meet its challenges, jointly with the Information "
        "Technology Authority.",
        RequestState.MISSION_PLANNED,
        lead="ira2",
        team=("staff",),
        mission=MissionSpec(
            "Assessment mission to Oman: e-government programme",
            "Information Technology Authority, Muscat",
            "Asia/Muscat",
            10,
            3,
            "08:30",
            "14:00",
            reuse=True,
        ),
        milestones=(
            (
                "Share the assessment questionnaire with the Information Technology Authority",
                5,
                False,
            ),
        ),
    ),
    RequestSpec(
        "TUN",
        "Assessment of the e-government programme",
        RequestKind.ASSESSMENT,
        Channel.LETTER,
        45,
        "Assessment of the e-government programme and of the online services for businesses.",
        RequestState.MISSION_COMPLETED,
        lead="ira3",
        team=("staff2",),
        mission=MissionSpec(
            "Assessment mission to Tunisia: e-government programme", "Tunis", "Africa/Tunis", -14, 3
        ),
        milestones=(("Mission report to the Government", 7, False),),
    ),
    RequestSpec(
        "SAU",
        "Assessment of the e-government programme (Yesser)",
        RequestKind.ASSESSMENT,
        Channel.MISSION,
        70,
        "Assessment of the national e-government programme and its shared services.",
        RequestState.ANALYSIS,
        lead="ira2",
        team=("staff",),
        mission=MissionSpec(
            "Assessment mission to Saudi Arabia: the Yesser programme",
            "Riyadh",
            "Asia/Riyadh",
            -45,
            4,
            "08:30",
            "15:00",
        ),
        milestones=(("Analysis of the programme's strengths and weaknesses", 10, False),),
        informs=((CHAPTER_2, "Governance of a national e-government programme."),),
    ),
    RequestSpec(
        "GHA",
        "National e-government strategy and implementation plan",
        RequestKind.STRATEGY,
        Channel.RESIDENT_COORDINATOR,
        110,
        "Support in developing the national e-government strategy, its policies and "
        "implementation plan.",
        RequestState.PLAN_DRAFTED,
        lead="ira3",
        team=("staff", "staff2"),
        mission=MissionSpec(
            "Assessment mission to Ghana: national e-government strategy",
            "Accra",
            "Africa/Accra",
            -80,
            5,
        ),
        plan_versions=2,
        milestones=(("Comments of the Government on the draft plan of action", 6, False),),
        comments=(
            ("ira3", "Budget figures to be checked with UNDP before the plan is agreed.", True),
            (
                "focal_gha",
                "The Ministry welcomes the draft plan. Could the training component start in "
                "the first quarter?",
                False,
            ),
        ),
        informs=((CHAPTER_5, "Capacity gaps found by the assessment mission."),),
        plan_review=PlanReviewSpec(
            due_in_days=21,
            reviewers=("wanjiru", "chinedu"),
            reviews_due_in_days=10,
            accepted_by=("wanjiru",),
        ),
    ),
    RequestSpec(
        "ETH",
        "Assessment of the e-government programme and e-services portal",
        RequestKind.ASSESSMENT,
        Channel.LETTER,
        240,
        "Assessment of the e-government programme, district connectivity and the national "
        "e-services portal; a plan of action developed jointly with the Government.",
        RequestState.FOLLOW_UP,
        lead="ira3",
        team=("staff2",),
        mission=MissionSpec(
            "Assessment mission to Ethiopia: e-government programme",
            "Addis Ababa",
            "Africa/Addis_Ababa",
            -200,
            5,
        ),
        milestones=(
            ("Validation workshop of the national e-government strategy", -60, True),
            ("Inception report of the national e-services portal", -4, False),
            ("Train 40 civil servants with METER", 2, False),
            ("Launch of the national e-services portal", 7, False),
            ("Progress report to DESA", 30, False),
        ),
        comments=(
            (
                "focal_eth",
                "The Ministry agrees with the plan; the portal's launch date is confirmed.",
                False,
            ),
        ),
        informs=((CHAPTER_2, "Findings on district connectivity and the e-services portal."),),
    ),
    RequestSpec(
        "BHR",
        "Assessment of the e-government programme",
        RequestKind.ASSESSMENT,
        Channel.MISSION,
        480,
        "Assessment of the e-government programme and of the national contact centre.",
        RequestState.CLOSED,
        lead="ira2",
        team=("staff",),
        mission=MissionSpec(
            "Assessment mission to Bahrain: e-government programme",
            "Manama",
            "Asia/Bahrain",
            -420,
            4,
            "08:00",
            "15:00",
        ),
        milestones=(
            ("National contact centre integrated with the eGovernment portal", -200, True),
            ("Final report to the Government", -60, True),
        ),
        informs=(
            (CHAPTER_3, "The national contact centre as a channel of integrated services."),
            (ARAB_CASES, "The mission's findings as a Compendium case."),
        ),
        close_comment="The plan of action was carried out; final report delivered.",
    ),
]


# --- the run -------------------------------------------------------------------------------------


@dataclass
class AdvisoryDemoResult:
    focal_points_created: int = 0
    requests_created: int = 0
    requests_existing: int = 0
    missions_scheduled: int = 0
    missions_linked: int = 0
    documents_uploaded: int = 0
    milestones_created: int = 0
    comments_created: int = 0
    plans_sent_to_review: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.requests_created} advisory requests ({self.missions_scheduled} missions "
            f"scheduled, {self.missions_linked} linked), {self.documents_uploaded} documents, "
            f"{self.milestones_created} milestones and {self.focal_points_created} focal points "
            f"created; {self.requests_existing} requests already there."
        )


def _at(day: datetime.date, clock: str, zone: str) -> datetime.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(zone))


def _pdf(name: str, title: str, subtitle: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        f"{slugify(name)[:80]}.pdf", demo_pdf(title, subtitle), content_type="application/pdf"
    )


class _Seeder:
    def __init__(self, today: datetime.date, result: AdvisoryDemoResult):
        self.today = today
        self.result = result
        self.branch = Branch.objects.get(code=BRANCH)
        self.countries = {state.iso3: state for state in MemberState.objects.all()}
        self.load_people()

    def load_people(self) -> None:
        users = get_user_model().objects.select_related("profile__branch", "profile__country")
        self.people = {user.username: user for user in users}

    def user(self, username: str):
        return self.people[username]

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    # --- people ---------------------------------------------------------------------------
    def focal_points(self, password_hash: str) -> None:
        for spec in FOCAL_POINTS:
            self.result.logins.append((spec.username, str(Role.FOCAL_POINT.label)))
            if spec.username in self.people:
                continue
            create_person(
                username=spec.username,
                email=f"{spec.username}@cepa-collab.example.org",
                first_name=spec.first_name,
                last_name=spec.last_name,
                password_hash=password_hash,
                roles=(Role.FOCAL_POINT,),
                country=self.countries[spec.country],
                time_zone=spec.time_zone,
                language=spec.language,
                title=spec.title,
            )
            self.result.focal_points_created += 1
        self.load_people()

    # --- requests -------------------------------------------------------------------------
    def request(self, spec: RequestSpec) -> None:
        country = self.countries[spec.country]
        if AdvisoryRequest.objects.filter(country=country, title=spec.title).exists():
            self.result.requests_existing += 1
            return
        request = advisory.register_request(
            self.user("staff"),
            country=country,
            branch=self.branch,
            kind=spec.kind,
            channel=spec.channel,
            received_on=self.day(-spec.received_days_ago),
            title=spec.title,
            description=spec.description,
        )
        self.result.requests_created += 1
        self._walk(request, spec)
        self._spread_history(request)

    def _spread_history(self, request) -> None:
        """The demo walks a request's whole story in a moment: spread its history lines
        evenly from the day it was received (09:00 UTC) to an hour ago, in their order."""
        entries = list(request.history.order_by("at", "pk"))
        start = datetime.datetime.combine(request.received_on, datetime.time(9), datetime.UTC)
        end = max(timezone.now() - datetime.timedelta(hours=1), start)
        step = (end - start) / max(len(entries) - 1, 1)
        for number, entry in enumerate(entries):
            entry.at = start + number * step
        RequestHistory.objects.bulk_update(entries, ["at"])

    def _walk(self, request, spec: RequestSpec) -> None:
        chief = self.user(CHIEF)
        if spec.state == RequestState.DECLINED:
            advisory.fire_transition(chief, request, "decline", comment=spec.decline_reason)
            return
        if spec.state == RequestState.RECEIVED:
            return
        target = PATH.index(spec.state)
        lead = self.user(spec.lead)
        for state in PATH[: target + 1]:
            if state == RequestState.CLOSED:
                self.milestones(request, spec, lead)
            getattr(self, f"_to_{state.value}")(request, spec, lead)
        if spec.state != RequestState.CLOSED:
            self.milestones(request, spec, lead)

    def _to_accepted(self, request, spec: RequestSpec, lead) -> None:
        chief = self.user(CHIEF)
        advisory.fire_transition(chief, request, "accept", lead=lead)
        if spec.team:
            advisory.set_team(chief, request, members=[self.user(name) for name in spec.team])

    def _to_mission_planned(self, request, spec: RequestSpec, lead) -> None:
        mission = spec.mission
        existing = (
            Meeting.objects.filter(
                branch=self.branch,
                title=mission.title,
                kind=MeetingKind.ASSESSMENT_MISSION,
                advisory_request__isnull=True,
            ).first()
            if mission.reuse
            else None
        )
        if existing is not None:
            # demo.meetings scheduled this mission already: point the request at it.
            AdvisoryRequest.objects.filter(pk=request.pk).update(mission=existing)
            advisory.fire_transition(lead, request, "plan_mission")
            self.result.missions_linked += 1
            return
        first = self.day(mission.in_days)
        last = first + datetime.timedelta(days=mission.days - 1)
        advisory.schedule_mission(
            lead,
            request,
            start=_at(first, mission.starts, mission.time_zone),
            end=_at(last, mission.ends, mission.time_zone),
            time_zone=mission.time_zone,
            location=mission.location,
            title=mission.title,
        )
        self.result.missions_scheduled += 1

    def _upload(self, request, lead, kind: DocumentKind, notes: str) -> None:
        label = DocumentKind(kind).label
        advisory.upload_document(
            lead,
            request,
            kind,
            _pdf(
                f"{request.country.iso3}-{kind}",
                f"{label}: {request.country.name}",
                request.title,
            ),
            notes=notes,
        )
        self.result.documents_uploaded += 1

    def _to_mission_completed(self, request, spec: RequestSpec, lead) -> None:
        advisory.fire_transition(lead, request, "complete_mission")
        self._upload(request, lead, DocumentKind.MISSION_REPORT, "Findings of the mission.")

    def _to_analysis(self, request, spec: RequestSpec, lead) -> None:
        advisory.fire_transition(lead, request, "start_analysis")
        self._upload(
            request, lead, DocumentKind.ANALYSIS, "Strengths and weaknesses of the programme."
        )

    def _to_plan_drafted(self, request, spec: RequestSpec, lead) -> None:
        for number in range(1, spec.plan_versions + 1):
            notes = (
                "Developed jointly with the Government."
                if number == 1
                else "Revised after the Government's first comments."
            )
            self._upload(request, lead, DocumentKind.PLAN_OF_ACTION, notes)
        advisory.fire_transition(lead, request, "draft_plan")
        plan = request.documents.filter(kind=DocumentKind.PLAN_OF_ACTION).order_by("-number")[0]
        for username, text, internal in spec.comments:
            author = self.user(username)
            advisory.add_comment(
                author, request, text, internal=internal, document=None if internal else plan
            )
            self.result.comments_created += 1
        if spec.plan_review is not None:
            self._send_plan_to_review(request, spec.plan_review, lead)

    def _send_plan_to_review(self, request, spec: PlanReviewSpec, lead) -> None:
        deliverable = advisory.send_plan_for_review(
            lead, request, due_date=self.day(spec.due_in_days)
        )
        assignments = workflows.assign_reviewers(
            lead,
            deliverable,
            [self.user(name) for name in spec.reviewers],
            self.day(spec.reviews_due_in_days),
        )
        for assignment in assignments:
            if assignment.reviewer.username in spec.accepted_by:
                workflows.accept_assignment(assignment.reviewer, assignment)
        self.result.plans_sent_to_review += 1

    def _to_plan_agreed(self, request, spec: RequestSpec, lead) -> None:
        advisory.fire_transition(lead, request, "agree_plan")

    def _to_follow_up(self, request, spec: RequestSpec, lead) -> None:
        advisory.fire_transition(lead, request, "start_follow_up")

    def _to_closed(self, request, spec: RequestSpec, lead) -> None:
        advisory.fire_transition(self.user(CHIEF), request, "close", comment=spec.close_comment)

    def milestones(self, request, spec: RequestSpec, lead) -> None:
        for title, due_in_days, done in spec.milestones:
            due = self.day(due_in_days)
            milestone = advisory.add_milestone(
                lead, request, title=title, due_date=max(due, self.today)
            )
            if due < self.today:
                # The services refuse a due date in the past; the demo back-dates on purpose
                # (the deadlines are rebuilt from their sources at the end of the seeding).
                Milestone.objects.filter(pk=milestone.pk).update(due_date=due)
            self.result.milestones_created += 1
            if done:
                advisory.complete_milestone(lead, milestone)


@transaction.atomic
def seed_advisory(
    today: datetime.date | None = None, *, password_hash: str | None = None
) -> AdvisoryDemoResult:
    """Create what is missing of the technical cooperation demo; return the counts.

    Needs the demo people (`demo.core`); reuses the assessment missions of `demo.meetings`
    where they exist."""
    result = AdvisoryDemoResult()
    seeder = _Seeder(today or timezone.localdate(), result)
    seeder.focal_points(password_hash or make_password(DEMO_PASSWORD))
    for spec in REQUESTS:
        seeder.request(spec)
    return result
