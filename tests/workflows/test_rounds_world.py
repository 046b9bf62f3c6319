"""The world of the rounds tests (no tests here): a chapter reviewed in round 1 by Amina and
Bruno, returned for revision, answered by its owner, and sent with version 2 to round 2,
where Amina reviews again with Carla (new). Built through the services, as people do."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cepa_collab.enums import Role
from tests.factories import DeliverableFactory, ProductFactory, pdf, person
from workflows import planning, responses, services
from workflows.enums import DeliverableState, Recommendation
from workflows.models import Deliverable, Review, ReviewAssignment

TODAY = datetime.date(2026, 3, 2)
DUE = TODAY + datetime.timedelta(days=14)
AMINA_R1 = "Amina on version 1: the method section is thin."
BRUNO_R1 = "Bruno on version 1: the data are old."
RESPONSE = "We rewrote the method section and refreshed the data."
REPLY_AMINA = "Section 2 now explains the sampling."


@dataclass
class Rounds:
    owner: object
    chief: object
    bystander: object
    amina: object
    bruno: object
    carla: object
    deliverable: Deliverable
    r1_amina: Review
    r1_bruno: Review
    r2_amina: ReviewAssignment | None = None
    r2_carla: ReviewAssignment | None = None

    def fresh(self) -> Deliverable:
        return Deliverable.objects.select_related("product").get(pk=self.deliverable.pk)


def cepa(username: str, first: str, last: str):
    return person(Role.CEPA_MEMBER, username=username, first_name=first, last_name=last)


def review(user, assignment, comments: str, recommendation=Recommendation.MAJOR_REVISION):
    return services.save_review(
        user, assignment, recommendation=recommendation, comments=comments, submit=True
    )


def round_one(chief, owner, *, tag: str = "") -> Rounds:
    """Round 1 reviewed by Amina and Bruno, returned for revision (no response yet); `tag`
    makes a second world beside the first (its people and product new)."""
    bystander = person(
        Role.BRANCH_STAFF, username=f"bystander{tag}", first_name="Boris", branch_code="e-govb"
    )
    amina = cepa(f"amina1{tag}", "Amina", "Mensah")
    bruno = cepa(f"bruno1{tag}", "Bruno", "Silva")
    carla = cepa(f"carla1{tag}", "Carla", "Reyes")
    product = ProductFactory(actor=chief, title=f"UN E-Government Survey{tag}")
    title = "Chapter 3: Digital services"
    deliverable = DeliverableFactory(
        product=product, owner=owner, title=title, state=DeliverableState.DRAFTING
    )
    a1, b1 = planning.send_for_review(
        owner, deliverable.pk, upload=pdf("v1.pdf"), reviewers=[amina, bruno], due_date=DUE
    )
    r1_amina = review(amina, a1, AMINA_R1)
    r1_bruno = review(bruno, b1, BRUNO_R1)
    services.fire_transition(chief, deliverable.pk, "return_for_revision", comment="Revise.")
    return Rounds(
        owner=owner,
        chief=chief,
        bystander=bystander,
        amina=amina,
        bruno=bruno,
        carla=carla,
        deliverable=Deliverable.objects.select_related("product").get(pk=deliverable.pk),
        r1_amina=r1_amina,
        r1_bruno=r1_bruno,
    )


def round_two(world: Rounds, *, reviewers=None, respond: bool = True) -> Rounds:
    """The owner responds and sends version 2 to Amina and Carla."""
    reviewers = reviewers if reviewers is not None else [world.amina, world.carla]
    if respond:
        responses.save_response(
            world.owner,
            world.deliverable.pk,
            text=RESPONSE,
            replies={world.r1_amina.pk: REPLY_AMINA},
        )
    created = planning.send_for_review(
        world.owner,
        world.deliverable.pk,
        upload=pdf("v2.pdf"),
        reviewers=reviewers,
        due_date=DUE,
    )
    by_reviewer = {a.reviewer_id: a for a in created}
    world.r2_amina = by_reviewer.get(world.amina.pk)
    world.r2_carla = by_reviewer.get(world.carla.pk)
    world.deliverable = world.fresh()
    return world
