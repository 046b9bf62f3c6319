"""Invitations: the Division invites CEPA members and Member State focal points by e-mail.

One invitation per address and role; a new CEPA term invites its 24 members from one
list (`invite_many`). The mailed link carries a signed token (`signing.dumps` of the
invitation's id and a random secret); only the secret's SHA-256 is stored, so the table
never holds a usable link. Sending (`send`) issues a fresh secret each time, so a resent
invitation's older links stop working. The link lets the person choose a password
(`accept`): their account is made with the invitation's role and country, and the link is
used up. An invitation expires `INVITATION_DAYS` after it was last sent.

Who may invite whom is written once, in `INVITERS` and the rule book `RULES`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cepa_collab import services
from cepa_collab.enums import InvitationState, Language, Role
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.models import Invitation, MemberState, roles_for
from cepa_collab.names import display_name
from cepa_collab.rulebook import Rule, RuleBook

logger = logging.getLogger(__name__)

SALT = "cepa_collab.invitation"
SEND_TASK = "cepa_collab.send_invitation"
MAX_ADDRESSES = 100  # in one list

# Who may invite each invitable role (the external roles: staff accounts are the
# secretariat's to make). Superusers may invite either.
INVITERS: dict[Role, frozenset[Role]] = {
    Role.CEPA_MEMBER: frozenset({Role.SECRETARIAT_ADMIN, Role.BRANCH_CHIEF, Role.BRANCH_STAFF}),
    Role.FOCAL_POINT: frozenset(
        {
            Role.SECRETARIAT_ADMIN,
            Role.BRANCH_CHIEF,
            Role.BRANCH_STAFF,
            Role.INTER_REGIONAL_ADVISOR,
        }
    ),
}
INVITABLE_ROLES = tuple(INVITERS)


def may_invite(user, role: str | None = None) -> bool:
    """May `user` invite people of `role` (of any invitable role when None)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    wanted = INVITABLE_ROLES if role is None else [role]
    if user.is_superuser:
        return any(item in INVITERS for item in wanted)
    held = set(roles_for(user))
    return any(bool(INVITERS.get(item, frozenset()) & held) for item in wanted)


def roles_invitable_by(user) -> list[Role]:
    return [role for role in INVITABLE_ROLES if may_invite(user, role)]


def _is_open(invitation: Invitation) -> bool:
    return invitation.accepted_at is None and invitation.revoked_at is None


def _closed_message(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return gettext("This invitation has already been accepted.")
    return gettext("This invitation has been revoked.")


_MANAGE_DENIED = _("You may not manage invitations of this role.")

RULES = RuleBook(
    # obj: the role to invite
    invite=Rule(
        who=lambda role, user: may_invite(user, role),
        denied=_("You may not invite people with this role."),
    ),
    # obj: an invitation; whoever may invite its role may send it again or revoke it
    resend=Rule(
        who=lambda invitation, user: may_invite(user, invitation.role),
        denied=_MANAGE_DENIED,
        when=_is_open,
        not_now=_closed_message,
    ),
    revoke=Rule(
        who=lambda invitation, user: may_invite(user, invitation.role),
        denied=_MANAGE_DENIED,
        when=_is_open,
        not_now=_closed_message,
    ),
)


def visible_to(user):
    """The invitations `user` may see and manage: those of the roles they may invite."""
    return (
        Invitation.objects.filter(role__in=roles_invitable_by(user))
        .select_related("country", "invited_by", "user")
        .order_by("-created_at", "-pk")
    )


def get_for_user(user, pk: int) -> Invitation:
    """The invitation, or 404 if `user` may not see it."""
    invitation = visible_to(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


# --- reading a list of addresses -----------------------------------------------------------


@dataclass(frozen=True)
class Address:
    email: str
    name: str = ""
    line: int = 0  # its line in the list


_LINE = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<\s*(?P<email>[^<>\s]+)\s*>\s*$")


def parse_addresses(text: str) -> list[Address]:
    """One address a line, `address` or `Name <address>`; blank lines are skipped.

    Raises a ValidationError naming `addresses` with one message per bad line ("Line 3:
    …"), so that the person fixes them all at once.
    """
    found, errors = _read_addresses(text)
    if errors:
        raise ValidationError({"addresses": [message for _line, message in sorted(errors)]})
    return found


def _read_addresses(text: str) -> tuple[list[Address], list[tuple[int, str]]]:
    """The addresses of `text`, and the errors of its lines as (line, message)."""
    found: list[Address] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip().strip(",;")
        if not line:
            continue
        match = _LINE.match(line)
        if match:
            name, email = match.group("name").strip().strip('"'), match.group("email")
        elif "<" in line or ">" in line:
            errors.append(
                (
                    number,
                    gettext("Line %(line)d: write “Name <address>” or the address alone.")
                    % {"line": number},
                )
            )
            continue
        else:
            name, email = "", line
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                (
                    number,
                    gettext("Line %(line)d: “%(address)s” is not an e-mail address.")
                    % {"line": number, "address": email},
                )
            )
            continue
        if email in seen:
            errors.append(
                (
                    number,
                    gettext("Line %(line)d: %(address)s is already on line %(first)d.")
                    % {"line": number, "address": email, "first": seen[email]},
                )
            )
            continue
        seen[email] = number
        found.append(Address(email=email, name=name[:150], line=number))
    if not found and not errors:
        errors.append((0, gettext("Give at least one e-mail address.")))
    if len(found) > MAX_ADDRESSES:
        errors.append(
            (0, gettext("At most %(count)d addresses at a time.") % {"count": MAX_ADDRESSES})
        )
    return found, errors


# --- inviting ----------------------------------------------------------------------------------


def _registered(emails: list[str]) -> set[str]:
    """The addresses of `emails` (lower case) that an account has already."""
    found = (
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address__in=emails)
        .values_list("address", flat=True)
    )
    return set(found)


