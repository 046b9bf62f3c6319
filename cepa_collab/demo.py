"""The demo world of the source document: DPADM's branches and people, and the 24 CEPA members.

`seed_demo()` is idempotent: people who already exist are left as they are, so a
second run changes nothing. Later issues extend it with their records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState
from cepa_collab.services import create_person
from notifications.services import muted

if TYPE_CHECKING:
    from knowledge.demo import KnowledgeDemoResult
    from meetings.demo import MeetingDemoResult
    from notifications.demo import NotificationDemoResult
    from workflows.demo import WorkflowDemoResult

DEMO_PASSWORD = "cepa-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]
    branch: str | None = None
    country: str | None = None
    time_zone: str = "America/New_York"
    language: str = "en"
    title: str = ""
    is_staff: bool = False


DIVISION = [
    DemoPerson(
        "chief",
        "Vincenzo",
        "Aquaro",
        (Role.BRANCH_CHIEF,),
        "e-govb",
        title="Chief of the e-Government Branch",
    ),
    DemoPerson(
        "staff",
        "Elena",
        "Marchetti",
        (Role.BRANCH_STAFF,),
        "e-govb",
        title="Programme Officer, UN E-Government Survey",
    ),
    DemoPerson(
        "staff2",
        "Daniel",
        "Okafor",
        (Role.BRANCH_STAFF,),
        "e-govb",
        title="Knowledge Management Officer, UN-emGKR",
    ),
    DemoPerson(
        "staff3",
        "Mei",
        "Chen",
        (Role.BRANCH_STAFF,),
        "e-govb",
        title="Programme Officer, Compendium of Innovative E-Government Practices",
    ),
    DemoPerson(
        "pacb_chief",
        "Adriana",
        "Alberti",
        (Role.BRANCH_CHIEF,),
        "pacb",
        title="Chief of the Public Administration Capacity Branch",
    ),
    DemoPerson(
        "dmb_chief",
        "John-Mary",
        "Kauzya",
        (Role.BRANCH_CHIEF,),
        "dmb",
        title="Chief of the Development Management Branch",
    ),
    DemoPerson(
        "ira",
        "Richard",
        "Kerby",
        (Role.INTER_REGIONAL_ADVISOR,),
        "e-govb",
        title="Inter-Regional Advisor",
    ),
    DemoPerson(
        "ira2",
        "Salma",
        "Haddad",
        (Role.INTER_REGIONAL_ADVISOR,),
        "e-govb",
        country="JOR",
        time_zone="Asia/Amman",
        title="Inter-Regional Advisor",
    ),
    DemoPerson(
        "ira3",
        "Jean-Pierre",
        "Diallo",
        (Role.INTER_REGIONAL_ADVISOR,),
        "e-govb",
        country="SEN",
        time_zone="Africa/Dakar",
        language="fr",
        title="Inter-Regional Advisor",
    ),
    DemoPerson(
        "admin",
        "Sofia",
        "Lindqvist",
        (Role.SECRETARIAT_ADMIN,),
        None,
        title="CEPA Secretariat",
        is_staff=True,
    ),
    DemoPerson(
        "focal",
        "Khalid",
        "Al-Harthy",
        (Role.FOCAL_POINT,),
        None,
        country="OMN",
        time_zone="Asia/Muscat",
        title="Member State focal point, Information Technology Authority of Oman",
    ),
]

# The 24 members of CEPA: external experts spread over the five regions and their time zones.
CEPA_MEMBERS = [
    ("amina", "Amina", "Mensah", "GHA", "Africa/Accra", "en"),
    ("tesfaye", "Tesfaye", "Bekele", "ETH", "Africa/Addis_Ababa", "en"),
    ("palesa", "Palesa", "Mokoena", "LSO", "Africa/Maseru", "en"),
    ("wanjiru", "Wanjiru", "Kamau", "KEN", "Africa/Nairobi", "en"),
    ("aissatou", "Aïssatou", "Ndiaye", "SEN", "Africa/Dakar", "fr"),
    ("chinedu", "Chinedu", "Eze", "NGA", "Africa/Lagos", "en"),
    ("leila", "Leïla", "Ben Salah", "TUN", "Africa/Tunis", "fr"),
    ("fatima", "Fatima", "Al-Khalifa", "BHR", "Asia/Bahrain", "en"),
    ("nasser", "Nasser", "Al-Saud", "SAU", "Asia/Riyadh", "en"),
    ("youssef", "Youssef", "El Amrani", "MAR", "Africa/Casablanca", "fr"),
    ("hyejin", "Hye-jin", "Park", "KOR", "Asia/Seoul", "en"),
    ("weiling", "Wei Ling", "Tan", "SGP", "Asia/Singapore", "en"),
    ("arjun", "Arjun", "Mehta", "IND", "Asia/Kolkata", "en"),
    ("kenji", "Kenji", "Sato", "JPN", "Asia/Tokyo", "en"),
    ("olivia", "Olivia", "Harper", "AUS", "Australia/Sydney", "en"),
    ("camila", "Camila", "Restrepo", "COL", "America/Bogota", "en"),
    ("marisol", "Marisol", "Chávez", "MEX", "America/Mexico_City", "en"),
    ("joao", "João", "Ferreira", "BRA", "America/Sao_Paulo", "en"),
    ("andre", "Andre", "Young", "BLZ", "America/Belize", "en"),
    ("claire", "Claire", "Tremblay", "CAN", "America/Toronto", "fr"),
    ("lars", "Lars", "Eriksson", "SWE", "Europe/Stockholm", "en"),
    ("ana", "Ana", "Kovač", "HRV", "Europe/Zagreb", "en"),
    ("pierre", "Pierre", "Lefèvre", "FRA", "Europe/Paris", "fr"),
    ("katarzyna", "Katarzyna", "Nowak", "POL", "Europe/Warsaw", "en"),
]


def demo_people() -> list[DemoPerson]:
    members = [
        DemoPerson(
            username,
            first,
            last,
            (Role.CEPA_MEMBER,),
            None,
            country,
            tz,
            language,
            title="Member of the Committee of Experts on Public Administration",
        )
        for username, first, last, country, tz, language in CEPA_MEMBERS
    ]
    return [*DIVISION, *members]


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    # What workflows.demo.seed_workflows created or found (its `.summary()` says it).
    workflows: WorkflowDemoResult | None = None
    # What meetings.demo.seed_meetings created or found (its `.summary()` says it).
    meetings: MeetingDemoResult | None = None
    # What notifications.demo.seed_notifications created (its `.summary()` says it).
    notifications: NotificationDemoResult | None = None
    # What knowledge.demo.seed_knowledge created or found (its `.summary()` says it).
    knowledge: KnowledgeDemoResult | None = None


@transaction.atomic
def seed_demo() -> DemoResult:
    """Create the demo people who do not exist yet; return who was created and the logins."""
    User = get_user_model()
    branches = {branch.code: branch for branch in Branch.objects.all()}
    countries = {state.iso3: state for state in MemberState.objects.all()}
    existing = set(User.objects.values_list("username", flat=True))
    result = DemoResult()
    # Everyone in the demo has the same password: hash it once, not once per person.
    password_hash = make_password(DEMO_PASSWORD)
    for spec in demo_people():
        role_label = ", ".join(str(role.label) for role in spec.roles)
        result.logins.append((spec.username, role_label))
        if spec.username in existing:
            result.existing.append(spec.username)
            continue
        user = create_person(
            username=spec.username,
            email=f"{spec.username}@cepa-collab.example.org",
            first_name=spec.first_name,
            last_name=spec.last_name,
            password_hash=password_hash,
            roles=spec.roles,
            branch=branches[spec.branch] if spec.branch else None,
            country=countries[spec.country] if spec.country else None,
            time_zone=spec.time_zone,
            language=spec.language,
            title=spec.title,
        )
        if spec.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        result.created.append(spec.username)
    from knowledge.demo import seed_knowledge  # requests, contributions and their links
    from meetings.demo import seed_meetings  # the meetings app links the workflow's records
    from notifications.demo import seed_notifications  # reminders due soon, on the above
    from workflows.demo import seed_workflows  # the workflow app builds on the core

    # The demo's history is made up: nobody is mailed about it. The reminders that fall
    # due are mailed by the worker at the first sweep after seeding.
    with muted():
        result.workflows = seed_workflows()
        result.meetings = seed_meetings()
        result.knowledge = seed_knowledge(password_hash=password_hash)
        result.notifications = seed_notifications()
    result.logins.extend(result.knowledge.logins)
    return result
