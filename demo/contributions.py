"""The CEPA members' part of the demo world: their contributions, in every state.

From the source document: CEPA members propose Compendium case studies and entries for
the UN e/m-Government Knowledge Repository (policy, legal framework, institutional
setting / CIO), and written input to a product; branch staff review them; accepted ones
are incorporated into the Compendium volumes and the regional repositories of
`demo.workflows`. Which deliverables cite a contribution is said here (`cited_by`);
`demo.knowledge` makes those links.

Everything goes through `contributions.services` with the demo people as actors.

`seed_contributions()` is idempotent: contributions are found by (author, title); what
exists is left untouched (whatever the day), so a second run creates nothing and changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from cepa_collab.models import Branch, MemberState
from contributions import services as contributions
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from contributions.models import Contribution
from demo.workflows import AFRICA_CASES, ARAB_CASES, CHAPTER_2, CHAPTER_3
from workflows.models import Deliverable, Product

BRANCH = "e-govb"
CS = ContributionState
CAT = RepositoryCategory


# --- contributions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionSpec:
    author: str
    kind: ContributionKind
    title: str
    state: ContributionState
    country: str | None = None
    summary: str = ""
    innovation: str = ""
    transferability: str = ""
    category: str = ""
    year: int | None = None
    product: str = ""  # title of a demo product (written input)
    review_comment: str = ""
    incorporate_into: str = ""  # title of a demo deliverable
    cited_by: tuple[tuple[str, str], ...] = ()  # (deliverable title, note)


def _case(author, country, title, state, summary, innovation="", transferability="", **kwargs):
    return ContributionSpec(
        author,
        ContributionKind.CASE_STUDY,
        title,
        state,
        country,
        summary=summary,
        innovation=innovation,
        transferability=transferability,
        **kwargs,
    )


def _entry(author, country, category, title, year, state, **kwargs):
    return ContributionSpec(
        author,
        ContributionKind.REPOSITORY_ENTRY,
        title,
        state,
        country,
        category=category,
        year=year,
        **kwargs,
    )


REPOSITORY = {
    "arab": "UN-emGKR Arab region: policies, legal framework, institutional setting / CIO",
    "africa": "UN-emGKR Africa: policies, legal framework, institutional setting / CIO",
    "asia": "UN-emGKR Asia: policies, legal framework, institutional setting / CIO",
    "americas": "UN-emGKR Americas: policies, legal framework, institutional setting / CIO",
    "europe": "UN-emGKR Europe: policies, legal framework, institutional setting / CIO",
}
SAME_DAY = "Transferable wherever a single civil registry or business registry exists."
ACCEPTED = "Clear, well documented and transferable: accepted."

CONTRIBUTIONS = [
    # --- Compendium of Innovative E-Government Practices: case studies -----------------
    _case(
        "amina",
        "GHA",
        "Ghana: online business registration with the e-Registrar",
        CS.ACCEPTED,
        "Businesses register, file and pay online in one place.",
        "One registry shared by the tax, social security and business registration offices.",
        SAME_DAY,
        review_comment=ACCEPTED,
        incorporate_into=AFRICA_CASES,
    ),
    _case(
        "tesfaye",
        "ETH",
        "Ethiopia: WoredaNet connects every district administration",
        CS.ACCEPTED,
        "A terrestrial and satellite network linking the federal, regional and district "
        "administrations for video conferencing and shared applications.",
        "District administrations reached where no commercial network existed.",
        "Adaptable to any country with remote local administrations.",
        review_comment=ACCEPTED,
        incorporate_into=AFRICA_CASES,
        cited_by=((CHAPTER_2, "District connectivity in Africa."),),
    ),
    _case(
        "fatima",
        "BHR",
        "Bahrain: one national contact centre for all government services",
        CS.ACCEPTED,
        "One telephone number and one portal answer for every ministry.",
        "Multichannel service delivery with shared case management.",
        "Transferable to small and medium-sized administrations.",
        review_comment=ACCEPTED,
        incorporate_into=ARAB_CASES,
    ),
    _case(
        "weiling",
        "SGP",
        "Singapore: a single sign-on for citizens' online transactions",
        CS.ACCEPTED,
        "One national digital identity opens every government e-service.",
        "A shared identity service used by public and private services alike.",
        "Adaptable once a national identity register exists.",
        review_comment=ACCEPTED,
        cited_by=((CHAPTER_3, "An example of integrated online services."),),
    ),
    _case(
        "leila",
        "TUN",
        "Tunisia: creating a company online in one day",
        CS.UNDER_REVIEW,
        "The one-stop shop for company creation moved online.",
        "All the steps, from name search to publication, in one online procedure.",
        SAME_DAY,
    ),
    _case(
        "nasser",
        "SAU",
        "Saudi Arabia: a shared government service bus (Yesser)",
        CS.SUBMITTED,
        "Ministries exchange data through one shared integration platform.",
        "Data is asked once and shared between agencies.",
        "Transferable to any government with several ministries' registries.",
    ),
    _case(
        "camila",
        "COL",
        "Colombia: citizens' online procedures under Gobierno en línea",
        CS.RETURNED,
        "A national programme putting citizens' procedures online.",
        "Service standards and rankings for every public entity.",
        "Adaptable to decentralised administrations.",
        review_comment=(
            "Please add figures on uptake and say what other countries would need to adapt."
        ),
    ),
    _case(
        "andre",
        "BLZ",
        "Belize: paying government fees by mobile phone",
        CS.DRAFT,
        "Citizens pay licences and fees from their mobile phone.",
    ),
    _case(
        "palesa",
        "LSO",
        "Lesotho: community information centres in district councils",
        CS.WITHDRAWN,
        "Public internet access points in district council offices.",
        "Shared access points run by the councils.",
        "Adaptable to rural districts.",
    ),
    # --- UN e/m-Government Knowledge Repository: entries --------------------------------
    _entry("fatima", "OMN", CAT.POLICY, "Oman Digital Strategy (e.oman)", 2023, CS.ACCEPTED),
    _entry(
        "fatima",
        "OMN",
        CAT.LEGAL,
        "Electronic Transactions Law (Royal Decree 69/2008)",
        2008,
        CS.ACCEPTED,
    ),
    _entry(
        "nasser",
        "OMN",
        CAT.INSTITUTIONAL,
        "Information Technology Authority: mandate and CIO function",
        2019,
        CS.ACCEPTED,
    ),
    _entry("fatima", "BHR", CAT.POLICY, "Bahrain eGovernment Strategy", 2022, CS.ACCEPTED),
    _entry(
        "fatima",
        "BHR",
        CAT.LEGAL,
        "Electronic Communications and Transactions Law",
        2018,
        CS.ACCEPTED,
    ),
    _entry(
        "nasser",
        "SAU",
        CAT.INSTITUTIONAL,
        "The Yesser e-government programme: institutional setting",
        2021,
        CS.ACCEPTED,
    ),
    _entry(
        "leila",
        "TUN",
        CAT.LEGAL,
        "Law on electronic exchanges and electronic commerce",
        2000,
        CS.ACCEPTED,
    ),
    _entry(
        "youssef",
        "MAR",
        CAT.INSTITUTIONAL,
        "Digital Development Agency: mandate",
        2017,
        CS.RETURNED,
        review_comment="Please add the agency's founding act and its reporting line.",
    ),
    _entry(
        "amina",
        "GHA",
        CAT.POLICY,
        "ICT for Accelerated Development policy (ICT4AD)",
        2003,
        CS.ACCEPTED,
    ),
    _entry(
        "amina", "GHA", CAT.LEGAL, "Electronic Transactions Act, 2008 (Act 772)", 2008, CS.ACCEPTED
    ),
    _entry("tesfaye", "ETH", CAT.POLICY, "Digital Ethiopia 2025 strategy", 2020, CS.ACCEPTED),
    _entry(
        "tesfaye",
        "ETH",
        CAT.INSTITUTIONAL,
        "Ministry of Innovation and Technology: e-government mandate",
        2019,
        CS.ACCEPTED,
    ),
    _entry(
        "palesa", "LSO", CAT.LEGAL, "Computer Crime and Cyber Security Bill", 2022, CS.SUBMITTED
    ),
    _entry(
        "chinedu",
        "NGA",
        CAT.POLICY,
        "National Digital Economy Policy and Strategy",
        2019,
        CS.UNDER_REVIEW,
    ),
    _entry("weiling", "SGP", CAT.POLICY, "Digital Government Blueprint", 2018, CS.ACCEPTED),
    _entry(
        "weiling",
        "SGP",
        CAT.INSTITUTIONAL,
        "Government Technology Agency (GovTech): the government CIO",
        2016,
        CS.ACCEPTED,
    ),
    _entry("hyejin", "KOR", CAT.LEGAL, "Electronic Government Act", 2001, CS.ACCEPTED),
    _entry("camila", "COL", CAT.POLICY, "Digital Government policy", 2018, CS.ACCEPTED),
    _entry(
        "andre",
        "BLZ",
        CAT.INSTITUTIONAL,
        "Central Information Technology Office",
        2015,
        CS.ACCEPTED,
    ),
    _entry(
        "lars",
        "SWE",
        CAT.INSTITUTIONAL,
        "Agency for Digital Government (DIGG)",
        2018,
        CS.ACCEPTED,
    ),
    _entry("pierre", "FRA", CAT.POLICY, "Public action transformation programme", 2018, CS.DRAFT),
    # --- written input to a product --------------------------------------------------------
    ContributionSpec(
        "kenji",
        ContributionKind.WRITTEN_INPUT,
        "Knowledge management in government: lessons from ministries in Japan",
        CS.SUBMITTED,
        "JPN",
        summary="Notes for the METER module on knowledge management in government.",
        product="METER: Measurement and Evaluation Tool for E-Government Readiness",
    ),
]
# Who reviews what in the e-Government Branch.
REVIEWERS = {
    ContributionKind.CASE_STUDY: "staff3",
    ContributionKind.REPOSITORY_ENTRY: "staff2",
    ContributionKind.WRITTEN_INPUT: "staff",
}


# --- the run -------------------------------------------------------------------------------------


@dataclass
class ContributionDemoResult:
    contributions_created: int = 0
    contributions_existing: int = 0
    incorporated: int = 0

    def summary(self) -> str:
        return (
            f"{self.contributions_created} contributions created "
            f"({self.incorporated} incorporated into deliverables); "
            f"{self.contributions_existing} contributions already there."
        )


class _Seeder:
    def __init__(self, result: ContributionDemoResult):
        self.result = result
        self.branch = Branch.objects.get(code=BRANCH)
        self.countries = {state.iso3: state for state in MemberState.objects.all()}
        users = get_user_model().objects.select_related("profile__branch", "profile__country")
        self.people = {user.username: user for user in users}
        self.deliverables = {
            d.title: d
            for d in Deliverable.objects.filter(product__branch=self.branch).select_related(
                "product__branch"
            )
        }
        self.products = {p.title: p for p in Product.objects.filter(branch=self.branch)}

    def user(self, username: str):
        return self.people[username]

    # --- contributions -------------------------------------------------------------------
    def contribution(self, spec: ContributionSpec) -> None:
        author = self.user(spec.author)
        if Contribution.objects.filter(author=author, title=spec.title).exists():
            self.result.contributions_existing += 1
            return
        fields = {
            "title": spec.title,
            "summary": spec.summary,
            "innovation": spec.innovation,
            "transferability": spec.transferability,
            "country": self.countries[spec.country] if spec.country else None,
            "category": spec.category,
            "year": spec.year,
        }
        if spec.kind == ContributionKind.REPOSITORY_ENTRY:
            fields["document_url"] = (
                f"https://emgkr.cepa-collab.example.org/{spec.country.lower()}/{spec.category}"
            )
        if spec.kind == ContributionKind.CASE_STUDY and spec.country:
            fields["links"] = f"https://compendium.cepa-collab.example.org/{spec.country.lower()}"
        if spec.product:
            fields["product"] = self.products[spec.product]
        contribution = contributions.propose(author, kind=spec.kind, **fields)
        self.result.contributions_created += 1
        if spec.state == CS.DRAFT:
            return
        contributions.fire_transition(author, contribution, "submit")
        if spec.state == CS.WITHDRAWN:
            contributions.fire_transition(author, contribution, "withdraw")
            return
        if spec.state == CS.SUBMITTED:
            return
        reviewer = self.user(REVIEWERS[spec.kind])
        contributions.fire_transition(reviewer, contribution, "start_review")
        if spec.state == CS.RETURNED:
            contributions.fire_transition(
                reviewer, contribution, "return_for_revision", comment=spec.review_comment
            )
        elif spec.state == CS.ACCEPTED:
            contributions.fire_transition(
                reviewer, contribution, "accept", comment=spec.review_comment
            )
            target = spec.incorporate_into or self._repository_deliverable(spec)
            if target and target in self.deliverables:
                contributions.incorporate(reviewer, contribution, self.deliverables[target])
                self.result.incorporated += 1

    def _repository_deliverable(self, spec: ContributionSpec) -> str:
        if spec.kind != ContributionKind.REPOSITORY_ENTRY:
            return ""
        return REPOSITORY.get(self.countries[spec.country].region.code, "")


@transaction.atomic
def seed_contributions() -> ContributionDemoResult:
    """Create what is missing of the contributions demo; return the counts.

    Needs the demo people (`demo.core`); incorporates accepted contributions into the
    deliverables of `demo.workflows` where they exist."""
    result = ContributionDemoResult()
    seeder = _Seeder(result)
    for spec in CONTRIBUTIONS:
        seeder.contribution(spec)
    return result
