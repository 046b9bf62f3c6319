"""Forms of the planning pages: they check shapes, the services check the rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import DateInput, FilterForm, Form
from cepa_collab.models import Branch, Region
from cepa_collab.names import display_name
from workflows.enums import DeliverableKind, ProductKind
from workflows.forms import AssignReviewersForm, VersionUploadForm
from workflows.models import Deliverable, Product
from workflows.reviewers import (
    Filters,
    Refused,
    Suggestion,
    refused_by_name,
    suggest_reviewers,
    theme_choices,
)

# How long reviewers are given by default.
DEFAULT_REVIEW_DAYS = 21


class PersonChoiceField(forms.ModelChoiceField):
    """A person, named by their full name (their login when they have none)."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


# --- products ------------------------------------------------------------------------------


class ProductForm(Form):
    """A product's fields; its branch is the creator's (chosen only by who has none)."""

    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.all())
    kind = forms.ChoiceField(label=_("Kind of product"), choices=ProductKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    edition = forms.CharField(
        label=_("Edition or year"), max_length=50, required=False, help_text=_("e.g. 2026")
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )
    lead = PersonChoiceField(
        label=_("Lead"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, leads: QuerySet, with_branch: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads
        if not with_branch:
            del self.fields["branch"]


# --- deliverables --------------------------------------------------------------------------


class DeliverableForm(Form):
    """A new deliverable (every field), or an edit (`editing`: no owner, no due date —
    the hand-over and the due date have their own pages; the product only for who may
    move it)."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of deliverable"), choices=DeliverableKind.choices)
    owner = PersonChoiceField(label=_("Owner"), queryset=get_user_model().objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    def __init__(
        self,
        *args,
        products: QuerySet[Product],
        owners: QuerySet | None = None,
        editing: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        if editing:
            del self.fields["owner"]
            del self.fields["due_date"]
            if not products.exists():
                del self.fields["product"]
        else:
            self.fields["owner"].queryset = owners


class HandOverForm(Form):
    owner = PersonChoiceField(label=_("New owner"), queryset=get_user_model().objects.none())

    def __init__(self, *args, owners: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


# --- choosing reviewers ------------------------------------------------------------------


class ReviewerFilterForm(FilterForm):
    """The reviewer chooser's search (GET): invalid values are ignored."""

    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    theme = forms.ChoiceField(label=_("Expertise"), required=False)
    region = forms.ModelChoiceField(
        label=_("Region of expertise"),
        queryset=Region.objects.all(),
        required=False,
        to_field_name="code",  # ?region=africa
    )
    due = forms.DateField(
        # Not "Reviews due": the assignment form beside it has that field.
        label=_("Show absences until"),
        required=False,
        widget=DateInput,
        help_text=_("Shows who is away before then."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "find_%s")
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", ""), *((t, t) for t in theme_choices())]

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Filters(
            name=data.get("name", ""), theme=data.get("theme", ""), region=data.get("region")
        )

    def due_or(self, default: datetime.date) -> datetime.date:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("due"):
            return self.cleaned_data["due"]
        return default


@dataclass
class ReviewerChooser:
    """What a page choosing reviewers shows: the search form, the people it finds (with
    load, away periods and conflicts), those it finds who cannot be chosen and why."""

    filter_form: ReviewerFilterForm
    due_date: datetime.date
    suggestions: list[Suggestion]
    refused: list[Refused] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return bool(self.filter_form.filters())

    @classmethod
    def for_request(
        cls,
        query: QueryDict,
        deliverable: Deliverable,
        *,
        today: datetime.date,
        due_date: datetime.date | None = None,
    ) -> ReviewerChooser:
        """`due_date` (a posted one) wins over the search's, then the default."""
        form = ReviewerFilterForm(query or None)
        due = due_date or form.due_or(today + datetime.timedelta(days=DEFAULT_REVIEW_DAYS))
        filters = form.filters()
        return cls(
            filter_form=form,
            due_date=due,
            suggestions=suggest_reviewers(deliverable, today=today, due_date=due, filters=filters),
            refused=refused_by_name(deliverable, filters.name),
        )


class SendForReviewForm(VersionUploadForm, AssignReviewersForm):
    """The draft, its notes, its reviewers and when their reviews are due: one form."""

    field_order = ["file", "notes", "reviewers", "due_date"]
