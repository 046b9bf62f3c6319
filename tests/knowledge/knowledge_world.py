"""A small world for the knowledge value chain tests (country and region pages, their API,
the links), made through the services, and a way to grow it for query counts.

The records, in Oman (OMN, Arab region), Ghana (GHA, Africa) and Tunisia (TUN, Arab region):

    R1  OMN request of the e-Government Branch (received)
    R2  GHA request of the e-Government Branch (received)
    R3  OMN request of the Public Administration Capacity Branch (received)
    C1  GHA case study by amina (the `cepa_member`), accepted, cited by D
    C2  OMN case study by fatima, submitted
    C3  OMN repository entry (policy) by fatima, accepted
    C4  OMN repository entry (legal framework) by fatima, accepted
    C5  GHA repository entry (policy) by amina, accepted
    C6  OMN repository entry (institutional) by fatima, submitted
    C7  TUN case study by amina, a draft
    M1  public meeting in OMN (e-Government Branch)
    M2  participants-only meeting in OMN (e-Government Branch), nobody invited
    M3  participants-only meeting in GHA (e-Government Branch), amina invited
    D   a Compendium volume of the e-Government Branch, drawing on R1 and citing C1
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import cycle

from advisory import services as advisory
from advisory.models import AdvisoryRequest
from cepa_collab.enums import Role
from cepa_collab.models import MemberState
from contributions import services as contributions
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from contributions.models import Contribution
from knowledge import services as knowledge
from knowledge.models import KnowledgeLink
from meetings import services as meetings
from meetings.enums import MeetingKind, Visibility
from meetings.models import Meeting
from tests.factories import branch, member_state, person
from workflows import services as workflows
from workflows.enums import DeliverableKind, ProductKind

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


@dataclass
class World:
    r1: AdvisoryRequest
    r2: AdvisoryRequest
    r3: AdvisoryRequest
    c1: Contribution
    c2: Contribution
    c3: Contribution
    c4: Contribution
    c5: Contribution
    c6: Contribution
    c7: Contribution
    m1: Meeting
    m2: Meeting
    m3: Meeting
    deliverable: object
    fatima: object


def register(actor, iso3: str, title: str, branch_code: str = "e-govb") -> AdvisoryRequest:
    return advisory.register_request(
        actor,
        country=member_state(iso3),
        branch=branch(branch_code),
        kind="assessment",
        channel="letter",
        received_on=TODAY - datetime.timedelta(days=10),
        title=title,
        description="Support for the national e-government programme.",
    )


def case_study(author, iso3: str, title: str) -> Contribution:
    return contributions.propose(
        author,
        kind=ContributionKind.CASE_STUDY,
        title=title,
        country=member_state(iso3),
        summary="What it is.",
        innovation="What is new.",
        transferability="Why others can adapt it.",
    )


def entry(author, iso3: str, category: str, title: str, year: int = 2020) -> Contribution:
    return contributions.propose(
        author,
        kind=ContributionKind.REPOSITORY_ENTRY,
        title=title,
        country=member_state(iso3),
        category=category,
        year=year,
        document_url=f"https://example.org/{iso3.lower()}/{category}",
    )


def submit(contribution: Contribution) -> Contribution:
    return contributions.fire_transition(contribution.author, contribution, "submit")


def accept(contribution: Contribution, reviewer) -> Contribution:
    submit(contribution)
    contributions.fire_transition(reviewer, contribution, "start_review")
    return contributions.fire_transition(reviewer, contribution, "accept", comment="Good.")


def meeting(actor, iso3: str, title: str, visibility: str, days: int = 20) -> Meeting:
    start = NOW + datetime.timedelta(days=days)
    return meetings.create_meeting(
        actor,
        kind=MeetingKind.WORKSHOP,
        title=title,
        branch=branch("e-govb"),
        country=member_state(iso3),
        start=start,
        end=start + datetime.timedelta(hours=8),
        time_zone="UTC",
        visibility=visibility,
    )


def compendium_volume(chief, owner, title: str = "Compendium, volume 4"):
    product = workflows.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.COMPENDIUM,
        title="Compendium of Innovative E-Government Practices",
        edition="2027",
        lead=chief,
    )
    return workflows.create_deliverable(
        chief,
        product=product,
        owner=owner,
        title=title,
        kind=DeliverableKind.VOLUME,
        due_date=TODAY + datetime.timedelta(days=90),
    )


def build(*, chief, staff, other_branch_staff, cepa_member) -> World:
    fatima = person(Role.CEPA_MEMBER, username="fatima", country="BHR")
    r1 = register(staff, "OMN", "R1 Oman e-government assessment")
    r2 = register(staff, "GHA", "R2 Ghana e-government strategy")
    r3 = register(other_branch_staff, "OMN", "R3 Oman civil service reform", "pacb")
    c1 = accept(case_study(cepa_member, "GHA", "C1 Ghana e-Registrar"), staff)
    c2 = submit(case_study(fatima, "OMN", "C2 Oman one-stop shop"))
    c3 = accept(entry(fatima, "OMN", RepositoryCategory.POLICY, "C3 Oman digital strategy"), staff)
    c4 = accept(entry(fatima, "OMN", RepositoryCategory.LEGAL, "C4 Oman e-transactions law"), staff)
    c5 = accept(entry(cepa_member, "GHA", RepositoryCategory.POLICY, "C5 Ghana ICT4AD"), staff)
    c6 = submit(entry(fatima, "OMN", RepositoryCategory.INSTITUTIONAL, "C6 Oman ITA"))
    c7 = case_study(cepa_member, "TUN", "C7 Tunisia company online")
    m1 = meeting(staff, "OMN", "M1 Muscat public workshop", Visibility.PUBLIC)
    m2 = meeting(staff, "OMN", "M2 Muscat closed meeting", Visibility.PARTICIPANTS, days=25)
    m3 = meeting(staff, "GHA", "M3 Accra closed meeting", Visibility.PARTICIPANTS, days=30)
    meetings.add_participant(staff, m3, user=cepa_member)
    deliverable = compendium_volume(chief, staff)
    knowledge.link_request(staff, deliverable, r1, "Findings of the mission.")
    knowledge.link_contribution(staff, deliverable, c1, "Case 12.")
    return World(r1, r2, r3, c1, c2, c3, c4, c5, c6, c7, m1, m2, m3, deliverable, fatima)


COUNTRIES = ("OMN", "GHA", "TUN", "BHR", "EGY", "KEN", "SEN", "JOR")


def grow(world: World, *, staff, count: int) -> None:
    """`count` more requests, contributions of each kind and meetings, spread over eight
    countries of two regions (bulk rows: only the number of rows matters here)."""
    countries = cycle([MemberState.objects.get(iso3=iso3) for iso3 in COUNTRIES])
    categories = cycle(RepositoryCategory.values)
    e_govb = branch("e-govb")
    rows = [next(countries) for _ in range(count)]
    AdvisoryRequest.objects.bulk_create(
        AdvisoryRequest(
            country=country,
            branch=e_govb,
            kind="assessment",
            channel="letter",
            received_on=TODAY,
            title=f"Bulk request {i}",
            description="-",
            created_by=staff,
        )
        for i, country in enumerate(rows)
    )
    Contribution.objects.bulk_create(
        Contribution(
            author=world.fatima,
            kind=kind,
            branch=e_govb,
            country=country,
            title=f"Bulk {kind} {i}",
            category=next(categories) if kind == ContributionKind.REPOSITORY_ENTRY else "",
            year=2020,
            state=ContributionState.ACCEPTED,
        )
        for i, country in enumerate(rows)
        for kind in (ContributionKind.CASE_STUDY, ContributionKind.REPOSITORY_ENTRY)
    )
    KnowledgeLink.objects.bulk_create(
        KnowledgeLink(deliverable=world.deliverable, request=request, created_by=staff)
        for request in AdvisoryRequest.objects.filter(title__startswith="Bulk request ").exclude(
            knowledge_links__deliverable=world.deliverable
        )
    )
    Meeting.objects.bulk_create(
        Meeting(
            kind=MeetingKind.WORKSHOP,
            title=f"Bulk meeting {i}",
            branch=e_govb,
            country=country,
            start=NOW,
            end=NOW + datetime.timedelta(hours=2),
            time_zone="UTC",
            visibility=Visibility.PUBLIC if i % 2 else Visibility.PARTICIPANTS,
            created_by=staff,
        )
        for i, country in enumerate(rows)
    )
