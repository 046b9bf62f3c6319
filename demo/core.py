"""The people of the demo world: DPADM's branches and people, and the 24 CEPA members.

`seed_people()` is idempotent: people who already exist are left as they are, so a
second run changes nothing.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from cepa_collab import second_factor
from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState
from cepa_collab.services import create_person

DEMO_PASSWORD = "cepa-demo-2026"
# The demo's people who must use a second factor (branch chiefs, the secretariat admin) get
# an authenticator with this fixed, published secret, so the README's flow works: add it to
# any authenticator app (base32 below), or print the current code with
# `python manage.py demo_code`. It is a demo secret, known to all: only seed_demo uses it, and
# only for the people it creates; a real account's secret is random (set up on the site).
DEMO_TOTP_KEY = "63657061636f6c6c61622d64656d6f2d32303236"  # hex of b"cepacollab-demo-2026"
DEMO_TOTP_BASE32 = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()  # what apps are given


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
class PeopleDemoResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    # Who got the demo authenticator (the second factor their role requires).
    second_factor: list[str] = field(default_factory=list)


def seed_people(password_hash: str | None = None) -> PeopleDemoResult:
    """Create the demo people who do not exist yet; return who was created and the logins."""
    User = get_user_model()
    branches = {branch.code: branch for branch in Branch.objects.all()}
    countries = {state.iso3: state for state in MemberState.objects.all()}
    existing = set(User.objects.values_list("username", flat=True))
    result = PeopleDemoResult()
    # Everyone in the demo has the same password: hash it once, not once per person.
    password_hash = password_hash or make_password(DEMO_PASSWORD)
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
        if second_factor.is_required(user):
            TOTPDevice.objects.create(
                user=user, name=second_factor.AUTHENTICATOR_NAME, key=DEMO_TOTP_KEY, confirmed=True
            )
        result.created.append(spec.username)
    result.second_factor = list(
        TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )
    return result
