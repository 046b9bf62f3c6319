import csv

import pycountry
import pytest

from cepa_collab.models import Branch, MemberState, Region
from cepa_collab.reference_data import MEMBER_STATES_CSV, REGIONS, member_state_rows


def test_member_states_file_has_193_rows_each_known_to_pycountry():
    with MEMBER_STATES_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    codes = [row["iso3"] for row in rows]
    assert len(rows) == 193
    assert len(set(codes)) == 193
    assert [code for code in codes if pycountry.countries.get(alpha_3=code) is None] == []
    assert {row["region"] for row in rows} == {code for code, _name in REGIONS}


def test_member_states_file_excludes_observers_and_territories():
    codes = {row.iso3 for row in member_state_rows()}

    assert codes.isdisjoint({"VAT", "PSE", "TWN", "HKG", "PRI", "GRL"})
    assert {"SSD", "MNE", "TLS", "PRK", "SWZ", "MKD"} <= codes


def test_unknown_code_in_data_file_is_rejected(tmp_path):
    bad = tmp_path / "member_states.csv"
    bad.write_text("iso3,region\nXXQ,africa\n", encoding="utf-8")

    with pytest.raises(ValueError, match="XXQ"):
        member_state_rows(bad)


@pytest.mark.django_db
def test_migrate_loads_193_member_states_with_their_regions():
    assert MemberState.objects.count() == 193
    assert MemberState.objects.filter(region__isnull=True).count() == 0
    assert list(Region.objects.values_list("name", flat=True)) == [
        "Asia",
        "Arab region",
        "Africa",
        "Americas",
        "Europe",
    ]
    counts = {region.code: region.member_states.count() for region in Region.objects.all()}
    assert sum(counts.values()) == 193
    assert counts["arab"] == 21


@pytest.mark.django_db
def test_member_states_named_from_pycountry():
    ghana = MemberState.objects.get(iso3="GHA")
    oman = MemberState.objects.get(iso3="OMN")

    assert (ghana.iso2, ghana.name, ghana.region.code) == ("GH", "Ghana", "africa")
    assert (oman.name, oman.region.code) == ("Oman", "arab")
    assert MemberState.objects.get(iso3="SGP").region.code == "asia"
    assert MemberState.objects.get(iso3="BLZ").region.code == "americas"


@pytest.mark.django_db
def test_migrate_loads_the_three_branches_with_short_codes():
    assert sorted(Branch.objects.values_list("code", "name")) == [
        ("dmb", "Development Management Branch"),
        ("e-govb", "e-Government Branch"),
        ("pacb", "Public Administration Capacity Branch"),
    ]
