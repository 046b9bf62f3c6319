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
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cepa_collab.enums import Role
from cepa_collab.models import Profile, Region
from cepa_collab.names import display_name
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
    # Their away periods that overlap the review's time (today to the due date).
    away_periods: tuple[AwayPeriod, ...] = ()
    # Why they would rather not be chosen though the rule allows it (a conflict of interest
    # they declared on an earlier round of this deliverable), else "".
    conflict: str = ""
    # The standing conflicts of interest of their reviewer profile, as they wrote them: shown
    # to whoever chooses (not a reason the rule refuses them).
    standing_conflicts: str = ""

    @property
    def available(self) -> bool:
        return not (self.away or self.at_limit or self.conflict)


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
                % {"name": display_name(person)}
            )
        else:
            messages.append(
                _(
                    "%(name)s cannot review this deliverable: reviewers are CEPA members and "
                    "the staff and advisers of its branch."
                )
                % {"name": display_name(person)}
            )
    return messages


# --- suggestions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the chooser narrows the candidates to: words of a name, a theme of expertise,
    a region of expertise (empty: no filter)."""

    name: str = ""
    theme: str = ""
    region: Region | None = None

    def __bool__(self) -> bool:
        return bool(self.name.strip() or self.theme.strip() or self.region)


def name_matches(text: str) -> Q:
    """People whose first name, last name or login holds each word of `text`."""
    condition = Q()
    for word in text.split():
        condition &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    return condition


def _filtered(people: QuerySet, filters: Filters) -> QuerySet:
    if filters.name.strip():
        people = people.filter(name_matches(filters.name))
    if filters.theme.strip():
        people = people.filter(reviewer_profile__themes__icontains=filters.theme.strip())
    if filters.region is not None:
        people = people.filter(reviewer_profile__regions=filters.region)
    return people


def theme_choices() -> list[str]:
    """Every theme of expertise some reviewer profile names, sorted (one query)."""
    themes = set()
    for text in ReviewerProfile.objects.exclude(themes="").values_list("themes", flat=True):
        themes.update(theme.strip().lower() for theme in text.split(",") if theme.strip())
    return sorted(themes)


def _assigned_in_open_round(deliverable: Deliverable) -> QuerySet:
    return ReviewAssignment.objects.filter(
        deliverable_id=deliverable.pk, round__state=RoundState.OPEN
    ).values("reviewer_id")


def candidates(
    deliverable: Deliverable,
    *,
    today: datetime.date,
    due_date: datetime.date | None = None,
    filters: Filters = Filters(),
):
    """Eligible reviewers with their load and absence, in one annotated query (plus one
    to prefetch the regions of their profiles and one for their away periods between
    today and `due_date`)."""
    already_assigned = _assigned_in_open_round(deliverable)
    away_today = AwayPeriod.objects.filter(
        reviewer_id=OuterRef("pk"), start__lte=today, end__gte=today
    )
    declared_conflict = ReviewAssignment.objects.filter(
        deliverable_id=deliverable.pk, reviewer_id=OuterRef("pk"), conflict_of_interest=True
    )
    window = AwayPeriod.objects.filter(end__gte=today, start__lte=due_date or today)
    return (
        _filtered(eligible_reviewers(deliverable), filters)
        .exclude(pk__in=already_assigned)
        .annotate(
            open_assignments=Count(
                "review_assignments",
                filter=Q(review_assignments__state__in=ASSIGNMENT_OUTSTANDING_STATES),
                distinct=True,
            ),
            away=Exists(away_today),
            declared_conflict=Exists(declared_conflict),
        )
        .select_related("reviewer_profile")
        .prefetch_related(
            "reviewer_profile__regions",
            Prefetch("away_periods", queryset=window.order_by("start"), to_attr="away_in_window"),
        )
        .order_by("username")
    )


@dataclass(frozen=True)
class Refused:
    """Someone the name search found who cannot be chosen, and why."""

    user: AbstractUser
    reason: str


# At most this many people found by name who cannot be chosen are said why (a query each).
REFUSED_SHOWN = 5


def refused_by_name(deliverable: Deliverable, name: str) -> list[Refused]:
    """People whose name matches `name` but who cannot review `deliverable` in its open
    round, with the reason (`refusals`, or already assigned in this round)."""
    if not name.strip():
        return []
    may = eligible_reviewers(deliverable).exclude(pk__in=_assigned_in_open_round(deliverable))
    found = (
        get_user_model()
        .objects.filter(name_matches(name), is_active=True)
        .exclude(pk__in=may.values("pk"))
        .order_by("username")[:REFUSED_SHOWN]
    )
    refused = []
    for person in found:
        reasons = refusals(deliverable, [person])
        reason = (
            reasons[0]
            if reasons
            else _("%(name)s is already assigned in this round.") % {"name": display_name(person)}
        )
        refused.append(Refused(person, reason))
    return refused


def _profile(user) -> ReviewerProfile | None:
    try:
        return user.reviewer_profile
    except ReviewerProfile.DoesNotExist:
        return None


def suggest_reviewers(
    deliverable: Deliverable,
    *,
    today: datetime.date,
    due_date: datetime.date | None = None,
    filters: Filters = Filters(),
) -> list[Suggestion]:
    """Everyone who may review `deliverable` in its open round (narrowed by `filters`),
    best match first; those away today, at their limit or who declared a conflict of
    interest on it come last (still listed, marked)."""
    text_words = _deliverable_words(deliverable)
    suggestions = []
    people = candidates(deliverable, today=today, due_date=due_date, filters=filters)
    for user in people:
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
                away_periods=tuple(user.away_in_window),
                conflict=(
                    _("Declared a conflict of interest on an earlier round.")
                    if user.declared_conflict
                    else ""
                ),
                standing_conflicts=profile.conflicts if profile else "",
            )
        )
    suggestions.sort(
        key=lambda s: (not s.available, -s.score, s.open_assignments, s.user.get_username())
    )
    return suggestions