def _check_country(role: str, country: MemberState | None) -> None:
    if role == Role.FOCAL_POINT and country is None:
        raise ValidationError(
            {"country": gettext("A Member State focal point needs their country.")}
        )


def invite_many(
    actor,
    *,
    addresses: str,
    role: str,
    country: MemberState | None = None,
    language: str = "",
) -> list[Invitation]:
    """Invite every address of `addresses` (one a line, see `parse_addresses`) with one
    role; all or none: any bad line, any address already registered or already invited
    refuses the whole list with a message per line. Mails go after commit."""
    RULES.invite.require(role, actor)
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": gettext("Choose a CEPA member or a focal point.")})
    _check_country(role, country)
    if language not in Language.values:
        language = translation.get_language() or ""
        language = language if language in Language.values else settings.LANGUAGE_CODE
    # Every line's problem at once: the bad lines, the registered and the invited addresses.
    wanted, errors = _read_addresses(addresses)
    emails = [address.email for address in wanted]
    line_of = {address.email: address.line for address in wanted}
    for email in _registered(emails):
        errors.append(
            (
                line_of[email],
                gettext(
                    "Line %(line)d: %(address)s already has an account; give them the role "
                    "instead of inviting them."
                )
                % {"line": line_of[email], "address": email},
            )
        )
    now = timezone.now()
    with transaction.atomic():
        open_ones = {
            invitation.email: invitation
            for invitation in Invitation.objects.open()
            .filter(email__in=emails)
            .select_for_update(of=("self",))
        }
        for email in emails:
            invitation = open_ones.get(email)
            if invitation is not None and invitation.state == InvitationState.PENDING:
                errors.append(
                    (
                        line_of[email],
                        gettext(
                            "Line %(line)d: %(address)s is already invited (until %(date)s); "
                            "send the invitation again from the list instead."
                        )
                        % {
                            "line": line_of[email],
                            "address": email,
                            "date": timezone.localdate(invitation.expires_at).isoformat(),
                        },
                    )
                )
        if errors:
            raise ValidationError({"addresses": [message for _line, message in sorted(errors)]})
        # An expired invitation of the same address gives way to the new one.
        Invitation.objects.filter(pk__in=[i.pk for i in open_ones.values()]).update(
            revoked_at=now, revoked_by=actor, updated_at=now
        )
        try:
            with transaction.atomic():
                created = Invitation.objects.bulk_create(
                    [
                        Invitation(
                            email=address.email,
                            name=address.name,
                            role=role,
                            country=country,
                            language=language,
                            invited_by=actor,
                            expires_at=now + timedelta(days=settings.INVITATION_DAYS),
                        )
                        for address in wanted
                    ]
                )
        except IntegrityError:
            raise ServiceConflict(
                gettext("Someone invited one of these addresses at the same time; try again.")
            ) from None
        for invitation in created:
            _enqueue_send(invitation.pk)
    logger.info("%s invited %d people as %s", actor.get_username(), len(created), role)
    return created


def invite(actor, *, email: str, name: str = "", role: str, **kwargs) -> Invitation:
    """Invite one person (see `invite_many`)."""
    line = f"{name} <{email}>" if name else email
    return invite_many(actor, addresses=line, role=role, **kwargs)[0]


def _enqueue_send(pk: int) -> None:
    transaction.on_commit(lambda: current_app.tasks[SEND_TASK].delay(invitation_id=pk))


@transaction.atomic
def resend(actor, invitation: Invitation) -> Invitation:
    """Send the invitation again with a new link (the older links stop working), valid
    `INVITATION_DAYS` from now; an expired invitation is renewed so."""
    locked = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    RULES.resend.require(locked, actor)
    locked.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    locked.save(update_fields=["expires_at", "updated_at"])
    _enqueue_send(locked.pk)
    return locked


