"""Forms of the advisory request pages: they check shapes, `advisory.services` checks the
rules. Each form of the request page has its own id prefix, so the page's ids stay unique."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from advisory.enums import Channel, DocumentKind, RequestKind, RequestState
from advisory.models import AdvisoryRequest, RequestDocument
from advisory.rules import MACHINE, TRANSITION_LABELS
from cepa_collab.documents import ACCEPTED
from cepa_collab.enums import Role
from cepa_collab.forms import DateInput, Form
from cepa_collab.models import Branch, MemberState
from cepa_collab.names import display_name
from cepa_collab.service_errors import add_service_errors
from cepa_collab.validation import wall_clock_to_aware
from meetings.forms import LocalDateTimeField, zone_choices

User = get_user_model()

# Who may lead a request or a milestone, or be on its team: the branch's people.
LEAD_ROLES = (Role.INTER_REGIONAL_ADVISOR, Role.BRANCH_STAFF, Role.BRANCH_CHIEF)
ACCEPT_ATTRIBUTE = ",".join(
    [*(f".{kind.extension}" for kind in ACCEPTED), *(kind.content_type for kind in ACCEPTED)]
)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


def branch_people(branch_id: int) -> QuerySet:
    """Active advisors, staff and the chief of a branch: who may lead or join a request."""
    return (
        User.objects.filter(
            is_active=True,
            profile__branch_id=branch_id,
            groups__name__in=[role.value for role in LEAD_ROLES],
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- the list --------------------------------------------------------------------------


class RequestFilterForm(Form):
    """The filters of the list and of its CSV export (GET); invalid values are ignored."""

    country = forms.ModelChoiceField(
        label=_("Member State"),
        queryset=MemberState.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *RequestState.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind of support"), choices=[("", _("All")), *RequestKind.choices], required=False
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args, countries: QuerySet, branches: QuerySet, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries
        self.fields["branch"].queryset = branches

    def apply(self, requests: QuerySet[AdvisoryRequest]) -> QuerySet[AdvisoryRequest]:
        """Narrow an already permission-filtered queryset by the valid filters."""
        if not self.is_bound:
            return requests
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("country"):
            requests = requests.filter(country=data["country"])
        if data.get("state"):
            requests = requests.filter(state=data["state"])
        if data.get("kind"):
            requests = requests.filter(kind=data["kind"])
        if data.get("branch"):
            requests = requests.filter(branch=data["branch"])
        return requests


# --- recording a request -------------------------------------------------------------------


class RequestForm(Form):
    # Each message names its field: the error summary shows it alone.
    country = forms.ModelChoiceField(
        label=_("Member State"),
        queryset=MemberState.objects.order_by("name"),
        error_messages={"required": _("Choose the Member State.")},
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        error_messages={"required": _("Choose the branch that handles the request.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of support"),
        choices=RequestKind.choices,
        error_messages={"required": _("Choose the kind of support.")},
    )
    channel = forms.ChoiceField(
        label=_("Received through"),
        choices=Channel.choices,
        error_messages={"required": _("Say how the request was received.")},
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=DateInput,
        error_messages={"required": _("Enter the date the request was received.")},
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter the title.")}
    )
    description = forms.CharField(
        label=_("What the Member State asks for"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        error_messages={"required": _("Say what the Member State asks for.")},
    )

    def __init__(self, *args, branches: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        if len(branches) == 1:
            self.fields["branch"].initial = branches[0].pk
            self.fields["branch"].empty_label = None


# --- the request page -------------------------------------------------------------------


class TransitionForm(Form):
    """One form per transition the viewer may fire; accept names the lead, decline needs a
    reason (the service says so if it is missing)."""

    transition = forms.ChoiceField(
        choices=list(TRANSITION_LABELS.items()), widget=forms.HiddenInput
    )
    lead = PersonChoiceField(
        label=_("Lead Inter-Regional Advisor"), queryset=User.objects.none(), required=False
    )
    comment = forms.CharField(
        label=_("Comment (an internal note)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, name: str, leads: QuerySet | None = None, lead=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{name}_%s")
        initial = {"transition": name}
        if lead is not None:
            initial["lead"] = lead.pk
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.name = name
        self.label = TRANSITION_LABELS.get(name, name)
        if name == "accept":
            self.fields["lead"].queryset = leads if leads is not None else User.objects.none()
        else:
            del self.fields["lead"]
        if MACHINE.needs_comment(name):
            self.fields["comment"].label = _("Reason for declining (required)")
            self.fields["comment"].help_text = _("The Member State's focal point sees it.")


class TeamForm(Form):
    lead = PersonChoiceField(
        label=_("Lead Inter-Regional Advisor"), queryset=User.objects.none(), required=False
    )
    members = PeopleChoiceField(
        label=_("Team"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, people: QuerySet, may_change_lead: bool, **kwargs):
        kwargs.setdefault("auto_id", "id_team_%s")
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people
        if may_change_lead:
            self.fields["lead"].queryset = people
        else:
            del self.fields["lead"]


class MissionForm(Form):
    """The assessment mission: start and end are wall-clock times of the chosen zone."""

    title = forms.CharField(
        label=_("Title (optional)"),
        max_length=200,
        required=False,
        help_text=_("By default: “Assessment mission: ” and the Member State."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of the mission"),
        help_text=_("Start and end are read as times in this zone, e.g. Asia/Muscat."),
    )
    start = LocalDateTimeField(
        label=_("Starts (local time)"),
        error_messages={"required": _("Enter when the mission starts.")},
    )
    end = LocalDateTimeField(
        label=_("Ends (local time)"),
        error_messages={"required": _("Enter when the mission ends.")},
    )
    location = forms.CharField(label=_("Location"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_mission_%s")
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = zone_choices(self.initial.get("time_zone"))

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("time_zone")
        zone = ZoneInfo(name) if name else None
        for field in ("start", "end"):
            value = cleaned.get(field)
            if zone is None or value is None:
                continue
            try:
                cleaned[field] = wall_clock_to_aware(value, name, field=field)
            except ValidationError as exc:
                add_service_errors(self, exc)
        start, end = cleaned.get("start"), cleaned.get("end")
        if _aware(start) and _aware(end) and end <= start:
            self.add_error("end", _("The mission must end after it starts."))
        return cleaned


def _aware(value) -> bool:
    return isinstance(value, datetime.datetime) and value.tzinfo is not None


class DocumentUploadForm(Form):
    kind = forms.ChoiceField(
        label=_("Document"),
        choices=DocumentKind.choices,
        error_messages={"required": _("Choose which document it is.")},
    )
    file = forms.FileField(
        label=_("File"),
        error_messages={"required": _("Choose the file to upload.")},
        help_text=_("PDF, DOCX, ODT, XLSX or PPTX."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    notes = forms.CharField(
        label=_("Notes on this version"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, max_mb: float | None = None, **kwargs):
        kwargs.setdefault("auto_id", "id_upload_%s")
        super().__init__(*args, **kwargs)
        if max_mb is not None:
            self.fields["file"].help_text = _(
                "PDF, DOCX, ODT, XLSX or PPTX, at most %(limit)s MB."
            ) % {"limit": f"{max_mb:g}"}


class MilestoneForm(Form):
    title = forms.CharField(
        label=_("Milestone"),
        max_length=200,
        error_messages={"required": _("Enter the milestone.")},
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=DateInput,
        error_messages={"required": _("Enter the milestone's due date.")},
    )
    lead = PersonChoiceField(
        label=_("Lead"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("The request's lead"),
    )

    def __init__(self, *args, people: QuerySet, **kwargs):
        kwargs.setdefault("auto_id", "id_milestone_%s")
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = people


class MilestoneDueForm(Form):
    due_date = forms.DateField(
        label=_("New due date"),
        widget=DateInput,
        error_messages={"required": _("Enter the new due date.")},
    )

    def __init__(self, *args, milestone_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"id_milestone_{milestone_id}_%s")
        super().__init__(*args, **kwargs)
        self.milestone_id = milestone_id


class CommentForm(Form):
    text = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": _("Write your comment.")},
    )
    document = forms.ModelChoiceField(
        label=_("On the document (optional)"),
        queryset=RequestDocument.objects.none(),
        required=False,
        empty_label=_("The request as a whole"),
    )
    internal = forms.BooleanField(
        label=_("Internal note (hidden from the Member State)"), required=False, initial=True
    )

    def __init__(self, *args, documents: QuerySet, with_internal: bool, **kwargs):
        kwargs.setdefault("auto_id", "id_comment_%s")
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents
        if not with_internal:
            # The focal point's comments are never internal: no box to tick.
            del self.fields["internal"]


class PlanReviewForm(Form):
    """Send the plan of action to review: when the reviewed plan should be final (required
    the first time; later it keeps the review's due date unless changed)."""

    due_date = forms.DateField(
        label=_("The reviewed plan is due on"),
        widget=DateInput,
        required=False,
        help_text=_("When the plan, revised after its review, should be final."),
    )

    def __init__(self, *args, first: bool, **kwargs):
        kwargs.setdefault("auto_id", "id_plan_review_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["due_date"]
        if first:
            field.required = True
            # The service's own words, so that the page and the API say the same.
            field.error_messages["required"] = _("Say when the reviewed plan should be final.")
        else:
            field.help_text = _("Leave it to keep the current due date of the review, or move it.")
