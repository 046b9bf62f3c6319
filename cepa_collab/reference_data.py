"""Reference data of the organisation core: branches, regions and UN Member States.

Membership and region come from `data/member_states.csv` (193 rows); codes and
names come from pycountry, a maintained package. Used by the data migration and
by tests; `load_reference_data` is idempotent.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pycountry

MEMBER_STATES_CSV = Path(__file__).resolve().parent / "data" / "member_states.csv"

BRANCHES = [
    (
        "e-govb",
        "e-Government Branch",
        "E-government, including e/m-government, e/m-governance and knowledge "
        "management in government.",
    ),
    (
        "pacb",
        "Public Administration Capacity Branch",
        "Public administration capacity, including e-governance: institutional "
        "restructuring, human resource development.",
    ),
    (
        "dmb",
        "Development Management Branch",
        "Development management to achieve the internationally agreed development goals, "
        "particularly through ICTs.",
    ),
]

# The five regional repositories of the UN e/m-Government Knowledge Repository.
REGIONS = [
    ("asia", "Asia"),
    ("arab", "Arab region"),
    ("africa", "Africa"),
    ("americas", "Americas"),
    ("europe", "Europe"),
]


@dataclass(frozen=True)
class MemberStateRow:
    iso3: str
    iso2: str
    name: str
    official_name: str
    region: str


def member_state_rows(path: Path = MEMBER_STATES_CSV) -> list[MemberStateRow]:
    """The Member States of the data file, named by pycountry; raises on an unknown code."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            country = pycountry.countries.get(alpha_3=line["iso3"])
            if country is None:
                raise ValueError(f"{path.name}: {line['iso3']!r} is not an ISO 3166 code")
            rows.append(
                MemberStateRow(
                    iso3=country.alpha_3,
                    iso2=country.alpha_2,
                    name=getattr(country, "common_name", None) or country.name,
                    official_name=getattr(country, "official_name", "") or country.name,
                    region=line["region"],
                )
            )
    return rows


def load_reference_data(apps) -> None:
    Branch = apps.get_model("cepa_collab", "Branch")
    Region = apps.get_model("cepa_collab", "Region")
    MemberState = apps.get_model("cepa_collab", "MemberState")
    for code, name, description in BRANCHES:
        Branch.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )
    regions = {}
    for position, (code, name) in enumerate(REGIONS):
        regions[code], _created = Region.objects.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    for row in member_state_rows():
        MemberState.objects.update_or_create(
            iso3=row.iso3,
            defaults={
                "iso2": row.iso2,
                "name": row.name,
                "official_name": row.official_name,
                "region": regions[row.region],
            },
        )
