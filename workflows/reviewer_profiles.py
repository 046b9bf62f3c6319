"""A CEPA member's own reviewer profile: what they review (themes, regions), how much at once,
when they are away and their standing conflicts of interest. Staff read it when choosing
reviewers (`workflows.reviewers`); only the member changes it, through these operations.

Every operation takes the acting person and changes only that person's own records: there is
no "whose" argument to get wrong. Someone who is not a CEPA member is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from cepa_collab import viewer
from cepa_collab.enums import Role
from cepa_collab.models import Region
from workflows.models import AwayPeriod, ReviewerProfile

# The most assignments at once a member may ask for (the chooser ranks those at their limit
# last; more than this is a typing slip, not a capacity).
MOST_AT_ONCE = 20


def may_have_reviewer_profile(user) -> bool:
    """CEPA members review, and keep a reviewer profile."""
    return bool(getattr(user, "is_authenticated", False)) and viewer.has_role(
        user, Role.CEPA_MEMBER
    )


def _require_member(actor) -> None:
    if not may_have_reviewer_profile(actor):
        raise PermissionDenied(_("Only CEPA members keep a reviewer profile."))


def reviewer_profile_of(user) -> ReviewerProfile:
    """The person's reviewer profile, or an unsaved one with the defaults (nothing written)."""
    profile = ReviewerProfile.objects.filter(user=user).prefetch_related("regions").first()
    return profile or ReviewerProfile(user=user)


def away_periods_of(user) -> QuerySet[AwayPeriod]:
    """The person's away periods that have not ended, soonest first."""
    return AwayPeriod.objects.filter(reviewer=user, end__gte=timezone.localdate()).order_by(
        "start", "pk"
    )


@transaction.atomic
def update_reviewer_profile(
    actor,
    *,
    themes: str,
    regions: Iterable[Region],
    max_assignments: int,
    conflicts: str,
) -> ReviewerProfile:
    """Set the actor's own reviewer profile (made on first save), all fields or none."""
    _require_member(actor)
    themes = ", ".join(theme.strip() for theme in themes.split(",") if theme.strip())
    errors = {}
    if not 1 <= max_assignments <= MOST_AT_ONCE:
        errors["max_assignments"] = [
            _("Enter a number from 1 to %(most)d.") % {"most": MOST_AT_ONCE}
        ]
    if len(themes) > ReviewerProfile._meta.get_field("themes").max_length:
        errors["themes"] = [_("Name fewer themes: they take at most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    profile, _created = ReviewerProfile.objects.select_for_update().get_or_create(user=actor)
    profile.themes = themes
    profile.max_assignments = max_assignments
    profile.conflicts = conflicts.strip()
    profile.full_clean(exclude=["user", "regions"])
    profile.save(update_fields=["themes", "max_assignments", "conflicts", "updated_at"])
    profile.regions.set(list(regions))
    return profile


@transaction.atomic
def add_away_period(
    actor, *, start: datetime.date, end: datetime.date, note: str = ""
) -> AwayPeriod:
    """Note that the actor is away from `start` to `end` (both included)."""
    _require_member(actor)
    errors = {}
    if end < start:
        errors["end"] = [_("The last day away is before the first.")]
    elif end < timezone.localdate():
        errors["end"] = [_("This period has already ended.")]
    if errors:
        raise ValidationError(errors)
    period = AwayPeriod(reviewer=actor, start=start, end=end, note=note.strip())
    period.full_clean(exclude=["reviewer"])
    period.save()
    return period


def get_own_away_period(actor, pk: int) -> AwayPeriod:
    """One of the actor's own away periods, or 404 (another person's too: not a 403)."""
    _require_member(actor)
    return get_object_or_404(AwayPeriod, pk=pk, reviewer=actor)


@transaction.atomic
def remove_away_period(actor, pk: int) -> None:
    """Remove one of the actor's own away periods (another person's answers 404)."""
    get_own_away_period(actor, pk).delete()
