"""The form of a message: it checks shapes, the service checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import Form
from cepa_collab.names import display_name
from discussions.models import MAX_LENGTH


class MessageForm(Form):
    """A message, the people it mentions (picked among those who may read the thread) and
    the page to go back to."""

    BACK_CHOICES = ("thread", "deliverable", "review")

    text = forms.CharField(
        label=_("Your message"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text. Write @login to mention someone, or pick them below."),
    )
    mention = forms.TypedMultipleChoiceField(
        label=_("Tell them about it"),
        choices=(),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only people who may read this discussion are listed."),
    )
    back = forms.ChoiceField(
        choices=[(name, name) for name in BACK_CHOICES],
        initial="thread",
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, people=(), actor=None, back: str = "thread", **kwargs):
        kwargs.setdefault("auto_id", "discussion_%s")
        kwargs.setdefault("initial", {"back": back})
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people if person != actor}
        self.fields["mention"].choices = [
            (pk, display_name(person)) for pk, person in self.people.items()
        ]
        if not self.people:
            del self.fields["mention"]

    def picked(self) -> list:
        """The people picked to be told."""
        return [self.people[pk] for pk in self.cleaned_data.get("mention") or ()]
