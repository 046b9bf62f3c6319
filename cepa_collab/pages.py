"""The POST-form step every page repeats, written once.

A page validates its form, calls one service operation and answers: on success a
message and a redirect; on `ServiceConflict` (no longer possible in this state) the
conflict's message and a redirect; on a `ValidationError` of the service the errors go
on the form, and the view re-renders it with status 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from cepa_collab.exceptions import ServiceConflict
from cepa_collab.service_errors import add_service_errors

Result = TypeVar("Result")


def conflict(request: HttpRequest, exc: ServiceConflict, url: str) -> HttpResponse:
    """Tell the user why the operation is no longer possible, and go to `url`."""
    messages.error(request, exc.message)
    return redirect(url)


def submit(
    request: HttpRequest,
    form: forms.Form,
    operation: Callable[[dict[str, Any]], Result],
    *,
    success_url: str,
    message: str | Callable[[Result], str] | None = None,
    conflict_url: str | None = None,
) -> HttpResponse | None:
    """Validate `form` and call `operation(form.cleaned_data)`.

    Returns the redirect to `success_url` (after `message`, or `message(result)`, as a
    success message), or the conflict's redirect (to `conflict_url`, by default
    `success_url`); returns None when the form is invalid or the service refused the
    input, its errors then being on the form.
    """
    if not form.is_valid():
        return None
    try:
        result = operation(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    except ServiceConflict as exc:
        return conflict(request, exc, conflict_url or success_url)
    if message is not None:
        messages.success(request, message(result) if callable(message) else message)
    return redirect(success_url)
