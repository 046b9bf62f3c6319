"""The design system's pattern page, `/patterns/`: every component with realistic content.

A page for the people who build pages, shown only when DEBUG is on (404 otherwise). Its
sample content is English on purpose and not marked for translation: it never reaches a
user, and the catalogues stay free of samples. The components it draws translate their
own words (error summary, pagination, filter panel).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst

from cepa_collab.enums import InvitationState
from cepa_collab.forms import DateInput, FilterForm, Form

# The fields that hold a record's state (the codes `{{ record|state_tag }}` draws).
STATE_FIELDS = ("state", "status", "reply")


def state_machines() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every state machine of every app, as (name, [(code, label)]), found on the models
    (this kernel app names no app above it): each field called state, status or reply with
    choices, once per set of choices; plus the invitation's state (a property)."""
    machines: list[tuple[str, list[tuple[str, str]]]] = []
    seen: set[tuple[str, ...]] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None)
            if field.name not in STATE_FIELDS or not choices:
                continue
            codes = tuple(code for code, _label in choices)
            if codes in seen:
                continue
            seen.add(codes)
            name = f"{capfirst(model._meta.verbose_name)}: {field.verbose_name}"
            machines.append((name, [(code, label) for code, label in choices]))
    machines.append(("Invitation: state", list(InvitationState.choices)))
    return machines


SAMPLE_STATES = {
    "planned": "Planned",
    "drafting": "Drafting",
    "in_review": "In review",
    "published": "Published",
}
# Tags that are not states.
OTHER_TAGS = (("overdue", "Overdue"), ("at-risk", "At risk"), ("neutral", "Chapter"))


class SampleForm(Form):
    """One field of each kind, as a deliverable's form would have them."""

    title = forms.CharField(
        label="Title", max_length=200, help_text="As it will be printed, e.g. “Chapter 3”."
    )
    owner_email = forms.EmailField(label="Owner's e-mail address")
    pages = forms.IntegerField(label="Number of pages", min_value=1, required=False)
    due_date = forms.DateField(
        label="Due date", widget=DateInput, help_text="For example 31 3 2027"
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "---------"), ("chapter", "Chapter"), ("report", "Report")]
    )
    language = forms.ChoiceField(
        label="Language of the draft",
        choices=[("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic")],
        widget=forms.RadioSelect,
    )
    regions = forms.MultipleChoiceField(
        label="Regions it covers",
        help_text="Choose all that apply.",
        choices=[("africa", "Africa"), ("asia", "Asia"), ("europe", "Europe")],
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(label="Summary", widget=forms.Textarea, required=False)
    draft = forms.FileField(label="Draft", help_text="PDF or Word, at most 25 MB.", required=False)
    notify = forms.BooleanField(
        label="Tell the reviewers", help_text="They get a mail at once.", required=False
    )


class SampleFilterForm(FilterForm):
    state = forms.ChoiceField(
        label="State", choices=[("", ""), *SAMPLE_STATES.items()], required=False
    )
    owner = forms.ChoiceField(
        label="Owner", choices=[("", "---------"), ("me", "Me")], required=False
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)


def patterns(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404("The pattern page exists only when DEBUG is on.")
    today = timezone.localdate()
    now = timezone.now()
    form = SampleForm(
        data={"title": "", "owner_email": "amina@", "pages": "0", "kind": "", "summary": "x"}
    )
    form.is_valid()
    rows = [
        {
            "title": "Chapter 1: Institutions for the SDGs",
            "product": "World Public Sector Report 2027",
            "state": "drafting",
            "due": today - datetime.timedelta(days=3),
            "overdue": True,
            "versions": 4,
        },
        {
            "title": "Chapter 2: Digital government in small island States",
            "product": "World Public Sector Report 2027",
            "state": "in_review",
            "due": today + datetime.timedelta(days=2),
            "overdue": False,
            "at_risk": "2 of 3 reviews still missing",
            "versions": 2,
        },
        {
            "title": "Toolkit module: Strategic foresight for public servants",
            "product": "Curriculum on governance for the SDGs",
            "state": "published",
            "due": today - datetime.timedelta(days=40),
            "overdue": False,
            "versions": 11,
        },
        {
            "title": "Compendium case study: Participatory budgeting in Porto Alegre",
            "product": "Compendium of innovations",
            "state": "planned",
            "due": today + datetime.timedelta(days=45),
            "overdue": False,
            "versions": 0,
        },
    ]
    records = [
        SimpleNamespace(**row, get_state_display=SAMPLE_STATES[row["state"]].__str__)
        for row in rows
    ]
    context = {
        "title": "Patterns",
        "form": form,
        "filter_form": SampleFilterForm(data={"state": "in_review"}),
        "page": Paginator(range(95), 10).page(3),
        "rows": records,
        "machines": state_machines(),
        "other_tags": OTHER_TAGS,
        "today": today,
        "now": now,
        "dues": [
            (today - datetime.timedelta(days=3), True),
            (today, True),
            (today + datetime.timedelta(days=2), False),
            (today + datetime.timedelta(days=30), False),
            (today - datetime.timedelta(days=10), False),
        ],
        "history": [
            (now - datetime.timedelta(days=9, hours=2), "Amina Mensah uploaded version 1."),
            (now - datetime.timedelta(days=6), "Review round 1 opened; 3 reviewers invited."),
            (now - datetime.timedelta(days=2, hours=5), "Jean Dupont submitted a review."),
            (now - datetime.timedelta(hours=3), "The due date moved to 20 December 2026."),
        ],
    }
    return render(request, "cepa_collab/patterns.html", context)
