"""Forms of the meetings pages: they check shapes, the services check the rules.

Start and end are typed as wall-clock times of the meeting's own time zone (the one chosen in
the same form); `MeetingForm.clean` turns them into aware datetimes.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import Form
from cepa_collab.models import Branch, MemberState, Region
from cepa_collab.names import display_name
from cepa_collab.service_errors import add_service_errors
from cepa_collab.validation import wall_clock_to_aware
from cepa_collab.zones import zone_choices
from meetings import services
from meetings.enums import MeetingKind, MeetingStatus, ParticipantRole, Visibility
from meetings.models import Meeting
from meetings.services import Invitation

PARTICIPANT_PREFIX = "role_"
NOT_INVITED = ""


# --- the list and the month ----------------------------------------------------------------


class MeetingFilterForm(Form):
    """The filters of the list and the month (GET); invalid values are ignored."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *MeetingKind.choices], required=False
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.all(), required=False, empty_label=_("All")
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("All")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)

    def narrows(self) -> bool:
        """Whether a valid filter narrows the list."""
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    def apply(self, meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
        """Narrow an already permission-filtered queryset by the valid filters."""
        if not self.is_bound:
            return meetings
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("kind"):
            meetings = meetings.filter(kind=data["kind"])
        if data.get("branch"):
            meetings = meetings.filter(branch=data["branch"])
        if data.get("region"):
            meetings = meetings.filter(country__region=data["region"])
        return meetings


# --- create and edit -----------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock date and time, left naive: the form places it in the chosen zone."""

    widget = DateTimeLocalInput

    def to_python(self, value):
        # DateTimeField attaches the *current* zone (UTC here); take it off again.
        with timezone.override(datetime.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None


class MeetingForm(Form):
    """A meeting, the people to invite (one role per person) and its agenda."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Enter the title of the meeting.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=MeetingKind.choices,
        error_messages={"required": _("Choose the kind of meeting.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choose the branch of the meeting.")},
    )
    country = forms.ModelChoiceField(
        label=_("Host country (optional)"),
        queryset=MemberState.objects.all(),
        required=False,
        empty_label=_("None"),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of the meeting"),
        help_text=_("Start and end are read as times in this zone, e.g. Africa/Addis Ababa."),
        error_messages={"required": _("Choose the time zone of the meeting.")},
    )
    start = LocalDateTimeField(
        label=_("Starts (local time)"),
        error_messages={"required": _("Enter when the meeting starts.")},
    )
    end = LocalDateTimeField(
        label=_("Ends (local time)"), error_messages={"required": _("Enter when the meeting ends.")}
    )
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    online_link = forms.URLField(
        label=_("Online link"), required=False, assume_scheme="https", max_length=200
    )
    visibility = forms.ChoiceField(
        label=_("Who sees the meeting"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        initial=Visibility.PUBLIC,
        error_messages={"required": _("Choose who sees the meeting.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (MeetingStatus.CONFIRMED, MeetingStatus.CONFIRMED.label),
            (MeetingStatus.TENTATIVE, MeetingStatus.TENTATIVE.label),
        ],
        widget=forms.RadioSelect,
        initial=MeetingStatus.CONFIRMED,
        error_messages={"required": _("Choose the status of the meeting.")},
    )
    agenda = forms.CharField(
        label=_("Agenda items"),
        required=False,
        help_text=_("One item per line, in order."),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
    )
    external_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    external_email = forms.EmailField(label=_("E-mail"), required=False)
    external_role = forms.ChoiceField(
        label=_("Role"), choices=ParticipantRole.choices, initial=ParticipantRole.EXPERT
    )

    GROUPS = (
        (_("The meeting"), ("title", "kind", "description", "branch", "country")),
        (_("When"), ("time_zone", "start", "end")),
        (_("Where"), ("location", "online_link")),
        (_("Visibility and status"), ("visibility", "status")),
        (_("Agenda"), ("agenda",)),
    )

    def __init__(
        self,
        *args,
        branches: QuerySet[Branch],
        people: QuerySet,
        meeting: Meeting | None = None,
        **kwargs,
    ):
        self.meeting = meeting
        if meeting is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(meeting)
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        current_zone = self.initial.get("time_zone") or (meeting and meeting.time_zone)
        self.fields["time_zone"].choices = zone_choices(current_zone)
        if meeting is not None:
            # A meeting stays in its branch (the services do not move it).
            self.fields["branch"].disabled = True
            self.fields["branch"].initial = meeting.branch_id
        self.people = list(people)
        for person in self.people:
            self.fields[f"{PARTICIPANT_PREFIX}{person.pk}"] = forms.ChoiceField(
                label=display_name(person),
                choices=[(NOT_INVITED, _("Not invited")), *ParticipantRole.choices],
                required=False,
            )

    @staticmethod
    def initial_from(meeting: Meeting) -> dict:
        zone = ZoneInfo(meeting.time_zone)
        return {
            "title": meeting.title,
            "kind": meeting.kind,
            "description": meeting.description,
            "branch": meeting.branch_id,
            "country": meeting.country_id,
            "time_zone": meeting.time_zone,
            "start": _wall_clock(meeting.start, zone),
            "end": _wall_clock(meeting.end, zone),
            "location": meeting.location,
            "online_link": meeting.online_link,
            "visibility": meeting.visibility,
            "status": meeting.status,
            "agenda": "\n".join(item.title for item in meeting.agenda.all()),
        }

    # -- rendering helpers

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def people_rows(self):
        return [(person, self[f"{PARTICIPANT_PREFIX}{person.pk}"]) for person in self.people]

    def external_fields(self):
        return [self["external_name"], self["external_email"], self["external_role"]]

    # -- cleaning

    def clean_agenda(self) -> list[str]:
        """One item per line (the service's rule: blank lines left out, titles not too
        long)."""
        try:
            return services.agenda_titles(self.cleaned_data["agenda"].splitlines())
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["agenda"]) from None

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("time_zone")
        zone = ZoneInfo(name) if name else None
        for field in ("start", "end"):
            value = cleaned.get(field)
            if zone is None or value is None:
                continue
            kept = self._keep_unchanged(field, value, name)
            if kept is not None:
                cleaned[field] = kept
                continue
            try:
                cleaned[field] = wall_clock_to_aware(value, name, field=field)
            except ValidationError as exc:
                add_service_errors(self, exc)
        start, end = cleaned.get("start"), cleaned.get("end")
        if _aware(start) and _aware(end) and end <= start:
            self.add_error("end", _("The meeting must end after it starts."))
        if cleaned.get("external_email") and not cleaned.get("external_name"):
            self.add_error("external_name", _("Name the person you invite by e-mail."))
        return cleaned

    def _keep_unchanged(self, field: str, value: datetime.datetime, zone_name: str):
        """The stored value when the form shows it unchanged (the input has no seconds):
        saving an untouched form must not look like a change of time."""
        if self.meeting is None or zone_name != self.meeting.time_zone:
            return None
        stored = getattr(self.meeting, field)
        shown = _wall_clock(stored, ZoneInfo(zone_name)).replace(second=0, microsecond=0)
        return stored if shown == value else None

    # -- what the services receive

    def meeting_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "country": data["country"],
            "start": data["start"],
            "end": data["end"],
            "time_zone": data["time_zone"],
            "location": data["location"],
            "online_link": data["online_link"],
            "visibility": data["visibility"],
            "status": data["status"],
        }

    def invitations(self) -> list[Invitation]:
        """Each person given a role, in the table's order, then the person invited by
        e-mail."""
        chosen = []
        for person in self.people:
            role = self.cleaned_data.get(f"{PARTICIPANT_PREFIX}{person.pk}")
            if role:
                chosen.append(Invitation(user=person, role=role))
        data = self.cleaned_data
        if data.get("external_name"):
            chosen.append(
                Invitation(
                    name=data["external_name"],
                    email=data["external_email"],
                    role=data["external_role"],
                )
            )
        return chosen


def _aware(value) -> bool:
    return isinstance(value, datetime.datetime) and value.tzinfo is not None


def _wall_clock(value: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    return timezone.localtime(value, zone).replace(tzinfo=None)


class CancelForm(Form):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        help_text=_("Participants see this reason on the meeting page and in their calendars."),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": _("Enter why the meeting is cancelled.")},
    )