@transaction.atomic
def revoke(actor, invitation: Invitation) -> Invitation:
    """Withdraw the invitation: its link stops working."""
    locked = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    RULES.revoke.require(locked, actor)
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.token_hash = ""
    locked.save(update_fields=["revoked_at", "revoked_by", "token_hash", "updated_at"])
    return locked


# --- the link ----------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(invitation: Invitation) -> str:
    """A new link's token for `invitation` (the previous ones stop working); saves its
    digest. The token itself is never stored nor logged."""
    secret = secrets.token_urlsafe(32)
    invitation.token_hash = _digest(secret)
    invitation.save(update_fields=["token_hash", "updated_at"])
    return signing.dumps({"i": invitation.pk, "s": secret}, salt=SALT)


def accept_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('invitation_accept', args=[token])}"


class LinkError(Exception):
    """The link cannot be used: `reason` is "invalid", "replaced", or the state
    (accepted, expired, revoked) of its invitation."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def from_token(token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation a link's token names, or LinkError saying why not."""
    try:
        content = signing.loads(token, salt=SALT)
        pk, secret = int(content["i"]), str(content["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkError("invalid") from None
    queryset = Invitation.objects.select_related("country")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(pk=pk).first()
    if invitation is None:
        raise LinkError("invalid")
    state = invitation.state
    if state != InvitationState.PENDING:
        raise LinkError(state, invitation)
    if not invitation.token_hash or not hmac.compare_digest(invitation.token_hash, _digest(secret)):
        raise LinkError("replaced", invitation)
    return invitation


def _username_for(email: str) -> str:
    User = get_user_model()
    if (
        len(email) <= 150
        and re.fullmatch(r"[\w.@+-]+", email)
        and not User.objects.filter(username__iexact=email).exists()
    ):
        return email
    base = re.sub(r"[^\w.+-]", "", email.split("@")[0])[:30] or "person"
    return f"{base}-{secrets.token_hex(3)}"


def _already_registered(email: str) -> ValidationError:
    return ValidationError(
        gettext(
            "An account with the address %(address)s exists already: sign in, or reset "
            "your password."
        )
        % {"address": email}
    )


def _create_account(invitation: Invitation, *, first_name: str, last_name: str, password=None):
    if _registered([invitation.email]):
        raise _already_registered(invitation.email)
    user = services.create_person(
        username=_username_for(invitation.email),
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        password=password,
        roles=[invitation.role],
        country=invitation.country,
        language=invitation.language,
    )
    now = timezone.now()
    invitation.accepted_at = now
    invitation.user = user
    invitation.token_hash = ""
    invitation.save(update_fields=["accepted_at", "user", "token_hash", "updated_at"])
    logger.info("Invitation %s accepted: account %s", invitation.pk, user.get_username())
    return user


@transaction.atomic
def accept(token: str, *, first_name: str, last_name: str, password: str):
    """Make the invited person's account with the password they chose; the link is used
    up. Raises LinkError if the link cannot be used, ValidationError for a weak password
    (naming `password`) or an address registered meanwhile."""
    invitation = from_token(token, lock=True)
    User = get_user_model()
    candidate = User(
        username=invitation.email,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
    )
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    return _create_account(
        invitation, first_name=first_name, last_name=last_name, password=password
    )


@transaction.atomic
def accept_by_sign_on(email: str, *, first_name: str = "", last_name: str = ""):
    """Single sign-on by someone whose verified address has a pending invitation: their
    account is made (no password: they sign in through the provider) and the invitation
    is used up. None when the address has no pending invitation."""
    invitation = (
        Invitation.objects.pending()
        .select_for_update(of=("self",))
        .filter(email=email.lower())
        .first()
    )
    if invitation is None:
        return None
    return _create_account(invitation, first_name=first_name, last_name=last_name)


# --- the mail ----------------------------------------------------------------------------------


def send(invitation_id: int) -> bool:
    """Mail a pending invitation with a new link (the Celery task's step). Returns False
    when there is nothing to send (accepted, revoked, expired or gone)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("country", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.state != InvitationState.PENDING:
            return False
        token = issue_token(invitation)
        invitation.sent_at = timezone.now()
        invitation.send_count += 1
        invitation.save(update_fields=["sent_at", "send_count", "updated_at"])
    message(invitation, token).send()
    logger.info("Invitation %s mailed (time %d)", invitation.pk, invitation.send_count)
    return True


def message(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    """The invitation mail, plain text and HTML, in the invitation's language."""
    inviter = display_name(invitation.invited_by)
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "inviter": inviter,
            "role": invitation.get_role_display(),
            "url": accept_url(token),
            "expires": invitation.expires_at,
            "site_url": settings.SITE_URL,
        }
        subject = gettext("%(inviter)s invites you to CEPA Collab") % {"inviter": inviter}
        text = render_to_string("cepa_collab/mail/invitation.txt", context)
        html = render_to_string("cepa_collab/mail/invitation.html", context)
    mail = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:250],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Content-Language": invitation.language,
        },
    )
    mail.attach_alternative(html, "text/html")
    return mail
