"""Operations on people: create a person with roles, read and change their preferences and
their own account (name, e-mail, time zone, language)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from cepa_collab.enums import Language, Role
from cepa_collab.models import (
    Branch,
    ChangeCounter,
    MemberState,
    Profile,
    roles_for,
    validate_time_zone,
)

# What follows a person's time zone, called with the person in the transaction that
# changes it: apps above the kernel register here (notifications moves the person's
# deadlines to their new local hour), so the kernel imports none of them.
TIME_ZONE_FOLLOWERS: list[Callable[[object], None]] = []


def follow_time_zone(follower: Callable[[object], None]) -> Callable[[object], None]:
    """Register `follower(user)` to run whenever a person's time zone changes (once)."""
    if follower not in TIME_ZONE_FOLLOWERS:
        TIME_ZONE_FOLLOWERS.append(follower)
    return follower


def profile_for(user) -> Profile:
    """The user's profile, created with defaults for users made outside these services."""
    cached = user._state.fields_cache.get("profile")
    if cached is not None:
        return cached
    profile = Profile.objects.select_related("branch", "country").filter(user=user).first()
    if profile is None:
        profile, _created = Profile.objects.get_or_create(user=user)
    user.profile = profile
    return profile


@transaction.atomic
def create_person(
    *,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    roles: Iterable[Role] = (),
    branch: Branch | None = None,
    country: MemberState | None = None,
    time_zone: str = "UTC",
    language: str = Language.ENGLISH,
    title: str = "",
):
    """Create a user, their profile and their role groups in one transaction.

    `password_hash` (from `make_password`) lets a caller creating many people with the same
    password hash it once (the demo: each hash costs the better part of a second)."""
    User = get_user_model()
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    profile = Profile(
        user=user,
        branch=branch,
        country=country,
        time_zone=time_zone,
        language=language,
        title=title,
    )
    profile.full_clean(exclude=["user"])
    profile.save()
    set_roles(user, roles)
    return user


def set_roles(user, roles: Iterable[Role]) -> None:
    """Make the user's role groups exactly `roles` (other groups are left alone)."""
    wanted = {Role(role).value for role in roles}
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*[g for g in role_groups if g.name not in wanted])
    user.groups.add(*[g for g in role_groups if g.name in wanted])
    user.__dict__.pop("_cepa_roles", None)


@transaction.atomic
def update_preferences(
    user, *, time_zone: str | None = None, language: str | None = None
) -> Profile:
    """Change a person's time zone and/or language; raises ValidationError on bad values."""
    profile = profile_for(user)
    fields = []
    if time_zone is not None:
        profile.time_zone = time_zone
        fields.append("time_zone")
    if language is not None:
        profile.language = language
        fields.append("language")
    if fields:
        profile.full_clean(exclude=["user", "branch", "country"])
        profile.save(update_fields=[*fields, "updated_at"])
    if time_zone is not None:
        for follower in TIME_ZONE_FOLLOWERS:
            follower(user)
    return profile


@transaction.atomic
def update_account(
    user,
    *,
    first_name: str,
    last_name: str,
    email: str,
    time_zone: str,
    language: str,
) -> Profile:
    """Change a person's own name, e-mail address, time zone and language at once: all of it
    or, on a ValidationError (per field), none of it. The e-mail address must be well formed
    and no other account's (in any case); the time zone's followers run only when it changes.
    """
    User = get_user_model()
    locked = User.objects.select_for_update().get(pk=user.pk)
    email = email.strip()
    errors: dict[str, list[str]] = {}
    first_name, last_name = first_name.strip(), last_name.strip()
    if not (first_name or last_name):
        errors["first_name"] = [_("Enter your name, so that others know who you are.")]
    if not email:
        errors["email"] = [_("Enter your e-mail address: notifications are sent there.")]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter an e-mail address like name@example.org.")]
        else:
            taken = (
                User.objects.annotate(address=Lower("email"))
                .filter(address=email.lower())
                .exclude(pk=locked.pk)
                .exists()
            )
            if taken:
                errors["email"] = [
                    _("Another account has this e-mail address: enter an address of your own.")
                ]
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        errors["time_zone"] = exc.messages
    if language not in Language.values:
        errors["language"] = [_("Choose one of the languages offered.")]
    if errors:
        raise ValidationError(errors)
    locked.first_name, locked.last_name, locked.email = first_name, last_name, email
    locked.full_clean(exclude=["password", "username"])
    locked.save(update_fields=["first_name", "last_name", "email"])
    zone_changed = time_zone != profile_for(user).time_zone
    profile = update_preferences(
        user, time_zone=time_zone if zone_changed else None, language=language
    )
    user.first_name, user.last_name, user.email = first_name, last_name, email
    return profile


def greeting_role(user) -> Role | None:
    """The role a person is greeted by: the first of their roles in `Role` order."""
    roles = roles_for(user)
    return roles[0] if roles else None


CALENDAR = "calendar"


def bump_counter(name: str) -> None:
    """Note a change in `name`'s domain (in the caller's transaction)."""
    if not ChangeCounter.objects.filter(name=name).update(value=F("value") + 1):
        ChangeCounter.objects.get_or_create(name=name, defaults={"value": 1})


def counter_value(name: str) -> int:
    # No ordering, no LIMIT games: the cheapest query Django can compile (it runs per poll).
    values = list(
        ChangeCounter.objects.filter(name=name).order_by().values_list("value", flat=True)
    )
    return values[0] if values else 0
