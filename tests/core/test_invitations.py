"""Invitations: who may invite whom, a list of addresses all or nothing, the single-use
expiring link, resend and revoke, the mail and the pages."""

from __future__ import annotations

import datetime
import logging
import re
import smtplib

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from cepa_collab import invitations
from cepa_collab.celery import app as celery_app
from cepa_collab.enums import InvitationState, Role
from cepa_collab.invitation_log_filter import RedactInvitationTokens
from cepa_collab.models import Invitation, MemberState, roles_for
from tests.factories import person

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
LIST = """Amina Diallo <Amina.Diallo@example.org>

lars@example.se
"Chen Wei" <chen.wei@example.cn>
"""


def _link(message) -> str:
    found = re.search(r"https?://\S+/invitation/(\S+?)/", message.body)
    assert found is not None, message.body
    return found.group(0)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _invite(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/invitations/new/", data)


# --- who may invite --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "cepa_member_allowed", "focal_point_allowed"),
    [
        ("secretariat_admin", True, True),
        ("chief", True, True),
        ("staff", True, True),
        ("ira", False, True),
        ("cepa_member", False, False),
        ("focal_point", False, False),
    ],
)
def test_who_may_invite_follows_the_role_model(
    request, who, cepa_member_allowed, focal_point_allowed
):
    user = request.getfixturevalue(who)

    assert invitations.may_invite(user, Role.CEPA_MEMBER) is cepa_member_allowed
    assert invitations.may_invite(user, Role.FOCAL_POINT) is focal_point_allowed
    assert invitations.may_invite(user, Role.BRANCH_STAFF) is False


def test_the_invite_page_shows_the_list_format_as_text(client, staff):
    client.force_login(staff)

    page = client.get("/invitations/new/")

    # the example reads "Name <address>" in the browser, not an HTML element
    assert "“Name &lt;address&gt;”" in page.content.decode()
    assert "<address>" not in page.content.decode()


def test_the_invite_page_opens_to_staff_and_not_to_a_cepa_member(
    client, staff, cepa_member, django_capture_on_commit_callbacks
):
    data = {"addresses": "new@example.org", "role": Role.CEPA_MEMBER, "language": "en"}
    client.force_login(cepa_member)
    denied_page = client.get("/invitations/new/")
    denied = _invite(client, data, django_capture_on_commit_callbacks)
    denied_list = client.get("/invitations/")

    assert (denied_page.status_code, denied.status_code, denied_list.status_code) == (403,) * 3
    assert Invitation.objects.count() == 0
    assert mail.outbox == []

    client.force_login(staff)
    allowed = _invite(client, data, django_capture_on_commit_callbacks)

    assert allowed.status_code == 302
    assert list(Invitation.objects.values_list("email", "role", "invited_by")) == [
        ("new@example.org", Role.CEPA_MEMBER, staff.pk)
    ]
    assert [message.to for message in mail.outbox] == [["new@example.org"]]


def test_an_advisor_may_invite_a_focal_point_but_not_a_cepa_member(
    client, ira, django_capture_on_commit_callbacks
):
    client.force_login(ira)
    oman = MemberState.objects.get(iso3="OMN").pk
    member = _invite(
        client,
        {"addresses": "x@example.org", "role": Role.CEPA_MEMBER, "language": "en"},
        django_capture_on_commit_callbacks,
    )
    focal = _invite(
        client,
        {
            "addresses": "focal@example.om",
            "role": Role.FOCAL_POINT,
            "country": oman,
            "language": "en",
        },
        django_capture_on_commit_callbacks,
    )

    assert member.status_code == 400  # not a choice offered to them
    assert focal.status_code == 302
    assert list(Invitation.objects.values_list("email", "role", "country__iso3")) == [
        ("focal@example.om", Role.FOCAL_POINT, "OMN")
    ]
    assert len(mail.outbox) == 1


# --- a list of addresses ---------------------------------------------------------------------


