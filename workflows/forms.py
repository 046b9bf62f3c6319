"""Forms of the review workflow pages: they check shapes, the services check the rules."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import DateInput, Form
from workflows.enums import DeliverableState, Recommendation
from workflows.models import Deliverable, Product
from workflows.reviewers import NOT_ELIGIBLE, eligible_reviewers
from workflows.rules import MACHINE, TRANSITION_LABELS

# --- deliverables --------------------------------------------------------------------


class DeliverableFilterForm(Form):
    """The filters of the deliverables list (GET); invalid values are ignored."""

    OWNER_ANY = ""
    OWNER_ME = "me"

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False, empty_label=_("All")
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All")), *DeliverableState.choices],
        required=False,
    )
    owner = forms.ChoiceField(
        label=_("Owner"),
        choices=[(OWNER_ANY, _("Anyone")), (OWNER_ME, _("Me"))],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, products: QuerySet[Product], **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products

    def apply(self, deliverables: QuerySet[Deliverable], *, user, today: datetime.date):
        """Narrow an already permission-filtered queryset by the valid filters."""
        if not self.is_bound:
            return deliverables
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("product"):
            deliverables = deliverables.filter(product=data["product"])
        if data.get("state"):
            deliverables = deliverables.filter(state=data["state"])
        if data.get("owner") == self.OWNER_ME:
            deliverables = deliverables.filter(owner_id=user.pk)
        if data.get("overdue"):
            deliverables = deliverables.overdue(today)
        return deliverables


class TransitionForm(Form):
    """One form per transition on the deliverable page; ids are prefixed by its name."""

    transition = forms.ChoiceField(
        choices=list(TRANSITION_LABELS.items()), widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    waiver_reason = forms.CharField(
        label=_("Reason for approving without the outstanding reviews"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, name: str, with_waiver: bool = False, **kwargs):
        kwargs.setdefault("auto_id", f"id_{name}_%s")
        kwargs.setdefault("initial", {"transition": name})
        super().__init__(*args, **kwargs)
        self.name = name
        self.label = TRANSITION_LABELS.get(name, name)
        if MACHINE.needs_comment(name):
            self.fields["comment"].label = _("Reason (required)")
        if not with_waiver:
            del self.fields["waiver_reason"]


# The chief's decision on a deliverable in review: one form, one choice.
DECISIONS = ("approve", "return_for_revision")


class DecisionForm(Form):
    """The chief's one decision form: approve, or return for revision with the reason (the
    service says a return needs one, and approving without outstanding reviews a waiver)."""

    STEP = "decision"

    step = forms.CharField(initial=STEP, widget=forms.HiddenInput)
    transition = forms.ChoiceField(
        label=_("Your decision"),
        choices=[(name, TRANSITION_LABELS[name]) for name in DECISIONS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose: approve, or return for revision.")},
    )
    comment = forms.CharField(
        label=_("Reason or comment"),
        help_text=_("Required when you return it for revision: the owner reads it."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )
    waiver_reason = forms.CharField(
        label=_("Reason for approving without the outstanding reviews"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, with_waiver: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)
        if not with_waiver:
            del self.fields["waiver_reason"]


class DueDateForm(Form):
    due_date = forms.DateField(label=_("New due date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Why does the due date move?"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_due_%s")
        super().__init__(*args, **kwargs)


class VersionUploadForm(Form):
    file = forms.FileField(
        label=_("Draft file"),
        help_text=_("PDF, DOCX, ODT, XLSX or PPTX."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.docx,.odt,.xlsx,.pptx,application/pdf,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                "application/vnd.oasis.opendocument.text,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
        ),
    )
    notes = forms.CharField(
        label=_("Notes on this version"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, max_mb: float | None = None, **kwargs):
        kwargs.setdefault("auto_id", "id_upload_%s")
        super().__init__(*args, **kwargs)
        if max_mb is not None:
            self.fields["file"].help_text = _(
                "PDF, DOCX, ODT, XLSX or PPTX, at most %(limit)s MB."
            ) % {"limit": f"{max_mb:g}"}


# --- reviewers -----------------------------------------------------------------------


class AssignReviewersForm(Form):
    """Several reviewers at once, chosen among the suggestions, and one due date. The
    people it accepts are those who may review the deliverable (`eligible_reviewers`, the
    API's rule too); whether they may in this round is the service's to say."""

    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one reviewer."),
            "invalid_choice": NOT_ELIGIBLE,
        },
    )
    due_date = forms.DateField(label=_("Reviews due"), widget=DateInput)

    def __init__(self, *args, deliverable: Deliverable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = eligible_reviewers(deliverable)

    def chosen_pks(self) -> set[str]:
        if not self.is_bound:
            return set()
        return set(self.data.getlist(self.add_prefix("reviewers")))


# --- the reviewer's side ------------------------------------------------------------


class ReviewForm(Form):
    """Everything optional here: a draft may be incomplete; `save_review(submit=True)`
    says what a submission still lacks."""

    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Recommendation.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 80}),
    )
    annotated_file = forms.FileField(
        label=_("Annotated file (optional)"),
        required=False,
        help_text=_("The draft with your annotations: PDF, DOCX, ODT, XLSX or PPTX."),
    )

    SAVE = "save"
    SUBMIT = "submit"


class DeclineForm(Form):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )
    conflict_of_interest = forms.BooleanField(
        label=_("I have a conflict of interest"), required=False
    )
