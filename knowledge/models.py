"""Links of the knowledge value chain: a deliverable draws on an advisory request's
findings or on a contribution. Both ends show the link."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class KnowledgeLink(models.Model):
    deliverable = models.ForeignKey(
        "workflows.Deliverable",
        on_delete=models.CASCADE,
        related_name="knowledge_links",
        verbose_name=_("deliverable"),
    )
    request = models.ForeignKey(
        "advisory.AdvisoryRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="knowledge_links",
        verbose_name=_("advisory request"),
    )
    contribution = models.ForeignKey(
        "contributions.Contribution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="knowledge_links",
        verbose_name=_("contribution"),
    )
    note = models.CharField(_("how it was used"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("knowledge link")
        verbose_name_plural = _("knowledge links")
        constraints = [
            models.CheckConstraint(
                condition=(Q(request__isnull=False) & Q(contribution__isnull=True))
                | (Q(request__isnull=True) & Q(contribution__isnull=False)),
                name="knowledgelink_one_source",
            ),
            models.UniqueConstraint(
                fields=["deliverable", "request"],
                condition=Q(request__isnull=False),
                name="knowledgelink_unique_request",
            ),
            models.UniqueConstraint(
                fields=["deliverable", "contribution"],
                condition=Q(contribution__isnull=False),
                name="knowledgelink_unique_contribution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} ← {self.request or self.contribution}"
