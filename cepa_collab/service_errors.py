"""The shared HTTP glue of every app: service errors answered once.

A service raises django's `ValidationError` (bad input: 400 naming the fields, or form
errors), `PermissionDenied` (may see but not act: 403), `Http404` (may not see: 404) or
`ServiceConflict` (no longer possible in this state: 409). The API maps them here
(`ServiceErrorsMixin`), the pages here (`add_service_errors`, called by
`cepa_collab.pages.submit`), the admin here (`error_text`).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings

from cepa_collab.exceptions import ServiceConflict

SERVICE_ERRORS = (DjangoValidationError, DjangoPermissionDenied, ServiceConflict)

# --- API ------------------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The operation is no longer possible.")
    default_code = "conflict"


def as_api_error(exc: Exception) -> Exception:
    """The DRF exception that answers a service error; other exceptions are returned as is."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): msgs
                for field, msgs in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        return serializers.ValidationError(detail)
    if isinstance(exc, ServiceConflict):
        return Conflict(exc.message)
    if isinstance(exc, DjangoPermissionDenied):
        # DRF would answer its generic message; keep the service's explanation.
        return exceptions.PermissionDenied(exc.args[0] if exc.args else None)
    return exc


class ServiceErrorsMixin:
    """Answer service errors with 400 / 403 / 404 / 409 instead of a 500; refuse a body the
    API cannot take (not a JSON object: `cepa_collab.parsers`) before doing anything, even
    where the operation reads no body."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.stream is not None:
            request.data  # noqa: B018 (parsed now: a 400 or 415 before the operation runs)

    def handle_exception(self, exc):
        return super().handle_exception(as_api_error(exc))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


ERRORS = {
    400: OpenApiResponse(description=_("The fields in error, each with its messages.")),
    403: OpenApiResponse(ErrorSerializer, description=_("You may see it but not do this.")),
    404: OpenApiResponse(ErrorSerializer, description=_("No such object visible to you.")),
    409: OpenApiResponse(ErrorSerializer, description=_("No longer possible in this state.")),
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


def validated(serializer_class, request, **kwargs) -> dict:
    """The validated data of `serializer_class` over the request body, or a 400."""
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- pages ----------------------------------------------------------------------------------


def add_service_errors(form: forms.Form, error: DjangoValidationError) -> None:
    """Attach a service's ValidationError to `form`: known fields get their messages, the
    rest (e.g. "transition") become errors of the whole form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


# --- admin ----------------------------------------------------------------------------------


def error_text(exc: Exception) -> str:
    """One line for a service error, whatever its kind."""
    if isinstance(exc, DjangoValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, ServiceConflict):
        return exc.message
    return str(exc) or _("You may not do this.")
