"""The meetings part of the demo world: the e-Government Branch's calendar.

From the source document (the e-Government Branch's presentation to the 9th meeting
of CEPA): a CEPA session in New York with its special session where CEPA members meet
the three branches, an expert group meeting on e-government, the regional workshops of
the branch's capacity building (Africa, the Caribbean e-Government Strategy, Latin
America, the Arab States) and assessment missions led by the Inter-Regional Advisors
to countries that received technical cooperation (Oman, Belize, Colombia). Each is
held in its host city's real time zone; one is tentative and one is cancelled. The
participants are the demo people (CEPA members, the chief, staff, the IRAs, Oman's
focal point) and a few external people, with their replies; agenda items link the
demo deliverables of `demo.workflows` where they exist.

Everything goes through `meetings.services` with the demo people as actors, except
the agenda items, which have no service of their own yet. Dates are relative to the
day of the run, times are local to each meeting.

`seed_meetings()` is idempotent: a meeting is found by (branch, title); what exists is
left untouched (whatever the day), so a second run creates nothing and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cepa_collab.models import Branch, MemberState
from meetings import services
from meetings.enums import MeetingKind, MeetingStatus, ParticipantRole, Reply, Visibility
from meetings.models import AgendaItem, Meeting
from workflows.models import Deliverable

BRANCH = "e-govb"


@dataclass(frozen=True)
class MeetingSpec:
    title: str
    kind: MeetingKind
    organiser: str  # who schedules it: the chief or a staff member of the branch
    country: str  # ISO alpha-3 of the host country
    time_zone: str
    location: str
    in_days: int  # first day, from the day of the run
    starts: str  # local time on the first day
    days: int  # how many days it lasts
    ends: str  # local time on the last day
    # (username, role, reply)
    participants: tuple[tuple[str, ParticipantRole, Reply], ...]
    agenda: tuple[tuple[str, str], ...] = ()  # (title, title of a demo deliverable or "")
    externals: tuple[tuple[str, str, ParticipantRole], ...] = ()  # (name, e-mail, role)
    description: str = ""
    online_link: str = ""
    visibility: Visibility = Visibility.PUBLIC
    status: MeetingStatus = MeetingStatus.CONFIRMED
    cancel_reason: str = ""


def _members(*pairs: tuple[str, Reply]) -> tuple[tuple[str, ParticipantRole, Reply], ...]:
    return tuple((username, ParticipantRole.EXPERT, reply) for username, reply in pairs)


MEETINGS = [
    MeetingSpec(
        "Session of the Committee of Experts on Public Administration (CEPA)",
        MeetingKind.CEPA_SESSION,
        "chief",
        "USA",
        "America/New_York",
        "United Nations Headquarters, Conference Room 1, New York",
        45,
        "10:00",
        5,
        "18:00",
        (
            ("chief", ParticipantRole.SECRETARIAT, Reply.ACCEPTED),
            ("staff", ParticipantRole.SECRETARIAT, Reply.ACCEPTED),
            ("pacb_chief", ParticipantRole.SECRETARIAT, Reply.ACCEPTED),
            ("dmb_chief", ParticipantRole.SECRETARIAT, Reply.TENTATIVE),
            ("lars", ParticipantRole.CHAIR, Reply.ACCEPTED),
            *_members(
                ("amina", Reply.ACCEPTED),
                ("tesfaye", Reply.ACCEPTED),
                ("palesa", Reply.ACCEPTED),
                ("wanjiru", Reply.TENTATIVE),
                ("aissatou", Reply.ACCEPTED),
                ("chinedu", Reply.ACCEPTED),
                ("leila", Reply.INVITED),
                ("fatima", Reply.ACCEPTED),
                ("nasser", Reply.ACCEPTED),
                ("youssef", Reply.ACCEPTED),
                ("hyejin", Reply.ACCEPTED),
                ("weiling", Reply.ACCEPTED),
                ("arjun", Reply.DECLINED),
                ("kenji", Reply.ACCEPTED),
                ("olivia", Reply.TENTATIVE),
                ("camila", Reply.ACCEPTED),
                ("marisol", Reply.ACCEPTED),
                ("joao", Reply.INVITED),
                ("andre", Reply.ACCEPTED),
                ("claire", Reply.ACCEPTED),
                ("ana", Reply.ACCEPTED),
                ("pierre", Reply.ACCEPTED),
                ("katarzyna", Reply.ACCEPTED),
            ),
        ),
        (
            ("Opening of the session and adoption of the agenda", ""),
            (
                "Working Group II: e-/mobile government development "
                "(presentation by the Chief of the e-Government Branch)",
                "",
            ),
            (
                "Special session: CEPA members meet the three branches of DPADM "
                "(PACB, e-GovB, DMB) on future collaboration",
                "",
            ),
            (
                "UN E-Government Survey 2026: chapters for review by CEPA members",
                "Chapter 3: Online service delivery (website assessment)",
            ),
            (
                "Compendium of Innovative E-Government Practices: case studies",
                "Case studies from Africa",
            ),
        ),
        description=(
            "DPADM has allocated a special session in this meeting of CEPA for its members "
            "to meet with the three branches concerning possible future collaboration."
        ),
    ),
    MeetingSpec(
        "Expert group meeting on e-government: mobile government and citizen engagement",
        MeetingKind.EXPERT_GROUP,
        "staff",
        "KOR",
        "Asia/Seoul",
        "UN Project Office on Governance (UNPOG), Incheon",
        20,
        "09:00",
        2,
        "17:30",
        (
            ("staff", ParticipantRole.CHAIR, Reply.ACCEPTED),
            ("chief", ParticipantRole.EXPERT, Reply.ACCEPTED),
            ("staff3", ParticipantRole.SECRETARIAT, Reply.ACCEPTED),
            *_members(
                ("hyejin", Reply.ACCEPTED),
                ("weiling", Reply.ACCEPTED),
                ("kenji", Reply.DECLINED),
                ("arjun", Reply.TENTATIVE),
                ("olivia", Reply.INVITED),
                ("claire", Reply.ACCEPTED),
            ),
        ),
        (
            ("Latest trends in e/m-government from key practitioners", ""),
            ("Mobile government: the draft chapter", "Chapter 7: Mobile government (m-government)"),
            (
                "E-participation and citizen engagement: the draft chapter",
                "Chapter 6: E-participation and citizen engagement",
            ),
        ),
        externals=(("Ji-won Park", "jiwon.park@unpog.example.org", ParticipantRole.OBSERVER),),
        description=(
            "The branch uses expert group meetings to keep abreast of the latest trends and "
            "successful e-government activities from key practitioners and decision-makers."
        ),
        online_link="https://meet.cepa-collab.example.org/egm-mobile-government",
    ),
    MeetingSpec(
        "Regional workshop: e/m-government in Africa",
        MeetingKind.WORKSHOP,
        "staff2",
        "ETH",
        "Africa/Addis_Ababa",
        "UN Economic Commission for Africa, Conference Centre, Addis Ababa",
        -30,
        "09:00",
        3,
        "17:00",
        (
            ("ira3", ParticipantRole.CHAIR, Reply.ACCEPTED),
            ("staff2", ParticipantRole.SECRETARIAT, Reply.ACCEPTED),
            *_members(
                ("tesfaye", Reply.ACCEPTED),
                ("amina", Reply.ACCEPTED),
                ("wanjiru", Reply.ACCEPTED),
                ("chinedu", Reply.DECLINED),
                ("palesa", Reply.ACCEPTED),
                ("aissatou", Reply.ACCEPTED),
            ),
        ),
        (
            ("National ICT and e-government strategies: country presentations", ""),
            (
                "UN-emGKR Africa: policies, legal framework, institutional setting",
                "UN-emGKR Africa: policies, legal framework, institutional setting / CIO",
            ),
        ),
        externals=(
            ("Selamawit Girma", "selamawit.girma@mint.example.org", ParticipantRole.OBSERVER),
        ),
        description=(
            "Capacity building for Botswana, Burkina Faso, Central African Republic, Ethiopia, "
            "Gambia, Ghana, Kenya, Nigeria, Rwanda, Senegal, South Africa, Tunisia and Zambia."
        ),
    ),
    MeetingSpec(
        "Regional workshop: Caribbean e-Government Strategy",
        MeetingKind.WORKSHOP,
        "staff",
        "BRB",
        "America/Barbados",
        "Lloyd Erskine Sandiford Centre, Bridgetown",
        60,
        "09:00",
        2,
        "16:30",
        (
            ("ira", ParticipantRole.CHAIR, Reply.ACCEPTED),
            ("staff", ParticipantRole.SECRETARIAT, Reply.ACCEPTED),
            *_members(
                ("andre", Reply.ACCEPTED), ("camila", Reply.TENTATIVE), ("claire", Reply.INVITED)
            ),
        ),
        (
            ("Caribbean e-Government Strategy: progress by country", ""),
            (
                "UN-emGKR Americas: country pages",
                "UN-emGKR Americas: policies, legal framework, institutional setting / CIO",
            ),
        ),
        description=(
            "Antigua and Barbuda, Barbados, Dominica, Montserrat, St. Kitts and Nevis, "
            "St. Lucia, and St. Vincent and the Grenadines."
        ),
    ),
    MeetingSpec(
        "Regional workshop: e/m-government in Latin America and the Caribbean",
        MeetingKind.WORKSHOP,
        "staff",
        "MEX",
        "America/Mexico_City",
        "Mexico City (venue to be confirmed)",
        95,
        "09:30",
        2,
        "17:00",
        (
            ("ira", ParticipantRole.CHAIR, Reply.TENTATIVE),
            *_members(
                ("marisol", Reply.ACCEPTED), ("joao", Reply.INVITED), ("camila", Reply.INVITED)
            ),
        ),
        (("METER: measuring e-government readiness", "METER self-assessment guideline"),),
        description="Dates to be confirmed with the host Government.",
        status=MeetingStatus.TENTATIVE,
    ),
    MeetingSpec(
        "Regional workshop: e/m-government in the Arab States",
        MeetingKind.WORKSHOP,
        "staff3",
        "BHR",
        "Asia/Bahrain",
        "Manama",
        35,
        "09:00",
        2,
        "15:00",
        (
            ("ira2", ParticipantRole.CHAIR, Reply.ACCEPTED),
            ("staff3", ParticipantRole.SECRETARIAT, Reply.ACCEPTED),
            ("focal", ParticipantRole.OBSERVER, Reply.ACCEPTED),
            *_members(
                ("fatima", Reply.ACCEPTED),
                ("nasser", Reply.ACCEPTED),
                ("youssef", Reply.TENTATIVE),
                ("leila", Reply.INVITED),
            ),
        ),
        (
            (
                "Case studies from the Arab region for the Compendium",
                "Case studies from the Arab region",
            ),
            (
                "UN-emGKR Arab region: review of the country entries",
                "UN-emGKR Arab region: policies, legal framework, institutional setting / CIO",
            ),
        ),
        description=(
            "Bahrain, Egypt, Iraq, Jordan, Kuwait, Lebanon, Oman, Qatar, Saudi Arabia, Syria, "
            "the United Arab Emirates and Yemen."
        ),
    ),
    MeetingSpec(
        "Assessment mission to Oman: e-government programme",
        MeetingKind.ASSESSMENT_MISSION,
        "staff",
        "OMN",
        "Asia/Muscat",
        "Information Technology Authority, Muscat",
        10,
        "08:30",
        3,
        "14:00",
        (
            ("ira2", ParticipantRole.CHAIR, Reply.ACCEPTED),
            ("staff", ParticipantRole.SECRETARIAT, Reply.ACCEPTED),
            ("focal", ParticipantRole.OBSERVER, Reply.ACCEPTED),
        ),
        (
            ("Meetings with the Information Technology Authority", ""),
            ("Strengths and weaknesses of the e-government programme", ""),
            ("Plan of action, developed jointly", "METER self-assessment guideline"),
        ),
        externals=(
            ("Salim Al-Rawahi", "salim.alrawahi@ita.example.org", ParticipantRole.OBSERVER),
        ),
        description=(
            "The Inter-Regional Advisor identifies the strengths and weaknesses of the "
            "programme and the capacity building activities to meet its challenges."
        ),
        visibility=Visibility.PARTICIPANTS,
    ),
    MeetingSpec(
        "Assessment mission to Belize: national e-government strategy",
        MeetingKind.ASSESSMENT_MISSION,
        "staff",
        "BLZ",
        "America/Belize",
        "Belmopan",
        25,
        "09:00",
        4,
        "16:00",
        (
            ("ira", ParticipantRole.CHAIR, Reply.ACCEPTED),
            ("andre", ParticipantRole.EXPERT, Reply.ACCEPTED),
        ),
        (("Analysis and plan of action", ""),),
        visibility=Visibility.PARTICIPANTS,
    ),
    MeetingSpec(
        "Assessment mission to Colombia: online services",
        MeetingKind.ASSESSMENT_MISSION,
        "chief",
        "COL",
        "America/Bogota",
        "Bogotá",
        40,
        "09:00",
        3,
        "17:00",
        (
            ("ira", ParticipantRole.CHAIR, Reply.ACCEPTED),
            ("camila", ParticipantRole.EXPERT, Reply.TENTATIVE),
        ),
        visibility=Visibility.PARTICIPANTS,
        cancel_reason="Postponed at the Government's request; new dates to be agreed.",
    ),
]


@dataclass
class MeetingDemoResult:
    meetings_created: int = 0
    meetings_existing: int = 0
    participants_created: int = 0
    agenda_items_created: int = 0
    cancelled: int = 0

    def summary(self) -> str:
        return (
            f"{self.meetings_created} meetings ({self.cancelled} cancelled), "
            f"{self.participants_created} participants and {self.agenda_items_created} agenda "
            f"items created; {self.meetings_existing} meetings already there."
        )


def _at(day: datetime.date, clock: str, zone: str) -> datetime.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(zone))


class _Seeder:
    def __init__(self, today: datetime.date, result: MeetingDemoResult):
        users = get_user_model().objects.select_related("profile__branch")
        self.people = {user.username: user for user in users}
        self.branch = Branch.objects.get(code=BRANCH)
        self.countries = {state.iso3: state for state in MemberState.objects.all()}
        self.deliverables = dict(
            Deliverable.objects.filter(product__branch=self.branch).values_list("title", "pk")
        )
        self.today = today
        self.result = result

    def meeting(self, spec: MeetingSpec) -> None:
        if Meeting.objects.filter(branch=self.branch, title=spec.title).exists():
            self.result.meetings_existing += 1
            return
        actor = self.people[spec.organiser]
        first = self.today + datetime.timedelta(days=spec.in_days)
        meeting = services.create_meeting(
            actor,
            kind=spec.kind,
            title=spec.title,
            description=spec.description,
            branch=self.branch,
            country=self.countries[spec.country],
            start=_at(first, spec.starts, spec.time_zone),
            end=_at(first + datetime.timedelta(days=spec.days - 1), spec.ends, spec.time_zone),
            time_zone=spec.time_zone,
            location=spec.location,
            online_link=spec.online_link,
            visibility=spec.visibility,
            status=spec.status,
        )
        self.result.meetings_created += 1
        for username, role, reply in spec.participants:
            user = self.people.get(username)
            if user is None:
                continue
            services.add_participant(actor, meeting, user=user, role=role)
            self.result.participants_created += 1
            if reply != Reply.INVITED:
                services.set_reply(user, meeting, reply)
        for name, email, role in spec.externals:
            services.add_participant(actor, meeting, name=name, email=email, role=role)
            self.result.participants_created += 1
        for position, (title, deliverable_title) in enumerate(spec.agenda, start=1):
            AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                title=title,
                deliverable_id=self.deliverables.get(deliverable_title),
            )
            self.result.agenda_items_created += 1
        if spec.cancel_reason:
            services.cancel_meeting(actor, meeting, spec.cancel_reason)
            self.result.cancelled += 1


@transaction.atomic
def seed_meetings(today: datetime.date | None = None) -> MeetingDemoResult:
    """Create the demo meetings that do not exist yet; return the counts.

    Needs the demo people (`demo.core` creates them first); links the
    demo deliverables of `demo.workflows` when they exist."""
    result = MeetingDemoResult()
    seeder = _Seeder(today or timezone.localdate(), result)
    for spec in MEETINGS:
        seeder.meeting(spec)
    return result
