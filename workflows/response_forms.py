"""Forms of the owner's response and of inviting the previous round's reviewers again:
they check shapes, `workflows.responses` checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import DateInput, Form
from cepa_collab.names import display_name
from workflows import responses
from workflows.responses import MAX_TEXT

REPLY_PREFIX = "reply_"


def response_text_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Your response to the reviews"),
        help_text=_(
            "What you changed and why, and what you did not change. The chief and the next "
            "round's reviewers read it with the new version."
        ),
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
    )


def add_reply_fields(form: forms.Form, reviews) -> None:
    """One optional reply per review answered (`reply_<review id>`), point by point."""
    for review in reviews:
        form.fields[f"{REPLY_PREFIX}{review.pk}"] = forms.CharField(
            label=_("Reply to the review by %(name)s (%(recommendation)s)")
            % {
                "name": display_name(review.assignment.reviewer),
                "recommendation": review.get_recommendation_display(),
            },
            required=False,
            max_length=MAX_TEXT,
            widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        )


def replies_from(cleaned_data: dict) -> dict[int, str]:
    """The replies of a bound form's cleaned data, by review id."""
    return {
        int(name.removeprefix(REPLY_PREFIX)): value
        for name, value in cleaned_data.items()
        if name.startswith(REPLY_PREFIX)
    }


class ResponseForm(Form):
    """The owner's response to the latest round: its text, then a reply per review."""

    def __init__(self, *args, reviews, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"] = response_text_field(required=True)
        add_reply_fields(self, reviews)


class ReinviteForm(Form):
    due_date = forms.DateField(label=_("Their reviews are due"), widget=DateInput())


def with_response_fields(form: forms.Form, deliverable, user) -> list:
    """Add the response to the latest round's reviews to the form that sends a revised
    draft for review (when `user` may write it now: `responses.RESPONSE.write`), optional
    there; returns the bound fields to show (none otherwise)."""
    if not responses.RESPONSE.write(deliverable, user):
        return []
    form.fields["response"] = response_text_field(required=False)
    reviews = responses.answered_reviews(responses.last_round(deliverable))
    add_reply_fields(form, reviews)
    return [form["response"], *(form[f"{REPLY_PREFIX}{review.pk}"] for review in reviews)]
