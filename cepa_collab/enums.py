"""Roles and other fixed vocabularies of the organisation core."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """A person's role; each role is a Django group of the same name (its value)."""

    BRANCH_CHIEF = "branch_chief", _("Branch chief")
    BRANCH_STAFF = "branch_staff", _("Branch staff")
    INTER_REGIONAL_ADVISOR = "inter_regional_advisor", _("Inter-Regional Advisor")
    CEPA_MEMBER = "cepa_member", _("CEPA member")
    FOCAL_POINT = "focal_point", _("Member State focal point")
    SECRETARIAT_ADMIN = "secretariat_admin", _("Secretariat administrator")


# Roles held by people working inside the Division (as opposed to external experts).
STAFF_ROLES = frozenset(
    {Role.BRANCH_CHIEF, Role.BRANCH_STAFF, Role.INTER_REGIONAL_ADVISOR, Role.SECRETARIAT_ADMIN}
)
EXTERNAL_ROLES = frozenset({Role.CEPA_MEMBER, Role.FOCAL_POINT})


class Language(models.TextChoices):
    """The languages of the interface and the mails (settings.LANGUAGES holds the same)."""

    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    ARABIC = "ar", _("Arabic")


class InvitationState(models.TextChoices):
    """Where an invitation stands (it follows from its dates: see `Invitation.state`)."""

    PENDING = "pending", pgettext_lazy("state", "Pending")
    ACCEPTED = "accepted", pgettext_lazy("state", "Accepted")
    EXPIRED = "expired", pgettext_lazy("state", "Expired")
    REVOKED = "revoked", pgettext_lazy("state", "Revoked")
