"""Linking deliverables to the requests and contributions they draw on.

One function per operation; the deliverable's branch (its staff, advisors and chief) and
the secretariat admin link and unlink. A link names exactly one source and is unique per
(deliverable, source): the database says so too, so two people linking the same pair at
once end with one link and a clear error for the second.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from advisory import rules as advisory_rules
from advisory.enums import RequestState
from advisory.models import AdvisoryRequest
from cepa_collab import viewer
from contributions.enums import ContributionState
from contributions.models import Contribution
from knowledge.models import KnowledgeLink

NOTE_MAX_LENGTH = KnowledgeLink._meta.get_field("note").max_length


def can_link(user, deliverable) -> bool:
    """The deliverable's branch people and the secretariat admin link it to other records."""
    if not getattr(user, "is_authenticated", False):
        return False
    return viewer.sees_branch(user, deliverable.product.branch_id)


def _check_deliverable(actor, deliverable) -> None:
    if not can_link(actor, deliverable):
        raise PermissionDenied(_("Only the deliverable's branch links it to other records."))


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": _("Keep the note to %(limit)d characters (it has %(length)d).")
                % {"limit": NOTE_MAX_LENGTH, "length": len(note)}
            }
        )
    return note


@transaction.atomic
def link_request(actor, deliverable, request, note: str = "") -> KnowledgeLink:
    """The deliverable draws on the findings of an advisory request."""
    _check_deliverable(actor, deliverable)
    request = AdvisoryRequest.objects.select_for_update().get(pk=request.pk)
    if not advisory_rules.sees_internal(request, actor):
        raise PermissionDenied(_("You may not link this request."))
    if request.state == RequestState.DECLINED:
        raise ValidationError({"request": _("A declined request has no findings to draw on.")})
    return _create(actor, deliverable, _clean_note(note), request=request)


@transaction.atomic
def link_contribution(actor, deliverable, contribution, note: str = "") -> KnowledgeLink:
    """The deliverable cites a contribution (accepted ones only)."""
    _check_deliverable(actor, deliverable)
    # The state as it is now (the caller's copy may be older), kept until the link is made.
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.state != ContributionState.ACCEPTED:
        raise ValidationError({"contribution": _("Only accepted contributions are cited.")})
    return _create(actor, deliverable, _clean_note(note), contribution=contribution)


def _create(actor, deliverable, note: str, **source) -> KnowledgeLink:
    try:
        with transaction.atomic():
            return KnowledgeLink.objects.create(
                deliverable=deliverable, note=note, created_by=actor, **source
            )
    except IntegrityError:
        raise ValidationError({"deliverable": _("These two are already linked.")}) from None


@transaction.atomic
def unlink(actor, link: KnowledgeLink) -> None:
    """Remove a link (its deliverable's branch people, the secretariat admin)."""
    _check_deliverable(actor, link.deliverable)
    KnowledgeLink.objects.filter(pk=link.pk).delete()
