"""Who may review a deliverable, and the suggested reviewers ranked by expertise and load.

Who may review is one rule (`eligible_reviewers`): the CEPA members and the staff and
advisers of the deliverable's branch, active, never its owner nor its branch's chief (they
decide on it). The service `assign_reviewers` enforces it (`refusals`), and the page's
chooser and the API resolve the people they are given against it, so the page and the API
accept exactly the same reviewers.

Suggestions are simple and deterministic on purpose: a theme of a reviewer's expertise
matches when all its words occur in the deliverable's or its product's title or
description; a region matches when a word of that text starts with the region's stem
("africa" matches "Africa" and "African"). Everyone eligible is listed: people who are
away today or at their limit of open assignments are marked and ranked last, not hidden.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cepa_collab.enums import Role
from cepa_collab.models import Profile
from workflows.enums import ASSIGNMENT_OUTSTANDING_STATES, RoundState
from workflows.models import AwayPeriod, Deliverable, ReviewAssignment, ReviewerProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

# Branch people who may review a colleague's draft (the chief decides, so never reviews).
BRANCH_REVIEWER_ROLES = (Role.BRANCH_STAFF, Role.INTER_REGIONAL_ADVISOR)
# What the page and the API say of a person the rule does not allow.
NOT_ELIGIBLE = gettext_lazy(
    "Not someone who may review this deliverable: choose CEPA members or staff or advisers "
    "of its branch, never its owner or its branch chief."
)
THEME_WEIGHT = 2
REGION_WEIGHT = 1
_WORD = re.compile(r"\w+(?:-\w+)*")
DEFAULT_MAX_ASSIGNMENTS: int = ReviewerProfile._meta.get_field("max_assignments").default


@dataclass(frozen=True)
class Suggestion:
    user: AbstractUser
    score: int
    open_assignments: int
    max_assignments: int
    away: bool
    at_limit: bool
    matched_themes: tuple[str, ...]
    matched_regions: tuple[str, ...]

    @property
    def available(self) -> bool:
        return not (self.away or self.at_limit)


def _normalise(word: str) -> str:
    """Lower case, a plural's final "s" dropped: "Services" and "service" match."""
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def words(text: str) -> set[str]:
    return {_normalise(word) for word in _WORD.findall(text)}


def _deliverable_words(deliverable: Deliverable) -> set[str]:
    product = deliverable.product
    return words(
        " ".join([deliverable.title, deliverable.description, product.title, product.description])
    )


def _matched_themes(themes: list[str], text_words: set[str]) -> tuple[str, ...]:
    matched = []
    for theme in themes:
        theme_words = words(theme)
        if theme_words and theme_words <= text_words:
            matched.append(theme)
    return tuple(matched)


def _matched_regions(regions, text_words: set[str]) -> tuple[str, ...]:
    matched = []
    for region in regions:
        stem = _normalise(region.code)
        if any(word.startswith(stem) for word in text_words):
            matched.append(region.name)
    return tuple(matched)


# --- who may review -----------------------------------------------------------------


def _branch_chiefs(branch_id: int) -> QuerySet:
    return get_user_model().objects.filter(
        groups__name=Role.BRANCH_CHIEF, profile__branch_id=branch_id
    )


def eligible_reviewers(deliverable: Deliverable) -> QuerySet:
    """The people who may review `deliverable` (the rule of the page, the API and the
    service): active CEPA members and the active staff and advisers of its branch, never
    its owner nor its branch's chief. One query wherever it is used (a subquery)."""
    User = get_user_model()
    branch_id = deliverable.product.branch_id
    branch_people = Profile.objects.filter(branch_id=branch_id).values("user_id")
    may_review = Q(groups__name=Role.CEPA_MEMBER) | Q(
        groups__name__in=BRANCH_REVIEWER_ROLES, pk__in=branch_people
    )
    return (
        User.objects.filter(pk__in=User.objects.filter(may_review).values("pk"), is_active=True)
        .exclude(pk=deliverable.owner_id)
        .exclude(pk__in=_branch_chiefs(branch_id).values("pk"))
    )


def _name(person) -> str:
    return person.get_full_name() or person.get_username()


def refusals(deliverable: Deliverable, people: list) -> list[str]:
    """Why some of `people` may not review `deliverable` (empty: they all may), one
    message per person refused, in one query whatever their number."""
    eligible = eligible_reviewers(deliverable).filter(pk=OuterRef("pk"))
    chief = _branch_chiefs(deliverable.product.branch_id).filter(pk=OuterRef("pk"))
    verdicts = {
        pk: (may, is_chief)
        for pk, may, is_chief in get_user_model()
        .objects.filter(pk__in=[person.pk for person in people])
        .annotate(may=Exists(eligible), is_chief=Exists(chief))
        .values_list("pk", "may", "is_chief")
    }
    messages = []
    for person in people:
        may, is_chief = verdicts.get(person.pk, (False, False))
        if may:
            continue
        if person.pk == deliverable.owner_id:
            messages.append(_("The owner cannot review their own deliverable."))
        elif is_chief:
            messages.append(
                _("%(name)s is the branch chief, who decides on this deliverable: not a reviewer.")
                % {"name": _name(person)}
            )
        else:
            messages.append(
                _(
                    "%(name)s cannot review this deliverable: reviewers are CEPA members and "
                    "the staff and advisers of its branch."
                )
                % {"name": _name(person)}
            )
    return messages


# --- suggestions ------------------------------------------------------------------------


def candidates(deliverable: Deliverable, *, today: datetime.date):
    """Eligible reviewers with their load and absence, in one annotated query (plus one
    to prefetch the regions of their profiles)."""
    already_assigned = ReviewAssignment.objects.filter(
        deliverable_id=deliverable.pk, round__state=RoundState.OPEN
    ).values("reviewer_id")
    away_today = AwayPeriod.objects.filter(
        reviewer_id=OuterRef("pk"), start__lte=today, end__gte=today
    )
    return (
        eligible_reviewers(deliverable)
        .exclude(pk__in=already_assigned)
        .annotate(
            open_assignments=Count(
                "review_assignments",
                filter=Q(review_assignments__state__in=ASSIGNMENT_OUTSTANDING_STATES),
                distinct=True,
            ),
            away=Exists(away_today),
        )
        .select_related("reviewer_profile")
        .prefetch_related("reviewer_profile__regions")
        .order_by("username")
    )


def _profile(user) -> ReviewerProfile | None:
    try:
        return user.reviewer_profile
    except ReviewerProfile.DoesNotExist:
        return None


def suggest_reviewers(deliverable: Deliverable, *, today: datetime.date) -> list[Suggestion]:
    """Everyone who may review `deliverable` in its open round, best match first; those
    away today or at their limit come last (still listed, marked)."""
    text_words = _deliverable_words(deliverable)
    suggestions = []
    for user in candidates(deliverable, today=today):
        profile = _profile(user)
        themes = _matched_themes(profile.theme_list, text_words) if profile else ()
        regions = _matched_regions(profile.regions.all(), text_words) if profile else ()
        limit = profile.max_assignments if profile else DEFAULT_MAX_ASSIGNMENTS
        suggestions.append(
            Suggestion(
                user=user,
                score=THEME_WEIGHT * len(themes) + REGION_WEIGHT * len(regions),
                open_assignments=user.open_assignments,
                max_assignments=limit,
                away=user.away,
                at_limit=user.open_assignments >= limit,
                matched_themes=themes,
                matched_regions=regions,
            )
        )
    suggestions.sort(
        key=lambda s: (not s.available, -s.score, s.open_assignments, s.user.get_username())
    )
    return suggestions
