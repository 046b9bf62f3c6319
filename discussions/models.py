"""Threads and their messages.

A deliverable has one thread for the people who produce it (its owner, the branch's staff
and its chief), and each review assignment one between that reviewer, the owner and the
chief (`discussions.rules`). A thread is created with its first message
(`discussions.services.post_message`); until then it is empty, not missing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cepa_collab.models import TimeStampedModel
from workflows.models import Deliverable, ReviewAssignment

MAX_LENGTH = 5000  # characters of one message


class Thread(TimeStampedModel):
    """The deliverable's own thread (`assignment` empty) or a review assignment's."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="threads")
    assignment = models.OneToOneField(
        ReviewAssignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thread",
    )

    class Meta:
        ordering = ["deliverable", "pk"]
        verbose_name = _("discussion thread")
        verbose_name_plural = _("discussion threads")
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable"],
                condition=Q(assignment__isnull=True),
                name="discussions_one_thread_per_deliverable",
            )
        ]

    def __str__(self) -> str:
        if self.assignment_id is None:
            return str(self.deliverable)
        return f"{self.deliverable} / {self.assignment_id}"

    @property
    def is_review_thread(self) -> bool:
        return self.assignment_id is not None


class Message(TimeStampedModel):
    """Plain text written in a thread (shown escaped, line breaks kept)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="discussion_messages"
    )
    text = models.TextField(_("message"), max_length=MAX_LENGTH)
    # Those the message mentioned and who were told (they may see the thread).
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("mentioned")
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]
