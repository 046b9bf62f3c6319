import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from cepa_collab.enums import Role
from cepa_collab.models import Profile
from demo.core import DEMO_PASSWORD, DEMO_TOTP_BASE32


def _snapshot():
    User = get_user_model()
    users = list(User.objects.order_by("username").values_list("username", "password"))
    profiles = list(
        Profile.objects.order_by("user__username").values_list(
            "user__username", "branch__code", "country__iso3", "time_zone", "updated_at"
        )
    )
    groups = list(User.groups.through.objects.order_by("user_id", "group_id").values_list())
    return users, profiles, groups


def test_seed_demo_builds_the_world_of_the_source_document(demo, demo_world):
    User = get_user_model()
    members = User.objects.filter(groups__name=Role.CEPA_MEMBER)
    regions = set(members.values_list("profile__country__region__code", flat=True))
    zones = set(members.values_list("profile__time_zone", flat=True))
    chief = User.objects.get(username="chief")
    assert members.count() == 24
    assert regions == {"africa", "americas", "arab", "asia", "europe"}
    assert len(zones) >= 20
    assert chief.get_full_name() == "Vincenzo Aquaro"
    assert chief.profile.branch.code == "e-govb"
    assert User.objects.filter(groups__name=Role.INTER_REGIONAL_ADVISOR).count() == 3
    assert User.objects.get(username="focal").profile.country.iso3 == "OMN"
    out = demo_world.output
    assert DEMO_PASSWORD in out
    assert "chief" in out and "amina" in out


def test_seed_demo_twice_changes_nothing(demo):
    before = _snapshot()

    call_command("seed_demo")

    assert _snapshot() == before


def test_demo_logins_work(client, demo):
    response = client.post("/accounts/login/", {"username": "amina", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert "You are signed in as CEPA member." in client.get("/").content.decode()


def test_every_demo_person_signs_in_with_the_demo_password_hashed_once(demo, demo_world):
    # (the seed ran with a hasher that counts every password hashed, wherever from)
    people = get_user_model().objects.exclude(username="AnonymousUser")
    assert people.count() == 38
    assert all(person.check_password(DEMO_PASSWORD) for person in people)
    assert demo_world.passwords_hashed == 1


def test_demo_chief_signs_in_with_the_demo_password_and_the_demo_code(client, demo, demo_world):
    # given the seed's output, which says how the chiefs and the secretariat get their code
    assert DEMO_TOTP_BASE32 in demo_world.output
    assert "chief, dmb_chief, pacb_chief" in demo_world.output
    out = io.StringIO()
    call_command("demo_code", stdout=out, stderr=io.StringIO())

    # when the chief signs in with the demo password, then the printed code
    after_password = client.post(
        "/accounts/login/", {"username": "chief", "password": DEMO_PASSWORD}
    )
    after_code = client.post("/accounts/two-factor/", {"code": out.getvalue().strip()})

    # then they reach the home page
    assert after_password["Location"] == "/accounts/two-factor/?next=%2F"
    assert after_code["Location"] == "/"
    assert "You are signed in as Branch chief." in client.get("/").content.decode()
