"""The rounds part of the demo world (issue 16, items 3-4): the owner's responses to the
reviews of round 1 of two Survey chapters.

Chapter 5 is being revised after round 1: its owner's response goes through
`workflows.responses.save_response`, as on the page. Chapter 6 is in its second round
already (its response is the record a past page would have written: the service refuses
a response once the next round is open), so its round-2 reviewers read it beside version 1.

Idempotent: a round that has a response is left untouched."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from workflows import responses
from workflows.enums import DeliverableState, ReviewStatus
from workflows.models import Deliverable, OwnerResponse, ResponsePoint, Review

CHAPTER_5 = "Chapter 5: Human capital and e-government"
CHAPTER_6 = "Chapter 6: E-participation and citizen engagement"
RESPONSE_5 = (
    "Thank you both. The methodology section is rewritten: the sampling of the 193 "
    "Member States and the weighting of the human capital index are now explained "
    "step by step, with the limits of the data."
)
RESPONSE_6 = (
    "The minor points are addressed: the examples of e-participation are updated to 2026, "
    "and the section on consultation portals now cites its sources."
)
REPLY = "Done: see the revised section and its notes."


def _first_round(title: str) -> tuple[Deliverable, object] | None:
    deliverable = Deliverable.objects.filter(title=title).select_related("owner", "product").first()
    if deliverable is None:
        return None
    first = deliverable.rounds.filter(number=1).first()
    if first is None or OwnerResponse.objects.filter(round=first).exists():
        return None
    return deliverable, first


def _replies(round_) -> dict[int, str]:
    reviews = Review.objects.filter(assignment__round=round_, status=ReviewStatus.SUBMITTED)
    return {pk: REPLY for pk in reviews.order_by("pk").values_list("pk", flat=True)[:1]}


@transaction.atomic
def seed_review_rounds() -> int:
    """Write the demo's owner responses that are missing; return how many were written."""
    written = 0
    found = _first_round(CHAPTER_5)
    if found is not None and found[0].state == DeliverableState.REVISING:
        deliverable, round_ = found
        responses.save_response(
            deliverable.owner, deliverable, text=RESPONSE_5, replies=_replies(round_)
        )
        written += 1
    found = _first_round(CHAPTER_6)
    if found is not None:
        deliverable, round_ = found
        response = OwnerResponse.objects.create(
            round=round_,
            text=RESPONSE_6,
            written_by=get_user_model().objects.get(pk=deliverable.owner_id),
        )
        ResponsePoint.objects.bulk_create(
            ResponsePoint(response=response, review_id=pk, text=text)
            for pk, text in _replies(round_).items()
        )
        written += 1
    return written
