"""The knowledge value chain of the demo world: deliverables that draw on the advisory
requests' findings and cite the CEPA members' contributions.

The links are those the requests of `demo.advisory` (`informs`) and the contributions of
`demo.contributions` (`cited_by`) name, made through `knowledge.services` by the
e-Government Branch's staff, between records that exist: a request seeded, a contribution
accepted, a deliverable of `demo.workflows`.

`seed_knowledge()` is idempotent: a link is found by its pair; what exists is left
untouched, so a second run creates nothing and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from advisory.models import AdvisoryRequest
from contributions.enums import ContributionState
from contributions.models import Contribution
from demo.advisory import REQUESTS
from demo.contributions import CONTRIBUTIONS
from knowledge import services as links
from knowledge.models import KnowledgeLink
from workflows.models import Deliverable

BRANCH = "e-govb"
LINKED_BY = "staff"


@dataclass
class KnowledgeDemoResult:
    links_created: int = 0
    links_existing: int = 0

    def summary(self) -> str:
        return (
            f"{self.links_created} knowledge links created; "
            f"{self.links_existing} knowledge links already there."
        )


class _Seeder:
    def __init__(self, result: KnowledgeDemoResult):
        self.result = result
        self.staff = get_user_model().objects.get(username=LINKED_BY)
        self.deliverables = {
            d.title: d
            for d in Deliverable.objects.filter(product__branch__code=BRANCH).select_related(
                "product__branch"
            )
        }

    # --- links -------------------------------------------------------------------------------
    def link(self, *, deliverable_title: str, note: str, request=None, contribution=None) -> None:
        deliverable = self.deliverables.get(deliverable_title)
        if deliverable is None:
            return
        source = {"request": request} if request is not None else {"contribution": contribution}
        if KnowledgeLink.objects.filter(deliverable=deliverable, **source).exists():
            self.result.links_existing += 1
            return
        if request is not None:
            links.link_request(self.staff, deliverable, request, note)
        else:
            links.link_contribution(self.staff, deliverable, contribution, note)
        self.result.links_created += 1


@transaction.atomic
def seed_knowledge() -> KnowledgeDemoResult:
    """Link the demo deliverables to the requests and contributions they draw on; return
    the counts. Needs `demo.workflows`, `demo.advisory` and `demo.contributions` first."""
    result = KnowledgeDemoResult()
    seeder = _Seeder(result)
    for spec in REQUESTS:
        if not spec.informs:
            continue
        request = AdvisoryRequest.objects.filter(
            country__iso3=spec.country, title=spec.title
        ).first()
        if request is None:
            continue
        for deliverable_title, note in spec.informs:
            seeder.link(request=request, deliverable_title=deliverable_title, note=note)
    for spec in CONTRIBUTIONS:
        if not spec.cited_by:
            continue
        contribution = Contribution.objects.filter(
            author__username=spec.author, title=spec.title, state=ContributionState.ACCEPTED
        ).first()
        if contribution is None:
            continue
        for deliverable_title, note in spec.cited_by:
            seeder.link(contribution=contribution, deliverable_title=deliverable_title, note=note)
    return result
