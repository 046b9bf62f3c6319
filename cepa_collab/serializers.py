"""Serializer and filter fields every API shares."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.Field):
    """The translated label of a TextChoices value (Django's get_FOO_display rebuilds and
    translates every choice on each call, which dominates a list's serialisation)."""

    def __init__(self, choices, **kwargs):
        self.choices_enum = choices
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        # Fields live as long as one request (one language): translate each label once.
        labels = self.__dict__.get("_labels")
        if labels is None:
            labels = self._labels = {c.value: str(c.label) for c in self.choices_enum}
        return labels.get(value, value or "")


class HistoryEntrySerializer(serializers.ModelSerializer):
    """A line of a record's history (deliverables, advisory requests, contributions):
    subclasses name the model, and declare `action`, `action_label`, `from_state` and
    `to_state` with their own choices."""

    actor = serializers.SerializerMethodField()
    summary = serializers.CharField(
        read_only=True, help_text=_("What happened, in the caller's language (may be empty).")
    )
    comment = serializers.CharField(
        read_only=True, help_text=_("The person's own words, e.g. a state change's comment.")
    )

    class Meta:
        fields = [
            "at",
            "actor",
            "action",
            "action_label",
            "from_state",
            "to_state",
            "summary",
            "comment",
        ]
        read_only_fields = fields

    def get_actor(self, entry) -> str:
        """The display name of who did it ("System" when nobody did)."""
        return entry.actor_name


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error rather than silently no filter."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise DjangoValidationError(_("Use true or false."), code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra["widget"] = forms.TextInput


@extend_schema_field({"type": "string", "pattern": r"\S"})
class RequiredTextField(serializers.CharField):
    """A text the service requires (a reason): the schema says it must be given and hold a
    character other than a space; a request without it reaches the service, which refuses
    it with its own message, naming the field."""

    schema_required = True  # (cepa_collab.api_contract.ApiSchema)

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, default="", **kwargs)


def required_text(**kwargs) -> RequiredTextField:
    return RequiredTextField(**kwargs)
