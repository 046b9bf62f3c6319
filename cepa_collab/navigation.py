"""Navigation by role: the base layout shows what the person's roles allow."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cepa_collab.enums import STAFF_ROLES, Role
from cepa_collab.models import roles_for


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    name: str


def navigation_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = set(roles_for(user))
    items = [NavItem(_("Home"), reverse("home"), "home")]
    if roles & STAFF_ROLES or user.is_superuser:
        items.append(NavItem(_("API"), reverse("swagger-ui"), "api"))
    if Role.SECRETARIAT_ADMIN in roles or user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin"))
    return items
