"""Linking deliverables to the requests and contributions they draw on.

One function per operation; the deliverable's branch (its staff, advisors and chief) and
the secretariat admin link and unlink. A link names exactly one source and is unique per
(deliverable, source): the database says so too, so two people linking the same pair at
once end with one link and a clear error for the second.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from advisory.models import AdvisoryRequest
from contributions.models import Contribution
from knowledge import rules
from knowledge.models import KnowledgeLink

NOTE_MAX_LENGTH = KnowledgeLink._meta.get_field("note").max_length


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
    rules.LINK.create.require(deliverable, actor)
    request = AdvisoryRequest.objects.select_for_update().get(pk=request.pk)
    rules.LINK.draw_on_request.require(request, actor)
    return _create(actor, deliverable, _clean_note(note), request=request)


@transaction.atomic
def link_contribution(actor, deliverable, contribution, note: str = "") -> KnowledgeLink:
    """The deliverable cites a contribution (accepted ones only)."""
    rules.LINK.create.require(deliverable, actor)
    # The state as it is now (the caller's copy may be older), kept until the link is made.
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    rules.LINK.cite_contribution.require(contribution, actor)
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
    rules.LINK.remove.require(link, actor)
    KnowledgeLink.objects.filter(pk=link.pk).delete()
