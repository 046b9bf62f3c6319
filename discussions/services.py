"""Writing in a thread: one function, which pages, API and tests call.

Mentions are `@login` in the text or people picked from those who may read the thread.
A mentioned person who may read it is told (`DiscussionNotice.MENTION`, as they prefer:
at once, in the digest or not by mail); one who may not is told nothing, and the writer
is told whom their mention did not reach (without saying whether such a login exists).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from discussions import rules
from discussions.models import MAX_LENGTH, Message, Thread
from discussions.notices import DiscussionNotice
from discussions.queries import thread_url
from notifications.services import N_, mark_read_for, notify_all

# `@login`: not inside a word or an e-mail address; a login's trailing dots (the end of a
# sentence) are not part of it.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")
MAX_MENTIONS = 20


@dataclass
class Posted:
    """A message written, who was told, and the mentions that reached nobody (as written:
    `@login`)."""

    message: Message
    notified: list = field(default_factory=list)
    not_notified: list[str] = field(default_factory=list)


def mentioned_logins(text: str) -> list[str]:
    """The `@login`s of `text`, each once, in order."""
    found = (match.group(1).rstrip(".") for match in MENTION.finditer(text))
    return list(dict.fromkeys(login for login in found if login))


def _people_by_login(logins: list[str]) -> dict[str, object]:
    """The people with these logins (case-insensitively), by the login as written."""
    if not logins:
        return {}
    condition = Q()
    for login in logins:
        condition |= Q(username__iexact=login)
    people = (
        get_user_model()
        .objects.filter(condition)
        .select_related("profile")
        .prefetch_related("groups")
    )
    by_lower = {person.username.casefold(): person for person in people}
    return {login: by_lower[login.casefold()] for login in logins if login.casefold() in by_lower}


@transaction.atomic
def post_message(actor, thread: Thread, text: str, *, mentions: Iterable = ()) -> Posted:
    """Write `text` in `thread` (made with its first message) as `actor`, telling those it
    mentions (`@login` in the text, or `mentions`: people or logins) who may read it."""
    rules.THREAD.post.require(thread, actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a message.")})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"text": _("A message has at most %(count)d characters.") % {"count": MAX_LENGTH}}
        )
    picked = [person for person in mentions if not isinstance(person, str)]
    logins = list(
        dict.fromkeys(
            [*mentioned_logins(text), *(name for name in mentions if isinstance(name, str))]
        )
    )
    if len(logins) + len(picked) > MAX_MENTIONS:
        raise ValidationError(
            {"mentions": _("Mention at most %(count)d people.") % {"count": MAX_MENTIONS}}
        )
    if thread.pk is None:
        unsaved = thread
        thread, _created = Thread.objects.get_or_create(
            deliverable=unsaved.deliverable, assignment=unsaved.assignment
        )
        thread.deliverable, thread.assignment = unsaved.deliverable, unsaved.assignment
    message = Message.objects.create(thread=thread, author=actor, text=text)

    found = _people_by_login(logins)
    notified, not_notified = [], []
    for login in logins:
        person = found.get(login)
        if person is not None and rules.sees(thread, person):
            notified.append(person)
        elif person is None or person.pk != actor.pk:
            not_notified.append(f"@{login}")
    for person in picked:
        if rules.sees(thread, person):
            notified.append(person)
        elif person.pk != actor.pk:  # by id: the login of someone unseen is not told
            not_notified.append(f"#{person.pk}")
    notified = [person for person in dict.fromkeys(notified) if person.pk != actor.pk]
    message.mentioned.set(notified)

    link = thread_url(thread)
    mark_read_for(actor, link)
    notify_all(
        notified,
        DiscussionNotice.MENTION,
        subject=N_("%(name)s mentioned you about “%(title)s”"),
        body=N_("%(name)s wrote in the discussion of “%(title)s”:\n\n%(text)s"),
        params={"name": actor, "title": thread.deliverable.title, "text": text},
        link=link,
    )
    return Posted(message=message, notified=notified, not_notified=not_notified)
