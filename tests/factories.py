"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState, Profile
from cepa_collab.services import set_roles

DEFAULT_PASSWORD = "correct horse battery staple"


def branch(code: str = "e-govb") -> Branch:
    """One of the three branches the migration loads."""
    return Branch.objects.get(code=code)


def member_state(iso3: str = "GHA") -> MemberState:
    return MemberState.objects.get(iso3=iso3)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEFAULT_PASSWORD)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    time_zone = "UTC"
    language = "en"


def person(*roles: Role, branch_code: str | None = None, country: str | None = None, **kwargs):
    """A user with a profile and the given roles, e.g. `person(Role.CEPA_MEMBER)`."""
    profile_kwargs = {
        key: kwargs.pop(key) for key in ("time_zone", "language", "title") if key in kwargs
    }
    user = UserFactory(**kwargs)
    ProfileFactory(
        user=user,
        branch=branch(branch_code) if branch_code else None,
        country=member_state(country) if country else None,
        **profile_kwargs,
    )
    set_roles(user, roles)
    return user
