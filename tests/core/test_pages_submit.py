"""`cepa_collab.pages.submit`: the POST-form step of every page, written once."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from cepa_collab.exceptions import ServiceConflict
from cepa_collab.pages import conflict, submit

BACK = "/back/"


class NoteForm(forms.Form):
    title = forms.CharField()


def _request():
    request = RequestFactory().post("/somewhere/")
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(request)]


def test_a_valid_form_calls_the_operation_then_redirects_with_the_success_message():
    request = _request()
    calls = []

    def operation(data):
        calls.append(data)
        return 7

    response = submit(
        request,
        NoteForm({"title": "Budget"}),
        operation,
        success_url=BACK,
        message=lambda number: f"Note {number} saved.",
    )

    assert calls == [{"title": "Budget"}]
    assert response.status_code == 302
    assert response.url == BACK
    assert _messages(request) == [("success", "Note 7 saved.")]


def test_a_plain_message_is_shown_as_is():
    request = _request()

    response = submit(
        request, NoteForm({"title": "Budget"}), lambda data: None, success_url=BACK, message="Done."
    )

    assert response.url == BACK
    assert _messages(request) == [("success", "Done.")]


def test_a_validation_error_of_the_service_goes_on_the_form_and_returns_none():
    request = _request()
    form = NoteForm({"title": "Budget"})

    def operation(data):
        raise ValidationError({"title": "Taken.", "transition": "Not now."})

    response = submit(request, form, operation, success_url=BACK, message="Done.")

    assert response is None
    assert form.errors == {"title": ["Taken."], "__all__": ["Not now."]}
    assert _messages(request) == []


def test_a_conflict_shows_its_message_and_redirects():
    request = _request()

    def operation(data):
        raise ServiceConflict("Someone approved it first.")

    response = submit(
        request,
        NoteForm({"title": "Budget"}),
        operation,
        success_url=BACK,
        message="Done.",
        conflict_url="/elsewhere/",
    )

    assert response.status_code == 302
    assert response.url == "/elsewhere/"
    assert _messages(request) == [("error", "Someone approved it first.")]


def test_a_conflict_redirects_to_the_success_url_by_default():
    request = _request()

    def operation(data):
        raise ServiceConflict("Too late.")

    response = submit(request, NoteForm({"title": "Budget"}), operation, success_url=BACK)

    assert response.url == BACK
    assert _messages(request) == [("error", "Too late.")]


def test_an_invalid_form_does_not_call_the_operation():
    request = _request()
    form = NoteForm({"title": ""})
    calls = []

    response = submit(request, form, calls.append, success_url=BACK, message="Done.")

    assert response is None
    assert calls == []
    assert "title" in form.errors
    assert _messages(request) == []


def test_conflict_alone_answers_like_the_pages_did():
    request = _request()

    response = conflict(request, ServiceConflict("Closed."), BACK)

    assert response.status_code == 302
    assert response.url == BACK
    assert _messages(request) == [("error", "Closed.")]
