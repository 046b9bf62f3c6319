"""Linking deliverables to the requests and contributions they draw on."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from advisory import rules as advisory_rules
from knowledge.models import KnowledgeLink
from workflows import rules as workflow_rules


def _check_deliverable(actor, deliverable) -> None:
    if not workflow_rules.sees_branch(actor, deliverable.product.branch_id):
        raise PermissionDenied(_("Only the deliverable's branch links it to other records."))


@transaction.atomic
def link_request(actor, deliverable, request, note: str = "") -> KnowledgeLink:
    """The deliverable draws on the findings of an advisory request."""
    _check_deliverable(actor, deliverable)
    if not advisory_rules.sees_internal(request, actor):
        raise PermissionDenied(_("You may not link this request."))
    return _create(actor, deliverable, note, request=request)


@transaction.atomic
def link_contribution(actor, deliverable, contribution, note: str = "") -> KnowledgeLink:
    """The deliverable cites a contribution (accepted ones only)."""
    from contributions.enums import ContributionState

    _check_deliverable(actor, deliverable)
    if contribution.state != ContributionState.ACCEPTED:
        raise ValidationError({"contribution": _("Only accepted contributions are cited.")})
    return _create(actor, deliverable, note, contribution=contribution)


def _create(actor, deliverable, note: str, **source) -> KnowledgeLink:
    try:
        with transaction.atomic():
            return KnowledgeLink.objects.create(
                deliverable=deliverable, note=note.strip()[:300], created_by=actor, **source
            )
    except IntegrityError:
        raise ValidationError({"deliverable": _("These two are already linked.")}) from None


@transaction.atomic
def unlink(actor, link: KnowledgeLink) -> None:
    _check_deliverable(actor, link.deliverable)
    link.delete()
