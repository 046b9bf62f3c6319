"""Forms of the contribution pages: they check shapes, `contributions.services` checks the
rules (what a kind needs before it is submitted, who may do what)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import Form
from cepa_collab.models import MemberState
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from contributions.models import Contribution
from contributions.rules import MACHINE, NEEDED_TO_SUBMIT, TRANSITION_LABELS
from workflows.models import Deliverable, Product

# The fields of each kind's form, in the order the page shows them.
KIND_FIELDS = {
    ContributionKind.CASE_STUDY: (
        "country",
        "title",
        "summary",
        "innovation",
        "transferability",
        "links",
        "attachments",
    ),
    ContributionKind.REPOSITORY_ENTRY: (
        "country",
        "category",
        "title",
        "year",
        "document_url",
        "attachments",
    ),
    ContributionKind.WRITTEN_INPUT: ("product", "deliverable", "title", "summary", "attachments"),
}
ACCEPT = ".pdf,.docx,.odt,.xlsx,.pptx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the services check each one's content and size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class FilterForm(Form):
    """The filters of the list (GET); invalid values are ignored."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *ContributionKind.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *ContributionState.choices], required=False
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=MemberState.objects.all(),
        required=False,
        empty_label=_("All"),
        to_field_name="iso3",
    )
    category = forms.ChoiceField(
        label=_("Repository category"),
        choices=[("", _("All")), *RepositoryCategory.choices],
        required=False,
    )
    mine = forms.BooleanField(label=_("Only my contributions"), required=False)

    def __init__(self, *args, with_mine: bool, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        if not with_mine:
            del self.fields["mine"]

    def apply(self, contributions: QuerySet[Contribution], *, user) -> QuerySet[Contribution]:
        """Narrow an already permission-filtered queryset by the valid filters."""
        if not self.is_bound:
            return contributions
        data = self.cleaned_data if self.is_valid() else {}
        for name in ("kind", "state", "category"):
            if data.get(name):
                contributions = contributions.filter(**{name: data[name]})
        if data.get("country"):
            contributions = contributions.filter(country=data["country"])
        if data.get("mine"):
            contributions = contributions.filter(author_id=user.pk)
        return contributions


class DeliverableChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, deliverable: Deliverable) -> str:
        return f"{deliverable.title} ({deliverable.product})"


class ContributionForm(Form):
    """A contribution of one kind: only that kind's fields, none required but the title —
    a draft may be incomplete; submitting it says what is still missing."""

    country = forms.ModelChoiceField(
        label=_("Country"), queryset=MemberState.objects.all(), required=False
    )
    category = forms.ChoiceField(
        label=_("Repository category"),
        choices=[("", "—"), *RepositoryCategory.choices],
        required=False,
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter the title.")}
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 6, "cols": 80})
    )
    innovation = forms.CharField(
        label=_("What is innovative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )
    transferability = forms.CharField(
        label=_("Why it is transferable and adaptable"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        help_text=_("One address per line, starting with https://."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    document_url = forms.URLField(
        label=_("Document address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Give the document's address, or attach the document below."),
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False
    )
    deliverable = DeliverableChoiceField(
        label=_("Deliverable (optional)"),
        queryset=Deliverable.objects.none(),
        required=False,
        help_text=_("Only the deliverables you can see are offered."),
    )
    attachments = MultipleFileField(
        label=_("Attach files"),
        required=False,
        help_text=_("PDF, DOCX, ODT, XLSX or PPTX; you may choose several."),
    )

    SAVE = "save"
    SUBMIT = "submit"

    def __init__(self, *args, kind: str, deliverables: QuerySet[Deliverable], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in list(self.fields):
            if name not in KIND_FIELDS[kind]:
                del self.fields[name]
        self.order_fields(KIND_FIELDS[kind])
        needed = NEEDED_TO_SUBMIT[kind]  # services.completeness_errors decides
        for name, field in self.fields.items():
            if name in needed and not field.help_text:
                field.help_text = _("Needed before you submit.")
        if "product" in self.fields:
            self.fields["product"].queryset = Product.objects.select_related("branch").order_by(
                "title", "edition"
            )
            self.fields["product"].help_text = _(
                "The product your input is for (needed before you submit)."
            )
            self.fields["deliverable"].queryset = deliverables.select_related("product").order_by(
                "product__title", "title"
            )
            self.fields["summary"].label = _("Your input")
        if kind == ContributionKind.REPOSITORY_ENTRY:
            self.fields["category"].required = True
            self.fields["category"].choices = RepositoryCategory.choices

    def changes(self) -> dict:
        """The cleaned values the services take (links kept one per line)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "attachments" and name in self.fields
        }

    @staticmethod
    def initial_from(contribution: Contribution) -> dict:
        return {
            "country": contribution.country_id,
            "category": contribution.category,
            "title": contribution.title,
            "summary": contribution.summary,
            "innovation": contribution.innovation,
            "transferability": contribution.transferability,
            "links": contribution.links,
            "year": contribution.year,
            "document_url": contribution.document_url,
            "product": contribution.product_id,
            "deliverable": contribution.deliverable_id,
        }


class TransitionForm(Form):
    """One form per transition on the contribution page; ids are prefixed by its name."""

    transition = forms.ChoiceField(
        choices=list(TRANSITION_LABELS.items()), widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comments for the author"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    WITH_COMMENT = frozenset({"accept", "return_for_revision"})

    def __init__(self, *args, name: str, **kwargs):
        kwargs.setdefault("auto_id", f"id_{name}_%s")
        kwargs.setdefault("initial", {"transition": name})
        super().__init__(*args, **kwargs)
        self.name = name
        self.label = TRANSITION_LABELS.get(name, name)
        if MACHINE.needs_comment(name):
            self.fields["comment"].label = _("What should change (required)")
        elif name not in self.WITH_COMMENT:
            del self.fields["comment"]


class IncorporateForm(Form):
    deliverable = DeliverableChoiceField(
        label=_("Deliverable"),
        queryset=Deliverable.objects.none(),
        empty_label=_("Choose a deliverable"),
        error_messages={"required": _("Choose the deliverable it went into.")},
    )

    def __init__(self, *args, deliverables: QuerySet[Deliverable], **kwargs):
        kwargs.setdefault("auto_id", "id_incorporate_%s")
        super().__init__(*args, **kwargs)
        self.fields["deliverable"].queryset = deliverables.select_related("product").order_by(
            "product__title", "title"
        )
