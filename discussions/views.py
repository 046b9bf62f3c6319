"""The thread pages, and the thread as the deliverable page and the review page show it.

Thin: threads are loaded through `discussions.queries` (404 for who may not see them),
messages are written by `discussions.services.post_message`. Forms post without
JavaScript; after posting, the page the form was on is shown again (`back`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cepa_collab import pages
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.service_errors import add_service_errors
from discussions import queries, rules, services
from discussions.forms import MessageForm
from discussions.models import Message, Thread

BAD_REQUEST = 400
ANCHOR = "#discussion"


@dataclass
class ThreadBlock:
    """A thread as a page shows it: its messages, and the form to write (None when the
    person may not write now, `closed` then saying why)."""

    thread: Thread | None
    messages: list[Message]
    form: MessageForm | None
    url: str
    closed: str = ""
    review_threads: list = field(default_factory=list)
    template: str = "discussions/_panel.html"


def thread_block(
    user, thread: Thread | None, *, back: str, form: MessageForm | None = None
) -> ThreadBlock | None:
    if thread is None:
        return None
    closed = ""
    decision = rules.THREAD.post.decide(thread, user)
    if decision:
        form = form or MessageForm(people=queries.participants(thread), actor=user, back=back)
    else:
        form, closed = None, decision.message
    return ThreadBlock(
        thread=thread,
        messages=list(queries.messages_of(thread)),
        form=form,
        url=queries.thread_url(thread),
        closed=closed,
    )


def _back_url(request: HttpRequest, thread: Thread, back: str) -> str:
    if back == "deliverable" and thread.assignment_id is None:
        return reverse("workflows:deliverable", args=[thread.deliverable_id]) + ANCHOR
    reviewer = thread.assignment_id is not None and thread.assignment.reviewer_id == request.user.pk
    if back == "review" and reviewer:
        return reverse("workflows:review", args=[thread.assignment_id]) + ANCHOR
    return queries.thread_url(thread) + ANCHOR


def _thread_page(request: HttpRequest, thread: Thread) -> HttpResponse:
    user = request.user
    form = None
    status = 200
    if request.method == "POST":
        try:
            rules.THREAD.post.require(thread, user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, queries.thread_url(thread))
        form = MessageForm(request.POST, people=queries.participants(thread), actor=user)
        if form.is_valid():
            try:
                posted = services.post_message(
                    user, thread, form.cleaned_data["text"], mentions=form.picked()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _say_posted(request, posted)
                return redirect(_back_url(request, thread, form.cleaned_data.get("back") or ""))
        status = BAD_REQUEST
    block = thread_block(user, thread, back="thread", form=form)
    assignment = thread.assignment
    return render(
        request,
        "discussions/thread.html",
        {
            "thread": thread,
            "deliverable": thread.deliverable,
            "assignment": assignment,
            "panel": block,
            "is_reviewer": assignment is not None and assignment.reviewer_id == user.pk,
        },
        status=status,
    )


def _say_posted(request: HttpRequest, posted: services.Posted) -> None:
    messages.success(request, _("Your message was posted."))
    if posted.not_notified:
        messages.warning(
            request,
            _(
                "Not told: %(names)s. Only people who may read this discussion are told "
                "(or there is nobody with that login)."
            )
            % {"names": ", ".join(posted.not_notified)},
        )


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_thread(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_page(request, queries.get_deliverable_thread(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def review_thread(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_page(request, queries.get_review_thread(request.user, pk))
