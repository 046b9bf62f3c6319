"""The four languages: English, French, Spanish and Arabic (right to left), chosen from the
profile, in pages and mails; countries and regions named in the reader's language."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation.trans_real import CONTEXT_SEPARATOR

from advisory.enums import MilestoneState
from cepa_collab import invitations, places
from cepa_collab.enums import Language, Role
from cepa_collab.models import MemberState, Profile, Region
from meetings import services as meeting_services
from meetings.enums import MeetingKind, Reply
from notifications import mail as notification_mail
from notifications import services as notification_services
from tests.factories import branch, member_state, person
from workflows.enums import RoundState
from workflows.notices import WorkflowNotice

pytestmark = pytest.mark.django_db


def test_the_languages_are_english_french_spanish_and_arabic():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr", "es", "ar"]
    assert Language.values == ["en", "fr", "es", "ar"]
    assert translation.get_language_info("ar")["bidi"] is True


# --- countries and regions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "name"),
    [("en", "Senegal"), ("fr", "Sénégal"), ("es", "Senegal"), ("ar", "السنغال")],
)
def test_a_member_state_is_named_in_the_active_language(language, name):
    senegal = member_state("SEN")

    with translation.override(language):
        shown = str(senegal)

    assert shown == name
    assert senegal.name == "Senegal"  # the stored name stays English


def test_member_states_keep_their_stored_english_names_in_english():
    countries = list(MemberState.objects.all())

    with translation.override("en"):
        shown = [str(country) for country in countries]

    assert shown == [country.name for country in countries]


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_every_member_state_has_a_name_of_its_own_in_each_language(language):
    codes = MemberState.objects.values_list("iso2", flat=True)

    missing = [code for code in codes if places._territory(code, language) is None]

    assert len(codes) == 193
    assert missing == []


@pytest.mark.parametrize(
    ("language", "africa", "americas"),
    [
        ("en", "Africa", "Americas"),
        ("fr", "Afrique", "Amériques"),
        ("es", "África", "América"),
        ("ar", "أفريقيا", "الأمريكتان"),
    ],
)
def test_a_region_is_named_in_the_active_language(language, africa, americas):
    with translation.override(language):
        names = [str(Region.objects.get(code=code)) for code in ["africa", "americas"]]

    assert names == [africa, americas]


def test_the_arab_region_is_named_from_our_own_catalogues(monkeypatch):
    # No UN M49 area is the Arab region: its name is a message of ours.
    translated = {"Arab region": "Région arabe"}
    monkeypatch.setattr(translation, "gettext", lambda message: translated.get(message, message))
    places._own_region_name.cache_clear()
    arab = Region.objects.get(code="arab")

    with translation.override("fr"):
        french = str(arab)
    places._own_region_name.cache_clear()

    assert french == "Région arabe"
    assert str(arab) == "Arab region"


def test_an_unknown_country_or_region_keeps_its_stored_name():
    with translation.override("fr"):
        assert places.country_name("XQ", "Republic of XXQ") == "Republic of XXQ"
        assert places.region_name("region-1", "Region one") == "Region one"


def test_countries_sort_by_their_name_in_the_reader_language():
    countries = list(MemberState.objects.filter(iso3__in=["DEU", "DZA", "ZAF", "EGY", "EST"]))

    with translation.override("en"):
        english = [country.iso3 for country in places.sorted_by_name(countries)]
    with translation.override("fr"):
        french = [country.iso3 for country in places.sorted_by_name(countries)]

    # Algeria, Egypt, Estonia, Germany, South Africa
    assert english == ["DZA", "EGY", "EST", "DEU", "ZAF"]
    # Afrique du Sud, Algérie, Allemagne, Égypte, Estonie ("É" among the E)
    assert french == ["ZAF", "DZA", "DEU", "EGY", "EST"]


def test_the_meeting_page_names_the_host_country_in_french(client, staff):
    meeting = meeting_services.create_meeting(
        staff,
        title="Expert group meeting in Dakar",
        kind=MeetingKind.EXPERT_GROUP,
        branch=branch("e-govb"),
        country=member_state("SEN"),
        start=timezone.now() + datetime.timedelta(days=10),
        end=timezone.now() + datetime.timedelta(days=10, hours=8),
        time_zone="Africa/Dakar",
    )
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = client.get(f"/meetings/{meeting.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr"' in page
    assert "Sénégal" in page
    assert "Senegal" not in page


# --- the profile's language, the switch, the mails -----------------------------------------


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_language_switch_remembers_spanish_and_arabic_on_the_profile(client, language):
    reader = person(Role.CEPA_MEMBER, username="reader")
    client.force_login(reader)

    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    assert Profile.objects.get(user=reader).language == language


@pytest.mark.parametrize("language", ["es", "ar"])
def test_a_profile_may_prefer_spanish_or_arabic_and_nothing_unknown(language):
    reader = person(Role.CEPA_MEMBER, username="reader")

    Profile.objects.filter(user=reader).update(language=language)

    assert (
        Profile.objects.get(user=reader).get_language_display() == dict(Language.choices)[language]
    )


def test_the_profile_language_constraint_refuses_an_unknown_language():
    from django.db import IntegrityError, transaction

    reader = person(Role.CEPA_MEMBER, username="reader")

    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(user=reader).update(language="de")

    assert Profile.objects.get(user=reader).language == "en"


@pytest.mark.parametrize(("language", "direction"), [("es", "ltr"), ("ar", "rtl")])
def test_a_notification_mail_speaks_the_recipient_language_and_direction(language, direction):
    reader = person(Role.CEPA_MEMBER, username="reader", language=language)
    written = notification_services.write(
        reader, WorkflowNotice.REVIEW_ASSIGNED, "Review requested", "Please review it."
    )

    with notification_services.as_recipient(reader):
        active = translation.get_language()
    message = notification_mail.notification_message(written)

    assert active == language
    assert message.extra_headers["Content-Language"] == language
    [(html, _mimetype)] = message.alternatives
    assert f'<html lang="{language}" dir="{direction}">' in html


@pytest.mark.parametrize(("language", "direction"), [("es", "ltr"), ("ar", "rtl")])
def test_an_invitation_mail_speaks_its_language_and_direction(
    staff, language, direction, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite(
            staff, email="nadia@example.org", role=Role.CEPA_MEMBER, language=language
        )

    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == language
    [(html, _mimetype)] = message.alternatives
    assert f'<html lang="{language}" dir="{direction}">' in html


# --- one English word, two meanings ----------------------------------------------------------


STATE_CHOICES = [
    "workflows.enums.DeliverableState",
    "workflows.enums.RoundState",
    "workflows.enums.AssignmentState",
    "workflows.enums.ReviewStatus",
    "advisory.enums.RequestState",
    "advisory.enums.MilestoneState",
    "contributions.enums.ContributionState",
    "meetings.enums.MeetingStatus",
    "notifications.enums.MailState",
    "cepa_collab.enums.InvitationState",
]
ACTION_LABELS = [
    "workflows.rules.TRANSITION_LABELS",
    "advisory.rules.TRANSITION_LABELS",
    "contributions.rules.TRANSITION_LABELS",
]


def _named(path: str):
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("path", STATE_CHOICES)
def test_every_state_label_is_a_message_in_the_state_context(path):
    choices = _named(path)

    contexts = {label._args[0] for label in choices.labels}

    assert contexts == {"state"}


@pytest.mark.parametrize("path", ACTION_LABELS)
def test_every_transition_label_is_a_message_in_the_action_context(path):
    labels = _named(path)

    contexts = {label._args[0] for label in labels.values()}

    assert contexts == {"action"}


def test_the_replies_to_a_meeting_have_a_context_of_their_own():
    # "Tentative": a meeting not confirmed yet ("Provisoire"), a reply of maybe ("Peut-être")
    assert {label._args[0] for label in Reply.labels} == {"meeting reply"}


def test_the_open_state_and_the_open_button_translate_apart(monkeypatch):
    # given a French catalogue where the button and the state differ
    french = translation.trans_real.translation("fr")
    catalogue = {
        "Open": "Ouvrir",
        f"state{CONTEXT_SEPARATOR}Open": "En cours",
    }
    monkeypatch.setattr(french, "_catalog", catalogue)
    monkeypatch.setattr(french, "_fallback", None)

    # when both are read in French
    with translation.override("fr"):
        state = str(RoundState.OPEN.label)
        milestone = str(MilestoneState.OPEN.label)
        button = translation.gettext("Open")

    # then each reads as its meaning (before: both "En cours", one message)
    assert (state, milestone, button) == ("En cours", "En cours", "Ouvrir")


def test_a_choice_of_countries_lists_them_by_their_name_in_the_reader_language():
    field = places.PlaceChoiceField(
        queryset=MemberState.objects.filter(iso3__in=["DEU", "DZA", "EGY"]), empty_label="—"
    )

    with translation.override("fr"):
        french = [str(label) for _value, label in field.choices]
    with translation.override("ar"):
        arabic = [str(label) for _value, label in field.choices]

    assert french == ["—", "Algérie", "Allemagne", "Égypte"]
    # hamza on the alif sorts as the plain alif: الجزائر (al-J…) before ألمانيا (al-M…)
    assert arabic == ["—", "الجزائر", "ألمانيا", "مصر"]


def test_a_focal_point_reads_its_country_in_its_own_language_in_notifications(request_in):
    from advisory.enums import RequestState
    from notifications.models import Notification

    french = person(Role.FOCAL_POINT, username="awa", country="SEN", language="fr")
    english = person(Role.FOCAL_POINT, username="moussa", country="SEN", language="en")

    request_in(RequestState.ACCEPTED, country="SEN", title="E-government strategy")

    [french_subject] = Notification.objects.filter(user=french).values_list("subject", flat=True)
    [english_subject] = Notification.objects.filter(user=english).values_list("subject", flat=True)
    assert "Sénégal" in french_subject
    assert "Senegal" not in french_subject
    assert english_subject == "Request accepted: Senegal, E-government strategy"