def test_a_list_invites_everyone_on_it_with_names(
    staff, settings, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        created = invitations.invite_many(staff, addresses=LIST, role=Role.CEPA_MEMBER)

    assert [(i.email, i.name) for i in created] == [
        ("amina.diallo@example.org", "Amina Diallo"),
        ("lars@example.se", ""),
        ("chen.wei@example.cn", "Chen Wei"),
    ]
    assert {i.expires_at for i in created} == {NOW + datetime.timedelta(days=14)}
    assert sorted(message.to[0] for message in mail.outbox) == [
        "amina.diallo@example.org",
        "chen.wei@example.cn",
        "lars@example.se",
    ]


def test_a_list_with_bad_lines_names_every_one_at_once_and_saves_nothing(
    client, staff, cepa_member, django_capture_on_commit_callbacks
):
    invitations_before = Invitation.objects.count()
    client.force_login(staff)
    text = "\n".join(
        [
            "good@example.org",
            "not an address",
            "Someone <broken",
            cepa_member.email.upper(),
            "good@example.org",
        ]
    )

    response = _invite(
        client,
        {"addresses": text, "role": Role.CEPA_MEMBER, "language": "en"},
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 400
    assert response.context["form"].errors["addresses"] == [
        "Line 2: “not an address” is not an e-mail address.",
        "Line 3: write “Name <address>” or the address alone.",
        f"Line 4: {cepa_member.email} already has an account; give them the role instead of "
        "inviting them.",
        "Line 5: good@example.org is already on line 1.",
    ]
    assert Invitation.objects.count() == invitations_before
    assert mail.outbox == []


def test_an_address_with_an_account_is_refused_not_given_a_second_one(staff, cepa_member):
    with pytest.raises(ValidationError) as refused:
        invitations.invite_many(
            staff,
            # the first address holds the second: each is named by its own line
            addresses=f"x{cepa_member.email}\n{cepa_member.email.upper()}",
            role=Role.CEPA_MEMBER,
        )

    assert refused.value.message_dict == {
        "addresses": [
            f"Line 2: {cepa_member.email} already has an account; give them the role "
            "instead of inviting them."
        ]
    }
    assert Invitation.objects.count() == 0


def test_an_address_already_invited_is_refused_until_its_invitation_expires(
    staff, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        first = invitations.invite(staff, email="a@example.org", role=Role.CEPA_MEMBER)
        with pytest.raises(ValidationError) as refused:
            invitations.invite(staff, email="A@example.org", role=Role.CEPA_MEMBER)
    with time_machine.travel(NOW + datetime.timedelta(days=15), tick=False):
        second = invitations.invite(staff, email="a@example.org", role=Role.CEPA_MEMBER)
        first.refresh_from_db()
        states = [first.state, second.state]

    assert refused.value.message_dict["addresses"] == [
        "Line 1: a@example.org is already invited (until 2026-12-21); send the invitation "
        "again from the list instead."
    ]
    assert states == [InvitationState.REVOKED, InvitationState.PENDING]


def test_a_focal_point_needs_a_country(staff):
    with pytest.raises(ValidationError) as refused:
        invitations.invite(staff, email="f@example.org", role=Role.FOCAL_POINT)

    assert refused.value.message_dict == {
        "country": ["A Member State focal point needs their country."]
    }
    assert Invitation.objects.count() == 0


# --- the link --------------------------------------------------------------------------------


def _invited(staff, django_capture_on_commit_callbacks, **kwargs) -> tuple[Invitation, str]:
    kwargs.setdefault("role", Role.FOCAL_POINT)
    kwargs.setdefault("country", MemberState.objects.get(iso3="OMN"))
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invite(
            staff, email="Salim@Example.om", name="Salim Al-Harthy", **kwargs
        )
    return invitation, _path(_link(mail.outbox[-1]))


ACCEPT = {
    "first_name": "Salim",
    "last_name": "Al-Harthy",
    "password": "a long Muscat password",
    "password_again": "a long Muscat password",
}


def test_the_link_sets_a_password_and_signs_in_with_the_role_and_country(
    client, staff, django_capture_on_commit_callbacks
):
    invitation, path = _invited(staff, django_capture_on_commit_callbacks)

    page = client.get(path)
    response = client.post(path, ACCEPT)

    user = get_user_model().objects.get(email="salim@example.om")
    assert page.status_code == 200
    assert page.context["form"].initial == {"first_name": "Salim", "last_name": "Al-Harthy"}
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").context["user"] == user
    assert (user.username, user.get_full_name()) == ("salim@example.om", "Salim Al-Harthy")
    assert user.check_password("a long Muscat password")
    assert roles_for(user) == [Role.FOCAL_POINT]
    assert user.profile.country.iso3 == "OMN"
    invitation.refresh_from_db()
    assert (invitation.state, invitation.user, invitation.token_hash) == (
        InvitationState.ACCEPTED,
        user,
        "",
    )


def test_the_link_works_once(client, staff, django_capture_on_commit_callbacks):
    _invitation, path = _invited(staff, django_capture_on_commit_callbacks)
    client.post(path, ACCEPT)
    client.logout()

    again = client.post(path, {**ACCEPT, "password": "another long password 2"})

    assert again.status_code == 410
    assert "already been accepted" in again.content.decode()
    assert get_user_model().objects.filter(email="salim@example.om").count() == 1
    assert get_user_model().objects.get(email="salim@example.om").check_password(ACCEPT["password"])


def test_the_link_expires_after_the_configured_days(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_DAYS = 3
    with time_machine.travel(NOW, tick=False):
        _invitation, path = _invited(staff, django_capture_on_commit_callbacks)
    with time_machine.travel(NOW + datetime.timedelta(days=3, seconds=-1), tick=False):
        still = client.get(path)
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        expired = client.get(path)
        refused = client.post(path, ACCEPT)

    assert still.status_code == 200
    assert expired.status_code == 410
    assert "This invitation has expired." in expired.content.decode()
    assert refused.status_code == 410
    assert not get_user_model().objects.filter(email="salim@example.om").exists()


def test_a_tampered_link_is_refused(client, staff, django_capture_on_commit_callbacks):
    _invitation, path = _invited(staff, django_capture_on_commit_callbacks)

    response = client.post(path[:-3] + "xx/", ACCEPT)

    assert response.status_code == 404
    assert "not a valid invitation" in response.content.decode()
    assert not get_user_model().objects.filter(email="salim@example.om").exists()


def test_a_weak_password_is_refused_on_the_field(client, staff, django_capture_on_commit_callbacks):
    _invitation, path = _invited(staff, django_capture_on_commit_callbacks)

    response = client.post(path, {**ACCEPT, "password": "salim", "password_again": "salim"})

    assert response.status_code == 400
    assert response.context["form"].errors["password"] == [
        "The password is too similar to the username.",
        "This password is too short. It must contain at least 8 characters.",
    ]
    assert not get_user_model().objects.filter(email="salim@example.om").exists()


def test_an_address_registered_meanwhile_gets_a_clear_error(
    client, staff, django_capture_on_commit_callbacks
):
    _invitation, path = _invited(staff, django_capture_on_commit_callbacks)
    person(Role.CEPA_MEMBER, username="salim", email="SALIM@example.om")

    response = client.post(path, ACCEPT)

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "An account with the address salim@example.om exists already: sign in, or reset "
        "your password."
    ]
    assert get_user_model().objects.filter(email__iexact="salim@example.om").count() == 1


def test_the_stored_digest_is_not_the_token_and_the_mail_is_in_the_invitation_language(
    staff, django_capture_on_commit_callbacks
):
    invitation, path = _invited(staff, django_capture_on_commit_callbacks, language="fr")
    invitation.refresh_from_db()
    message = mail.outbox[-1]

    token = path.split("/")[2]
    assert len(invitation.token_hash) == 64
    assert invitation.token_hash not in path
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert message.extra_headers["Content-Language"] == "fr"
    assert message.alternatives[0][1] == "text/html"
    assert '<html lang="fr" dir="ltr">' in message.alternatives[0][0]


# --- resend and revoke -----------------------------------------------------------------------


def test_resend_sends_a_new_link_and_the_old_one_stops_working(
    client, staff, django_capture_on_commit_callbacks
):
    invitation, old_path = _invited(staff, django_capture_on_commit_callbacks)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/invitations/{invitation.pk}/resend/")
    new_path = _path(_link(mail.outbox[-1]))
    client.logout()

    old = client.get(old_path)
    new = client.get(new_path)

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert old.status_code == 404
    assert "sent again with a new link" in old.content.decode()
    assert new.status_code == 200


def test_resend_renews_an_expired_invitation(staff, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        invitation, _link_path = _invited(staff, django_capture_on_commit_callbacks)
    later = NOW + datetime.timedelta(days=20)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            invitations.resend(staff, invitation)
        invitation.refresh_from_db()
        state = invitation.state

    assert state == InvitationState.PENDING
    assert invitation.expires_at == later + datetime.timedelta(days=14)
    assert invitation.send_count == 2


def test_revoke_is_for_inviters_and_kills_the_link(
    client, staff, cepa_member, django_capture_on_commit_callbacks
):
    invitation, path = _invited(staff, django_capture_on_commit_callbacks)
    client.force_login(cepa_member)
    denied = client.post(f"/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    state_after_denial = invitation.state

    client.force_login(staff)
    confirm = client.get(f"/invitations/{invitation.pk}/revoke/")
    allowed = client.post(f"/invitations/{invitation.pk}/revoke/")
    again = client.post(f"/invitations/{invitation.pk}/revoke/", follow=True)
    client.logout()
    link = client.get(path)

    assert denied.status_code == 404  # not among the invitations they may see
    assert state_after_denial == InvitationState.PENDING
    assert confirm.status_code == 200
    assert allowed.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.REVOKED
    assert [str(m) for m in again.context["messages"]] == [
        "The invitation to salim@example.om was revoked: its link no longer works.",
        "This invitation has been revoked.",
    ]
    assert link.status_code == 410
    assert "withdrawn" in link.content.decode()


def test_an_advisor_may_not_resend_a_cepa_member_invitation(
    client, staff, ira, django_capture_on_commit_callbacks
):
    invitation, _link_path = _invited(
        staff, django_capture_on_commit_callbacks, role=Role.CEPA_MEMBER
    )
    client.force_login(ira)

    response = client.post(f"/invitations/{invitation.pk}/resend/")

    assert response.status_code == 404
    assert len(mail.outbox) == 1


def test_the_list_shows_each_state(client, staff, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        made = invitations.invite_many(staff, addresses=LIST, role=Role.CEPA_MEMBER)
        invitations.revoke(staff, made[1])
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        path = _path(_link(next(m for m in mail.outbox if m.to == ["chen.wei@example.cn"])))
        client.post(path, ACCEPT)
        client.force_login(staff)
        html_now = client.get("/invitations/").content.decode()
    with time_machine.travel(NOW + datetime.timedelta(days=30), tick=False):
        client.force_login(staff)
        html_later = client.get("/invitations/").content.decode()

    assert [html_now.count(label) for label in ("Pending", "Accepted", "Revoked")] == [1, 1, 1]
    assert "Expired" not in html_now
    assert [html_later.count(label) for label in ("Expired", "Accepted", "Revoked")] == [1, 1, 1]


def test_the_list_costs_a_fixed_number_of_queries(
    client, staff, django_assert_num_queries, django_capture_on_commit_callbacks
):
    invitations.invite(staff, email="one@example.org", role=Role.CEPA_MEMBER)
    client.force_login(staff)
    client.get("/invitations/")
    with django_assert_num_queries(8) as first:  # 7, and the viewer's profile (time zone)
        client.get("/invitations/")
    invitations.invite_many(
        staff,
        addresses="\n".join(f"p{n}@example.org" for n in range(20)),
        role=Role.CEPA_MEMBER,
    )

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get("/invitations/")

    assert response.context["page"].paginator.count == 21


# --- the token never reaches a log -----------------------------------------------------------


def test_the_token_is_cut_from_request_logs(client, staff, django_capture_on_commit_callbacks):
    _invitation, path = _invited(staff, django_capture_on_commit_callbacks)
    token = path.split("/")[2]
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET %s HTTP/1.1" 200', (path,), None
    )

    RedactInvitationTokens().filter(record)

    assert token not in record.getMessage()
    assert f"/invitation/{token[:6]}…" in record.getMessage()


def test_sending_logs_no_token(staff, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.DEBUG):
        _invitation, path = _invited(staff, django_capture_on_commit_callbacks)
    token = path.split("/")[2]

    assert caplog.records
    assert token not in caplog.text


def test_a_mail_failure_is_retried_with_a_new_link(
    staff, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MAIL_RETRY_BACKOFF = 1
    # Eager tasks retry at once when their errors are not propagated (as a worker would,
    # after the countdown).
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    real_send = invitations.EmailMultiAlternatives.send
    attempts = []

    def flaky_send(message, *args, **kwargs):
        attempts.append(message.body)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(invitations.EmailMultiAlternatives, "send", flaky_send)

    invitation, path = _invited(staff, django_capture_on_commit_callbacks)
    invitation.refresh_from_db()

    assert len(attempts) == 2
    assert len(mail.outbox) == 1
    assert invitation.send_count == 2
    assert path in mail.outbox[0].body
    assert path not in attempts[0]  # the first link, never delivered, no longer works
    assert invitations.from_token(path.split("/")[2]) == invitation


def test_the_navigation_offers_invitations_to_inviters_only(client, staff, ira, cepa_member):
    shown = {}
    for who in (staff, ira, cepa_member):
        client.force_login(who)
        shown[who.username] = 'href="/invitations/"' in client.get("/").content.decode()

    assert shown == {"staff": True, "ira": True, "amina": False}


def test_the_list_shows_the_state_as_a_tag_and_the_expiry_as_a_date(
    client, staff, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        _invited(staff, django_capture_on_commit_callbacks)
        client.force_login(staff)
        page = client.get("/invitations/").content.decode()

    assert '<td><strong class="tag tag--pending">Pending</strong></td>' in page
    assert '<td><time datetime="2026-12-21">21 December 2026</time></td>' in page
    assert "<td>Oman</td>" in page
    assert (
        '<div class="table-wrap" role="region" aria-labelledby="invitations-caption" tabindex="0">'
    ) in page


def test_the_list_without_invitations_says_so(client, staff):
    client.force_login(staff)

    page = client.get("/invitations/").content.decode()

    assert '<p class="empty">No invitations yet.</p>' in page
    assert "<table" not in page


def test_revoking_is_a_warning_button_on_its_confirmation_page(
    client, staff, django_capture_on_commit_callbacks
):
    invitation, _path = _invited(staff, django_capture_on_commit_callbacks)
    client.force_login(staff)

    listed = client.get("/invitations/").content.decode()
    confirm = client.get(f"/invitations/{invitation.pk}/revoke/").content.decode()

    assert "button--warning" not in listed
    assert (
        '<button type="submit" class="button button--warning">Revoke the invitation</button>'
    ) in confirm
