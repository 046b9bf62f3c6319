"""Forms of the review form pages: a product's form, the scored review, the declaration on
accepting. They check shapes; `workflows.review_forms` and `workflows.services` the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cepa_collab.forms import Form
from workflows.forms import ReviewForm
from workflows.models import RoundCriterion, ScoreScale
from workflows.review_forms import CriterionSpec

NOT_SCORED = ""


class ScoredReviewForm(ReviewForm):
    """The review with a score per criterion of the round's form and comments for the chief
    and owner only. Every field optional here (a draft may be incomplete)."""

    comments_for_chief = forms.CharField(
        label=_("Comments for the chief and owner only"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("Never shown to the other reviewers."),
    )

    def __init__(self, *args, criteria: list[RoundCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.fields["comments"].label = _("Comments for the owner")
        for criterion in criteria:
            self.fields[self.score_field(criterion)] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.guidance,
                choices=[
                    *((n, str(n)) for n in range(1, criterion.scale + 1)),
                    (NOT_SCORED, pgettext_lazy("score", "Not scored")),
                ],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        self.order_fields(
            [
                "recommendation",
                *(self.score_field(c) for c in criteria),
                "comments",
                "comments_for_chief",
                "annotated_file",
            ]
        )

    @staticmethod
    def score_field(criterion: RoundCriterion) -> str:
        return f"score_{criterion.pk}"

    def scores(self) -> dict[int, int | None]:
        """Criterion id → score (None: not scored), from the cleaned data."""
        return {c.pk: self.cleaned_data.get(self.score_field(c)) for c in self.criteria}


class DeclarationForm(Form):
    """Accepting an assignment: the conflict-of-interest declaration."""

    NONE = "none"
    CONFLICT = "conflict"

    declaration = forms.ChoiceField(
        label=_("Conflict of interest"),
        choices=[
            (NONE, _("I have no conflict of interest with this draft or its authors.")),
            (CONFLICT, _("I have a possible conflict of interest, described below.")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Declare whether you have a conflict of interest.")},
    )
    conflict_details = forms.CharField(
        label=_("The conflict of interest (if any)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_(
            "For example a ministry you advise or an author you work with. The chief and "
            "the owner read it."
        ),
    )

    @property
    def has_conflict(self) -> bool:
        return self.cleaned_data.get("declaration") == self.CONFLICT


class GuidelinesForm(Form):
    guidelines = forms.CharField(
        label=_("Reviewer guidelines"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_("Shown to reviewers before they write their review."),
    )


class CriterionForm(Form):
    name = forms.CharField(label=_("Criterion"), max_length=100, required=False)
    guidance = forms.CharField(
        label=_("Guidance"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )
    scale = forms.TypedChoiceField(
        label=_("Scale"), choices=ScoreScale.choices, coerce=int, initial=ScoreScale.FIVE
    )
    weight = forms.DecimalField(
        label=_("Weight (optional)"),
        required=False,
        min_value=0.1,
        max_digits=4,
        decimal_places=1,
        help_text=_("Empty counts as 1."),
    )

    def spec(self) -> CriterionSpec | None:
        """The criterion written in this row, or None for a row left empty."""
        data = self.cleaned_data
        if not data.get("name", "").strip():
            return None
        return CriterionSpec(data["name"], data.get("guidance", ""), data["scale"], data["weight"])


# Two empty rows to add criteria; a row whose name is emptied is removed.
CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, max_num=20, validate_max=True)
