"""Navigation by role: the base layout shows what the person's roles allow."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cepa_collab.enums import STAFF_ROLES, Role
from cepa_collab.models import roles_for

# Roles that work on a branch's deliverables (and may be asked to review one).
_BRANCH_ROLES = frozenset({Role.BRANCH_CHIEF, Role.BRANCH_STAFF, Role.INTER_REGIONAL_ADVISOR})


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    name: str  # the view name (namespace included) of the page it leads to


def _has_review_assignments(user) -> bool:
    return user.review_assignments.exists()


def navigation_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = set(roles_for(user))
    items = [NavItem(_("Home"), reverse("home"), "home")]
    if Role.CEPA_MEMBER in roles or (roles & _BRANCH_ROLES and _has_review_assignments(user)):
        # CEPA members always review; branch people only once someone asked them to (one
        # EXISTS query, only for them).
        items.append(
            NavItem(_("My reviews"), reverse("workflows:my_reviews"), "workflows:my_reviews")
        )
    if roles & _BRANCH_ROLES or Role.SECRETARIAT_ADMIN in roles or user.is_superuser:
        items.append(
            NavItem(
                _("Deliverables"),
                reverse("workflows:deliverable_list"),
                "workflows:deliverable_list",
            )
        )
    if roles & _BRANCH_ROLES or Role.SECRETARIAT_ADMIN in roles or user.is_superuser:
        items.append(NavItem(_("Dashboard"), reverse("workflows:dashboard"), "workflows:dashboard"))
    if (
        roles & _BRANCH_ROLES
        or Role.FOCAL_POINT in roles
        or Role.SECRETARIAT_ADMIN in roles
        or user.is_superuser
    ):
        # Those who may see advisory requests: the branches' people, the admin, and a Member
        # State's focal point (their country's requests).
        items.append(
            NavItem(
                _("Technical cooperation"),
                reverse("advisory:request_list"),
                "advisory:request_list",
            )
        )
    if (
        roles & _BRANCH_ROLES
        or Role.CEPA_MEMBER in roles
        or Role.SECRETARIAT_ADMIN in roles
        or user.is_superuser
    ):
        # CEPA members propose contributions; the branches' people review them.
        items.append(
            NavItem(
                _("Contributions"),
                reverse("contributions:contribution_list"),
                "contributions:contribution_list",
            )
        )
    # Countries and regions are for everyone signed in (what each sees is filtered).
    items.append(
        NavItem(_("Countries"), reverse("knowledge:country_list"), "knowledge:country_list")
    )
    # Meetings and calendar feeds are for everyone signed in (what each sees is filtered).
    items.append(NavItem(_("Meetings"), reverse("meetings:list"), "meetings:list"))
    items.append(
        NavItem(
            _("Calendar subscriptions"), reverse("meetings:subscriptions"), "meetings:subscriptions"
        )
    )
    if roles & STAFF_ROLES or user.is_superuser:
        items.append(NavItem(_("API"), reverse("swagger-ui"), "swagger-ui"))
    if Role.SECRETARIAT_ADMIN in roles or user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin:index"))
    return items
