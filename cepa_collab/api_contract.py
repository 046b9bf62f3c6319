"""The API's contract, kept once for every endpoint under /api/.

- Ids: a record id in a path is 1 to 18 digits (`ID`, used by `ApiRouter` and the routes of
  nested ids), so an id past the database's range never reaches a query: such a path matches
  no route and answers a JSON 404, as any unknown address under /api/ does (`not_found`).
  An id in a query (`IdFilter`, `id_field`) past the range is a 400 naming the parameter.
- Errors: every error under /api/ answers JSON: DRF's own (400, 401, 403, 404, 405, 415, ...),
  and those Django raises before or outside a view (`json_error`, used by the project's
  handler400/403/404/500 for addresses under /api/).
- The schema (`ApiSchema`, `document_every_answer`): each operation documents the statuses it
  may answer with their JSON bodies (400 on any operation with a body or a query, 401 where
  signing in is needed, 404 on any operation with an id in its path, 415 on any operation
  with a body), ids as bounded integers, a blank value where the model allows it, and the
  document types a download answers with. The server refuses what the schema forbids: request
  bodies are JSON objects (or multipart where a file is uploaded), never a bare value.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django_filters import rest_framework as filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from cepa_collab import documents

# --- ids ------------------------------------------------------------------------------------

# Ids are positive and below 10**18, inside every database's 64-bit range (and far above any
# id this application will reach).
MAX_ID = 10**18 - 1
ID = "[0-9]{1,18}"
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class ApiRouter(SimpleRouter):
    """A router whose record ids are `ID` unless the viewset names its own lookup pattern."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None:
            viewset.lookup_value_regex = ID
        return super().get_lookup_regex(viewset, lookup_prefix)


def id_field(**kwargs) -> serializers.IntegerField:
    """A record id given in a query or a body: out of range is a 400 naming it."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field(ID_SCHEMA)
class IdFilter(filters.Filter):
    """A filter by record id: anything but an id in range is a 400 naming the parameter (a
    NumberFilter takes decimals of any size, and the database fails on them)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


# --- errors outside the views -----------------------------------------------------------------

ERROR_DETAILS = {
    400: _("Bad request."),
    403: _("You do not have permission to perform this action."),
    404: _("Not found."),
    500: _("A server error occurred."),
}


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def json_error(status: int) -> JsonResponse:
    return JsonResponse({"detail": str(ERROR_DETAILS[status])}, status=status)


@csrf_exempt  # a POST to an unknown address is a 404, not a failed CSRF check
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any address under /api/ that names no endpoint (or an id out of range)."""
    return json_error(404)


# The project's error handlers (cepa_collab/urls.py): JSON under /api/, Django's pages elsewhere.


def bad_request(request, exception):
    return json_error(400) if is_api(request) else defaults.bad_request(request, exception)


def permission_denied(request, exception):
    return json_error(403) if is_api(request) else defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    return json_error(404) if is_api(request) else defaults.page_not_found(request, exception)


def server_error(request):
    return json_error(500) if is_api(request) else defaults.server_error(request)


# --- the schema -------------------------------------------------------------------------------

DOWNLOAD_RESPONSES = {
    (200, kind.content_type): OpenApiTypes.BINARY
    for kind in (*documents.ACCEPTED, documents.DocumentType("", "application/octet-stream", ""))
}


def _model_field(field):
    """The model field a ModelSerializer field shows, if it is a plain one."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


def _allows_blank(field) -> bool:
    if getattr(field, "allow_blank", False):
        return True
    # DRF drops allow_blank from read-only fields: the model says whether "" is shown.
    model_field = _model_field(field) if field.read_only else None
    return bool(model_field is not None and model_field.blank and not model_field.null)


def _document_blank(field, schema) -> None:
    """A blank value is not a URI, an e-mail address or one of the choices: say it may come."""
    if not isinstance(schema, dict) or not _allows_blank(field):
        return
    if "enum" in schema and "" not in schema["enum"]:
        schema["enum"] = [*schema["enum"], ""]
    elif "format" in schema and schema.get("type") == "string":
        schema["anyOf"] = [{"format": schema.pop("format")}, {"maxLength": 0}]


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, saying what the server really answers and takes.

    A serializer may name `schema_optional_fields` (left out for some callers, e.g. what the
    Member State's focal point does not see), `schema_nullable_fields` (null for some) and
    `schema_required_fields` (required even where drf-spectacular assumes a PATCH needs
    nothing).
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if getattr(field, "schema_required", False):
            schema.pop("default", None)  # required: its default is the service's refusal
        else:
            _document_blank(field, schema)
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if getattr(field, "schema_required", False) and "oneOf" in schema:
            # Not the blank alternative drf-spectacular gives a blank-allowing field: the
            # service refuses a blank text.
            schema.update(schema.pop("oneOf")[0])
        # A URLValidator puts the format back: keep it inside the anyOf only.
        if "anyOf" in schema and "format" in schema:
            schema.pop("format")

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if getattr(serializer, "refuses_unknown_fields", False) and direction == "request":
            schema["additionalProperties"] = False
        if direction == "request":
            required = [
                name
                for name, field in serializer.fields.items()
                if getattr(field, "schema_required", False)
            ] + list(getattr(serializer, "schema_required_fields", ()))
            if required:
                schema["required"] = sorted({*schema.get("required", []), *required})
        optional = set(getattr(serializer, "schema_optional_fields", ()))
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        for name in getattr(serializer, "schema_nullable_fields", ()):
            if name in schema.get("properties", {}):
                schema["properties"][name]["nullable"] = True
        return schema


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": str(
        _(
            "The fields or parameters in error, each with its messages (non_field_errors: "
            "the request as a whole; detail: a body that could not be read)."
        )
    ),
    "additionalProperties": {
        "anyOf": [{"type": "array"}, {"type": "object"}, {"type": "string"}],
    },
}
GENERIC_ERRORS = {
    "400": (VALIDATION_ERROR_SCHEMA, _("The fields or parameters in error.")),
    "401": (ERROR_SCHEMA, _("Not signed in: send a token (Authorization: Token …).")),
    "404": (ERROR_SCHEMA, _("No such object visible to you.")),
    "415": (ERROR_SCHEMA, _("A body of a type this operation does not take.")),
}
METHODS = ("get", "put", "post", "patch", "delete")


def _error_response(code: str, existing: dict | None) -> dict:
    """The documented answer `code`, with a JSON body (the operation's own if it has one)."""
    schema, description = GENERIC_ERRORS[code]
    response = dict(existing or {"description": str(description)})
    if not response.get("content"):
        response["content"] = {"application/json": {"schema": schema}}
    return response


def document_every_answer(result, generator, request, public):
    """A drf-spectacular postprocessing hook: complete each operation with the answers every
    endpoint of this API may give (see the module's docstring)."""
    for item in result.get("paths", {}).values():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and (
                    schema.get("type") == "integer" or schema.get("pattern") == f"^{ID}$"
                ):
                    schema.clear()
                    schema.update(ID_SCHEMA)
            codes = set()
            if "requestBody" in operation:
                codes |= {"400", "415"}
            if any(parameter.get("in") == "query" for parameter in parameters):
                codes.add("400")
            if any(parameter.get("in") == "path" for parameter in parameters):
                codes.add("404")
            if any(parameter.get("name") == "page" for parameter in parameters):
                codes.add("404")  # a page past the last one
            if {} not in operation.get("security", [{}]):
                codes.add("401")
            responses = operation.setdefault("responses", {})
            for code in sorted(codes | (set(responses) & set(GENERIC_ERRORS))):
                responses[code] = _error_response(code, responses.get(code))
    return result
