"""Navigation by role: the base layout shows what the person's roles allow.

Who someone is comes from `cepa_collab.viewer`, as for every rule of every app; what each
list shows them is filtered by the list itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cepa_collab import invitations, viewer
from cepa_collab.enums import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    name: str  # the view name (namespace included) of the page it leads to


def _has_review_assignments(user) -> bool:
    return user.review_assignments.exists()


def _item(label, name: str) -> NavItem:
    return NavItem(label, reverse(name), name)


def navigation_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    branch_person = viewer.is_branch_person(user)
    admin = viewer.is_admin(user)
    items = [_item(_("Home"), "home")]
    if viewer.has_role(user, Role.CEPA_MEMBER) or (branch_person and _has_review_assignments(user)):
        # CEPA members always review; branch people only once someone asked them to (one
        # EXISTS query, only for them).
        items.append(_item(_("My reviews"), "workflows:my_reviews"))
    if branch_person or admin:
        items.append(_item(_("Deliverables"), "workflows:deliverable_list"))
        items.append(_item(_("Products"), "workflows:product_list"))
        # The secretariat's dashboard is the Division view (`workflows.dashboard.sees_division`
        # is the same `viewer.is_admin`): linked straight, not through a redirect.
        dashboard = "workflows:division" if admin else "workflows:dashboard"
        items.append(_item(_("Dashboard"), dashboard))
    if branch_person or admin or viewer.has_role(user, Role.FOCAL_POINT):
        # Those who may see advisory requests: the branches' people, the admin, and a Member
        # State's focal point (their country's requests).
        items.append(_item(_("Technical cooperation"), "advisory:request_list"))
    if branch_person or admin or viewer.has_role(user, Role.CEPA_MEMBER):
        # CEPA members propose contributions; the branches' people review them.
        items.append(_item(_("Contributions"), "contributions:contribution_list"))
    # Countries and regions, meetings and calendar feeds are for everyone signed in (what
    # each sees is filtered).
    items.append(_item(_("Countries"), "knowledge:country_list"))
    items.append(_item(_("Meetings"), "meetings:list"))
    items.append(_item(_("Calendar subscriptions"), "meetings:subscriptions"))
    if invitations.may_invite(user):
        items.append(_item(_("Invitations"), "invitation_list"))
    items.append(_item(_("Your account"), "account"))
    items.append(_item(_("Sign-in and security"), "account_security"))
    if viewer.is_division_staff(user):
        items.append(_item(_("API"), "swagger-ui"))
    if viewer.has_role(user, Role.SECRETARIAT_ADMIN) or user.is_staff:
        items.append(_item(_("Administration"), "admin:index"))
    return items
