"""The notification centre's pages, checked from the outside: the list, marking read, the
header count, the preferences and the unsubscribe link of the mails.

The cast: Amina (a CEPA member in Addis Ababa) whose notifications these are, Ben (another
CEPA member) who has his own, and anonymous visitors. Another person's notification answers
404 and nothing changes; the unsubscribe page needs no sign-in but a token signed by us.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import signing
from django.test import Client, RequestFactory

from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from meetings.notices import MeetingNotice
from notifications import mail, services
from notifications.context_processors import unread_notifications
from notifications.enums import DEFAULT_DELIVERY, Delivery, NotificationKind
from notifications.kinds import NOTIFICATION_KINDS
from notifications.models import Notification, NotificationPreference
from tests.factories import DEFAULT_PASSWORD, person
from tests.notifications.conftest import START
from workflows.notices import WorkflowNotice

LIST = "/notifications/"
READ = "/notifications/read/"
READ_ALL = "/notifications/read-all/"
PREFERENCES = "/notifications/preferences/"


@pytest.fixture
def amina(db):
    return person(Role.CEPA_MEMBER, username="amina", country="ETH", time_zone="Africa/Addis_Ababa")


@pytest.fixture
def ben(db):
    return person(Role.CEPA_MEMBER, username="ben", country="OMN", time_zone="Asia/Muscat")


def note(user, subject: str, *, minutes: int = 0, read: bool = False, **fields) -> Notification:
    """A notification for `user`, written `minutes` after START."""
    created = START + datetime.timedelta(minutes=minutes)
    return services.write(
        user,
        fields.pop("kind", WorkflowNotice.REVIEW_ASSIGNED),
        subject,
        fields.pop("body", ""),
        link=fields.pop("link", ""),
        created_at=created,
        read_at=created if read else None,
    )


def notes(user, count: int, *, start: int = 0) -> None:
    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=NotificationKind.REMINDER,
            subject=f"Reminder {n}",
            body="Due soon.\nPlease act.",
            link=f"/deliverables/{n}/",
            created_at=START + datetime.timedelta(minutes=n),
        )
        for n in range(start, start + count)
    )


def html(response) -> str:
    return response.content.decode()


class Page(HTMLParser):
    """What the tests look at: notification articles, radio buttons, legends, error list."""

    def __init__(self, text: str):
        super().__init__()
        self.articles: list[dict] = []
        self.radios: list[tuple[str, str, bool]] = []
        self.legends: list[str] = []
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.articles.append({"id": attrs["id"], "class": attrs["class"], "subject": ""})
        elif tag == "h3" and self.articles:
            self._in = "subject"
        elif tag == "legend":
            self.legends.append("")
            self._in = "legend"
        elif tag == "input" and attrs.get("type") == "radio":
            self.radios.append((attrs["name"], attrs["value"], "checked" in attrs))

    def handle_endtag(self, tag):
        if tag in ("h3", "legend"):
            self._in = None

    def handle_data(self, data):
        if self._in == "subject":
            self.articles[-1]["subject"] += data
        elif self._in == "legend":
            self.legends[-1] += data

    def subjects(self) -> list[str]:
        return [" ".join(a["subject"].split()) for a in self.articles]


def page(response) -> Page:
    return Page(html(response))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the list ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notification_list_shows_only_own_notifications_newest_first(client, clock, amina, ben):
    note(amina, "Review assigned", minutes=1)
    note(amina, "Decision taken", minutes=3)
    note(amina, "Meeting moved", minutes=2)
    note(ben, "Ben's own news", minutes=4)
    client.force_login(amina)

    response = client.get(LIST)

    assert response.status_code == 200
    assert page(response).subjects() == [
        "Unread: Decision taken",
        "Unread: Meeting moved",
        "Unread: Review assigned",
    ]
    assert "Ben&#x27;s own news" not in html(response)
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_notification_list_marks_unread_ones_for_eyes_and_screen_readers(client, clock, amina):
    unread = note(amina, "New one", minutes=2)
    read = note(amina, "Old one", minutes=1, read=True, link="/reviews/7/")
    client.force_login(amina)

    articles = page(client.get(LIST)).articles

    assert articles == [
        {
            "id": f"notification-{unread.pk}",
            "class": "card notification unread",
            "subject": "Unread: New one",
        },
        {"id": f"notification-{read.pk}", "class": "card notification read", "subject": "Old one"},
    ]


@pytest.mark.django_db
def test_notification_list_shows_body_lines_local_time_and_link(client, clock, amina):
    read = note(
        amina,
        "Review submitted",
        body="Bruno submitted his review.\nRead it on the deliverable's page.",
        link="/deliverables/3/",
        read=True,
    )
    unread = note(amina, "Review assigned", link="/reviews/9/", minutes=1)
    client.force_login(amina)

    text = html(client.get(LIST))

    assert "<p>Bruno submitted his review.<br>Read it on the deliverable&#x27;s page.</p>" in text
    # 06:00 UTC is 09:00 in Addis Ababa
    assert '<time datetime="2026-12-02T06:00:00+00:00">2 December 2026, 09:00</time>' in text
    assert (
        f'<h3 class="card__title" id="notification-{read.pk}-subject"><a href="/deliverables/3/">'
    ) in text
    assert 'aria-label="Open and mark as read: Review assigned">Open</button>' in text
    assert f'name="notification" value="{unread.pk}"' in text


@pytest.mark.django_db
def test_notification_list_escapes_what_it_shows(client, clock, amina):
    note(amina, "<script>alert(1)</script>", body="<b>bold</b>")
    client.force_login(amina)

    text = html(client.get(LIST))

    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<p>&lt;b&gt;bold&lt;/b&gt;</p>" in text


@pytest.mark.django_db
def test_notification_list_filters_unread_ones(client, clock, amina):
    note(amina, "Unread one", minutes=2)
    note(amina, "Read one", minutes=1, read=True)
    client.force_login(amina)

    everything = page(client.get(LIST)).subjects()
    unread = client.get(LIST, {"unread": "1"})

    assert everything == ["Unread: Unread one", "Read one"]
    assert page(unread).subjects() == ["Unread: Unread one"]
    assert '<a href="/notifications/?unread=1" aria-current="page">Unread (1)</a>' in html(unread)


@pytest.mark.django_db
def test_notification_list_pages_by_fifty(client, clock, amina):
    notes(amina, 51)
    client.force_login(amina)

    first = page(client.get(LIST))
    second = client.get(LIST, {"page": "2"})

    assert len(first.articles) == 50
    assert first.subjects()[0] == "Unread: Reminder 50"
    assert page(second).subjects() == ["Unread: Reminder 0"]
    assert "Page 2 of 2" in html(second)


@pytest.mark.django_db
def test_notification_pages_send_anonymous_visitors_to_sign_in(client, clock, amina):
    mine = note(amina, "Review assigned")

    responses = [
        client.get(LIST),
        client.get(PREFERENCES),
        client.post(READ, {"notification": mine.pk}),
        client.post(READ_ALL),
        client.post(PREFERENCES, {kind: Delivery.NONE for kind in NOTIFICATION_KINDS.values()}),
    ]

    assert [r.status_code for r in responses] == [302] * 5
    assert responses[0]["Location"] == "/accounts/login/?next=/notifications/"
    assert Notification.objects.get(pk=mine.pk).read_at is None
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_notification_list_runs_a_fixed_number_of_queries(
    client, clock, amina, django_assert_num_queries
):
    client.force_login(amina)
    notes(amina, 5)
    # session, user, roles (navigation), profile (time zone), the page's count and rows,
    # the header's unread count
    with django_assert_num_queries(7):
        small = client.get(LIST)
    assert small.status_code == 200
    notes(amina, 75, start=5)

    with django_assert_num_queries(7):
        large = client.get(LIST)
    assert large.status_code == 200


# --- marking read ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mark_read_marks_the_notification_and_goes_back(client, clock, amina):
    first = note(amina, "Review assigned")
    second = note(amina, "Decision taken")
    client.force_login(amina)

    response = client.post(READ, {"notification": first.pk, "next": "/notifications/?page=1"})

    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    assert messages_of(response) == ["“Review assigned” is marked as read."]
    assert Notification.objects.get(pk=first.pk).read_at == START
    assert Notification.objects.get(pk=second.pk).read_at is None


@pytest.mark.django_db
def test_mark_read_with_open_goes_on_to_the_item(client, clock, amina):
    mine = note(amina, "Review assigned", link="/reviews/9/")
    client.force_login(amina)

    response = client.post(READ, {"notification": mine.pk, "open": "1", "next": LIST})

    assert response.status_code == 302
    assert response["Location"] == "/reviews/9/"
    assert Notification.objects.get(pk=mine.pk).read_at == START


@pytest.mark.django_db
def test_mark_read_of_another_persons_notification_is_404_and_changes_nothing(
    client, clock, amina, ben
):
    amina_s = note(amina, "Review assigned", link="/reviews/9/")
    request = {"notification": amina_s.pk, "open": "1"}
    client.force_login(ben)

    as_ben = client.post(READ, request)
    client.force_login(amina)
    as_amina = client.post(READ, request)

    assert as_ben.status_code == 404
    assert as_amina.status_code == 302
    assert as_amina["Location"] == "/reviews/9/"
    assert Notification.objects.get(pk=amina_s.pk).read_at == START


@pytest.mark.django_db
def test_mark_read_of_another_persons_notification_leaves_it_unread(client, clock, amina, ben):
    amina_s = note(amina, "Review assigned")
    client.force_login(ben)

    response = client.post(READ, {"notification": amina_s.pk})

    assert response.status_code == 404
    assert Notification.objects.get(pk=amina_s.pk).read_at is None


@pytest.mark.django_db
def test_mark_read_refuses_a_get_and_a_malformed_form(client, clock, amina):
    mine = note(amina, "Review assigned")
    client.force_login(amina)

    get = client.get(READ, {"notification": mine.pk})
    missing = client.post(READ, {})
    malformed = client.post(READ, {"notification": "first"})
    unknown = client.post(READ, {"notification": mine.pk + 1000})

    assert [get.status_code, missing.status_code, malformed.status_code] == [405, 400, 400]
    assert unknown.status_code == 404
    assert Notification.objects.get(pk=mine.pk).read_at is None


@pytest.mark.django_db
def test_mark_read_goes_back_to_this_site_only(client, clock, amina):
    mine = note(amina, "Review assigned", link="https://elsewhere.example/")
    client.force_login(amina)

    away = client.post(READ, {"notification": mine.pk, "next": "https://elsewhere.example/"})
    opened = client.post(READ, {"notification": mine.pk, "open": "1"})

    assert away["Location"] == "/notifications/"
    assert opened["Location"] == "/notifications/"


@pytest.mark.django_db
def test_mark_all_read_marks_only_own_notifications(client, clock, amina, ben):
    note(amina, "One")
    note(amina, "Two")
    note(amina, "Already read", read=True)
    ben_s = note(ben, "Ben's")
    client.force_login(amina)

    response = client.post(READ_ALL, {"next": "/notifications/?unread=1"})
    client.get(response["Location"])  # shows (and so consumes) the message
    again = client.post(READ_ALL)

    assert response["Location"] == "/notifications/?unread=1"
    assert messages_of(response) == ["2 notifications are marked as read."]
    assert messages_of(again) == ["There was nothing unread."]
    assert again["Location"] == "/notifications/"
    assert Notification.objects.filter(user=amina, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=ben_s.pk).read_at is None


@pytest.mark.django_db
def test_mark_all_read_refuses_a_get(client, clock, amina):
    note(amina, "One")
    client.force_login(amina)

    response = client.get(READ_ALL)

    assert response.status_code == 405
    assert Notification.objects.get().read_at is None


# --- the header -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_header_shows_the_unread_count_with_an_accessible_name(client, clock, amina, ben):
    note(amina, "One")
    note(amina, "Two")
    note(amina, "Three")
    note(amina, "Read", read=True)
    note(ben, "Ben's")
    client.force_login(amina)

    text = html(client.get("/"))

    assert (
        '<li><a href="/notifications/" aria-label="Notifications, 3 unread">Notifications '
        '<span class="badge">(3)</span></a></li>'
    ) in text


@pytest.mark.django_db
def test_header_shows_a_plain_link_when_nothing_is_unread(client, clock, amina):
    note(amina, "Read", read=True)
    client.force_login(amina)

    text = html(client.get(LIST))

    assert '<li><a href="/notifications/" aria-current="page">Notifications</a></li>' in text
    assert text.count('aria-current="page"') == 2  # the header link and the "All" filter


@pytest.mark.django_db
def test_header_shows_no_notifications_to_anonymous_visitors(client):
    text = html(client.get("/accounts/login/"))

    assert "/notifications/" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 300])
def test_header_count_costs_one_query(clock, amina, count, django_assert_num_queries):
    notes(amina, count)
    request = RequestFactory().get("/")
    request.user = amina
    roles_for(amina)  # read by every page for its navigation, before the header's count

    with django_assert_num_queries(1):
        context = unread_notifications(request)
        values = [context["unread_notifications"](), context["unread_notifications"]()]

    assert values == [count, count]


@pytest.mark.django_db
def test_header_count_costs_no_query_for_anonymous_visitors(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        context = unread_notifications(request)

    assert context == {"unread_notifications": 0}


# --- preferences -------------------------------------------------------------------------------


def _all(delivery: str, **changes: str) -> dict[str, str]:
    return {**dict.fromkeys(NOTIFICATION_KINDS.values(), delivery), **changes}


@pytest.mark.django_db
def test_preferences_page_offers_a_radio_group_per_kind_checked_as_saved(client, clock, amina):
    services.set_preferences(
        amina, {NotificationKind.REMINDER: Delivery.DIGEST, MeetingNotice.MEETING: Delivery.NONE}
    )
    client.force_login(amina)

    response = client.get(PREFERENCES)
    found = page(response)

    assert response.status_code == 200
    assert found.legends == [str(kind.label) for kind in NOTIFICATION_KINDS]
    assert len(found.radios) == 3 * len(NOTIFICATION_KINDS.values())
    checked = {name: value for name, value, is_checked in found.radios if is_checked}
    assert checked == _all(DEFAULT_DELIVERY, reminder="digest", meeting="none")
    assert {value for _name, value, _checked in found.radios} == set(Delivery.values)


@pytest.mark.django_db
def test_preferences_page_explains_the_digest_in_the_person_time_zone(client, clock, amina):
    client.force_login(amina)

    text = html(client.get(PREFERENCES))

    assert (
        "One mail a day at 08:00 in your time zone (Africa/Addis_Ababa), with what came since "
        "the previous digest."
    ) in text
    assert "Your time zone, from your profile, is Africa/Addis_Ababa; it is 09:00 there now." in (
        text
    )
    assert '<label for="id_reminder_1"><input type="radio" name="reminder" value="digest"' in text
    assert '<span class="visually-hidden">Daily digest at 08:00 your time</span></label>' in text


@pytest.mark.django_db
def test_preferences_are_saved(client, clock, amina, ben):
    client.force_login(amina)

    response = client.post(PREFERENCES, _all("immediate", reminder="digest", decision="none"))

    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    assert messages_of(response) == ["Your notification preferences are saved."]
    assert services.preferences_of(amina) == _all("immediate", reminder="digest", decision="none")
    assert services.preferences_of(ben) == _all("immediate")


@pytest.mark.django_db
def test_preferences_reject_an_unknown_choice_naming_the_kind_and_save_nothing(
    client, clock, amina
):
    client.force_login(amina)

    response = client.post(PREFERENCES, _all("none", reminder="weekly"))

    assert response.status_code == 400
    assert (
        '<li><a href="#id_reminder_0">“weekly” is not a way to receive “Deadline reminders”.'
        "</a></li>"
    ) in html(response)
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_preferences_reject_a_missing_kind_and_save_nothing(client, clock, amina):
    client.force_login(amina)
    choices = _all("none")
    del choices[MeetingNotice.MEETING]

    response = client.post(PREFERENCES, choices)

    assert response.status_code == 400
    assert (
        '<li><a href="#id_meeting_0">Choose how “Meetings created, changed or cancelled” '
        "reach you.</a></li>"
    ) in html(response)
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("saved", [0, 8])
def test_preferences_page_runs_a_fixed_number_of_queries(
    client, clock, amina, saved, django_assert_num_queries
):
    services.set_preferences(
        amina, dict.fromkeys(NOTIFICATION_KINDS.values()[:saved], Delivery.DIGEST)
    )
    client.force_login(amina)

    # session, user, preferences, roles (navigation), profile, the header's unread count
    with django_assert_num_queries(6):
        response = client.get(PREFERENCES)

    assert response.status_code == 200


# --- French --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notification_list_speaks_the_person_language(client, clock):
    pierre = person(
        Role.CEPA_MEMBER, username="pierre", country="SEN", time_zone="Africa/Dakar", language="fr"
    )
    note(pierre, "Relecture attribuée : Chapitre 3", body="Merci de relire.")
    # Signing in switches to the person's language (LocaleMiddleware reads the cookie after).
    client.post("/accounts/login/", {"username": "pierre", "password": DEFAULT_PASSWORD})

    text = html(client.get(LIST))

    assert '<html lang="fr">' in text
    assert "Se déconnecter" in text
    assert '<time datetime="2026-12-02T06:00:00+00:00">2 décembre 2026, 06:00</time>' in text
    assert "Relecture attribuée : Chapitre 3" in text


# --- unsubscribe -------------------------------------------------------------------------------


def unsubscribe_path(user, kind: str = "") -> str:
    return mail.unsubscribe_url(user, kind).removeprefix(settings.SITE_URL)


@pytest.mark.django_db
def test_unsubscribe_page_asks_first_and_changes_nothing(client, amina):
    path = unsubscribe_path(amina, NotificationKind.REMINDER)

    response = client.get(path)

    assert response.status_code == 200
    text = html(response)
    assert (
        "Confirm, and CEPA Collab stops mailing you these notifications: Deadline reminders."
    ) in text
    assert f'<form method="post" action="{path}">' in text
    assert '<a href="/notifications/preferences/">' in text
    assert response["X-Robots-Tag"] == "noindex"
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_unsubscribe_one_click_post_stops_that_kind_without_csrf_token(amina, ben):
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", no cookie, no CSRF token.
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        unsubscribe_path(amina, NotificationKind.REMINDER),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "CEPA Collab no longer mails you these notifications: Deadline reminders." in html(
        response
    )
    assert services.preferences_of(amina) == _all("immediate", reminder="none")
    assert services.preferences_of(ben) == _all("immediate")


@pytest.mark.django_db
def test_unsubscribe_header_of_a_real_mail_works_in_one_click(
    clock, amina, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            amina, WorkflowNotice.DECISION, subject=services.N_("Decision taken"), link="/"
        )
    (message,) = mailoutbox
    url = message.extra_headers["List-Unsubscribe"].strip("<>")

    response = Client(enforce_csrf_checks=True).post(
        url.removeprefix(settings.SITE_URL),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert response.status_code == 200
    assert services.preferences_of(amina) == _all("immediate", decision="none")


@pytest.mark.django_db
def test_unsubscribe_without_a_kind_stops_every_kind(client, amina):
    services.set_preferences(amina, {WorkflowNotice.DECISION: Delivery.DIGEST})
    path = unsubscribe_path(amina)

    asked = client.get(path)
    response = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert "stops mailing you notifications of every kind:" in html(asked)
    assert response.status_code == 200
    assert "CEPA Collab no longer mails you any notification." in html(response)
    assert services.preferences_of(amina) == _all("none")


@pytest.mark.django_db
def test_unsubscribe_refuses_a_tampered_or_foreign_token_and_changes_nothing(client, amina, ben):
    good = mail.unsubscribe_token(amina, NotificationKind.REMINDER)
    payload, signature = good.rsplit(":", 1)
    forged_payload = signing.dumps({"u": ben.pk, "k": ""}, salt=mail.UNSUBSCRIBE_SALT)
    tokens = [
        f"{payload}:{signature[:-2]}xx",  # the signature changed
        f"{forged_payload.split(':', 1)[0]}:{good.split(':', 1)[1]}",  # another person's id
        signing.dumps({"u": amina.pk, "k": ""}, salt="another.salt"),  # signed for another use
        signing.dumps({"u": amina.pk, "k": "weekly"}, salt=mail.UNSUBSCRIBE_SALT),  # no such kind
        signing.dumps({"u": 999_999, "k": ""}, salt=mail.UNSUBSCRIBE_SALT),  # nobody
        "not-a-token",
    ]

    responses = [client.post(f"/notifications/unsubscribe/{token}/") for token in tokens]
    looked = client.get(f"/notifications/unsubscribe/{tokens[0]}/")

    assert [r.status_code for r in responses] == [400] * len(tokens)
    assert looked.status_code == 400
    assert "This unsubscribe link does not work" in html(looked)
    assert "nothing was changed" in html(looked)
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_unsubscribe_page_speaks_the_person_language(client):
    pierre = person(Role.CEPA_MEMBER, username="pierre", country="SEN", language="fr")

    response = client.get(
        unsubscribe_path(pierre, MeetingNotice.MEETING), headers={"accept-language": "en"}
    )

    assert '<html lang="fr">' in html(response)
    assert response["Content-Language"] == "fr"


@pytest.mark.django_db
def test_unsubscribe_refuses_other_methods(client, amina):
    response = client.put(unsubscribe_path(amina, NotificationKind.REMINDER))

    assert response.status_code == 405
    assert NotificationPreference.objects.count() == 0


# --- words with two meanings -------------------------------------------------------------------


@pytest.fixture
def french_button_open():
    """The French catalogue with "Open" as a button ("Ouvrir"), next to the state "Open"
    ("En cours") it already has: what the catalogue should say, patched in for the test."""
    from django.utils.translation import override, trans_real

    with override("fr"):
        catalog = trans_real.translation("fr")._catalog
        key = "button\x04Open"
        had = key in catalog
        previous = catalog[key] if had else None
        catalog[key] = "Ouvrir"
        try:
            yield
        finally:
            if had:
                catalog[key] = previous
            else:  # __setitem__ wrote into the first of the merged catalogues
                catalog._catalogs[0].pop(key, None)


@pytest.mark.django_db
def test_notification_open_button_is_the_verb_not_the_state_in_french(
    client, clock, french_button_open
):
    pierre = person(
        Role.CEPA_MEMBER, username="pierre", country="SEN", time_zone="Africa/Dakar", language="fr"
    )
    note(pierre, "Relecture attribuée : Chapitre 3", link="/reviews/9/")
    client.post("/accounts/login/", {"username": "pierre", "password": DEFAULT_PASSWORD})

    text = html(client.get(LIST))

    assert '<html lang="fr">' in text
    assert ">Ouvrir</button>" in text
    assert "En cours" not in text
