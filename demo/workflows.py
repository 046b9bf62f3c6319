"""The workflow part of the demo world: the e-Government Branch's products and deliverables.

Built from the source document (the e-Government Branch's presentation to the 9th
meeting of CEPA): the UN E-Government Survey 2026 and its chapters, a volume of the
Compendium of Innovative E-Government Practices, METER, and the five regional
repositories of the UN-emGKR. Deliverables are in every state, with versions
(small generated PDF files), review rounds assigned to CEPA members, reviews
submitted, declined and outstanding, some of them overdue.

Everything goes through `workflows.services` with the demo people as actors, so the
audit trail, the reviewers' object permissions and the notifications are real.
Dates are relative to the day of the run. The only shortcut: an assignment's due
date cannot be set in the past through the services, so overdue reviews are
back-dated after they are assigned.

`seed_workflows()` is idempotent: products are found by (branch, title, edition),
deliverables by (product, title), reviewer profiles by person; what exists is left
untouched (whatever the day), so a second run creates nothing and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cepa_collab.models import Branch, Region
from demo.core import CEPA_MEMBERS
from workflows import services
from workflows.enums import DeliverableKind, ProductKind, Recommendation, RoundState
from workflows.models import (
    AwayPeriod,
    Deliverable,
    Product,
    ReviewAssignment,
    ReviewerProfile,
)

BRANCH = "e-govb"
CHIEF = "chief"
# Deliverables the other parts of the demo draw on, link and incorporate into.
CHAPTER_2 = "Chapter 2: Regional e-government development"
CHAPTER_3 = "Chapter 3: Online service delivery (website assessment)"
CHAPTER_5 = "Chapter 5: Human capital and e-government"
AFRICA_CASES = "Case studies from Africa"
ARAB_CASES = "Case studies from the Arab region"


@dataclass(frozen=True)
class ProductSpec:
    key: str
    kind: ProductKind
    title: str
    edition: str
    lead: str
    description: str


PRODUCTS = [
    ProductSpec(
        "survey",
        ProductKind.SURVEY,
        "UN E-Government Survey",
        "2026",
        "staff",
        "Assesses the e-government development of the 193 Member States with a composite "
        "index of online services (website assessment), telecommunication infrastructure "
        "and human capital.",
    ),
    ProductSpec(
        "compendium",
        ProductKind.COMPENDIUM,
        "Compendium of Innovative E-Government Practices",
        "Volume IV",
        "staff3",
        "Case studies of innovative e-government solutions, services and applications with "
        "elements of transferability and adaptability, solicited from all corners of the globe.",
    ),
    ProductSpec(
        "meter",
        ProductKind.TOOLKIT,
        "METER: Measurement and Evaluation Tool for E-Government Readiness",
        "2026",
        "staff",
        "E-government readiness, knowledge management in government, decentralization, "
        "result-based budgeting, HR management and citizen engagement.",
    ),
    ProductSpec(
        "emgkr",
        ProductKind.KNOWLEDGE_REPOSITORY,
        "UN e/m-Government Knowledge Repository (UN-emGKR)",
        "2026",
        "staff2",
        "Five regional repositories (Asia, Arab region, Africa, Americas, Europe) with, for "
        "every country, e-government policies, legal framework and institutional setting / CIO.",
    ),
]

# Steps, fired in order through the services (actor: the owner, the chief or the reviewer):
#   ("draft",)  ("upload", notes)  ("submit",)  ("assign", (usernames...), due_in_days)
#   ("accept", who)  ("decline", who, reason, conflict_of_interest)
#   ("review", who, recommendation, comments)   submitted
#   ("draft_review", who, recommendation, comments)   saved, not submitted
#   ("late", (usernames...), days_ago)   back-date open assignments (see the module docstring)
#   ("return", comment)  ("approve", comment, waiver)  ("publish",)  ("cancel", comment)
READY = "Clear and well evidenced; ready to go ahead."
MINOR = "Sound overall. Please tighten the regional comparisons and cite the 2024 data."
MAJOR = "The methodology section needs rework: the indicators are not comparable across years."

_REVIEWED = (("draft",), ("upload", "First full draft."), ("submit",))


@dataclass(frozen=True)
class DeliverableSpec:
    product: str
    title: str
    kind: DeliverableKind
    owner: str
    due_in_days: int
    steps: tuple[tuple, ...] = ()
    description: str = ""


DELIVERABLES = [
    # --- UN E-Government Survey 2026 ----------------------------------------------------
    DeliverableSpec(
        "survey",
        "Chapter 1: World e-government rankings",
        DeliverableKind.CHAPTER,
        "staff",
        -40,
        (
            *_REVIEWED,
            ("assign", ("amina", "hyejin"), 10),
            ("accept", "amina"),
            ("review", "amina", Recommendation.READY, READY),
            ("review", "hyejin", Recommendation.MINOR_REVISION, MINOR),
            ("approve", "Both reviews support publication.", ""),
            ("publish",),
        ),
        "The E-Government Development Index of the 193 Member States and its components.",
    ),
    DeliverableSpec(
        "survey",
        "Chapter 2: Regional e-government development",
        DeliverableKind.CHAPTER,
        "staff",
        -5,
        (
            *_REVIEWED,
            ("assign", ("tesfaye", "camila", "lars"), 14),
            ("review", "tesfaye", Recommendation.READY, READY),
            ("review", "camila", Recommendation.READY, READY),
            ("review", "lars", Recommendation.MINOR_REVISION, MINOR),
            ("approve", "Minor points to be fixed at copy-editing.", ""),
        ),
    ),
    DeliverableSpec(
        "survey",
        "Chapter 3: Online service delivery (website assessment)",
        DeliverableKind.CHAPTER,
        "staff",
        9,
        (
            *_REVIEWED,
            ("assign", ("weiling", "pierre", "wanjiru"), 12),
            ("accept", "weiling"),
            ("review", "weiling", Recommendation.MINOR_REVISION, MINOR),
            ("review", "pierre", Recommendation.READY, READY),
            ("decline", "wanjiru", "On mission for the whole review period.", False),
        ),
        "Waits for the chief's decision: every reviewer has answered.",
    ),
    DeliverableSpec(
        "survey",
        "Chapter 4: Telecommunication infrastructure",
        DeliverableKind.CHAPTER,
        "staff",
        6,
        (
            *_REVIEWED,
            ("assign", ("arjun", "joao", "katarzyna"), 7),
            ("accept", "arjun"),
            ("accept", "joao"),
            ("review", "katarzyna", Recommendation.MAJOR_REVISION, MAJOR),
            ("late", ("arjun", "joao"), 3),
        ),
        "At risk: two reviews are overdue and the chapter is due within a week.",
    ),
    DeliverableSpec(
        "survey",
        "Chapter 5: Human capital and e-government",
        DeliverableKind.CHAPTER,
        "staff",
        20,
        (
            *_REVIEWED,
            ("assign", ("palesa", "olivia"), 10),
            ("review", "palesa", Recommendation.MAJOR_REVISION, MAJOR),
            ("review", "olivia", Recommendation.MAJOR_REVISION, MAJOR),
            ("return", "Rework the methodology section as both reviewers ask."),
            ("upload", "Methodology section rewritten after round 1."),
        ),
    ),
    DeliverableSpec(
        "survey",
        "Chapter 6: E-participation and citizen engagement",
        DeliverableKind.CHAPTER,
        "staff",
        25,
        (
            *_REVIEWED,
            ("assign", ("claire", "chinedu"), 10),
            ("review", "claire", Recommendation.MINOR_REVISION, MINOR),
            ("review", "chinedu", Recommendation.MINOR_REVISION, MINOR),
            ("return", "Please address the minor points before a second round."),
            ("upload", "Revised after round 1."),
            ("submit",),
            ("assign", ("claire", "andre"), 18),
            ("accept", "claire"),
            ("draft_review", "claire", Recommendation.READY, "Much improved; finishing my notes."),
        ),
        "In its second review round.",
    ),
    DeliverableSpec(
        "survey",
        "Chapter 7: Mobile government (m-government)",
        DeliverableKind.CHAPTER,
        "staff",
        -3,
        (("draft",),),
        "Overdue: still being drafted.",
    ),
    DeliverableSpec(
        "survey",
        "Statistical annex: country data tables",
        DeliverableKind.DATASET,
        "staff",
        12,
        (("draft",), ("upload", "Tables for all 193 Member States.")),
    ),
    DeliverableSpec("survey", "Methodology annex", DeliverableKind.REPORT, "staff", 60),
    # --- Compendium of Innovative E-Government Practices, Volume IV -------------------
    DeliverableSpec(
        "compendium",
        "Case studies from Africa",
        DeliverableKind.VOLUME,
        "staff3",
        14,
        (
            *_REVIEWED,
            ("assign", ("aissatou", "amina", "chinedu"), 12),
            ("accept", "aissatou"),
            ("decline", "amina", "I advised two of the governments described.", True),
            ("review", "chinedu", Recommendation.READY, READY),
        ),
        "Mixed answers: one accepted, one conflict of interest, one review in.",
    ),
    DeliverableSpec(
        "compendium",
        "Case studies from the Arab region",
        DeliverableKind.VOLUME,
        "staff3",
        10,
        (("draft",),),
        "At risk: due within two weeks and no draft uploaded yet.",
    ),
    DeliverableSpec(
        "compendium", "Case studies from Asia and the Pacific", DeliverableKind.VOLUME, "staff3", 45
    ),
    DeliverableSpec(
        "compendium",
        "Case studies from the Americas and the Caribbean",
        DeliverableKind.VOLUME,
        "staff3",
        30,
        (
            ("draft",),
            ("cancel", "Merged into the next volume with the Caribbean strategy."),
        ),
    ),
    DeliverableSpec(
        "compendium",
        "Case studies from Europe",
        DeliverableKind.VOLUME,
        "staff3",
        -60,
        (
            *_REVIEWED,
            ("assign", ("ana", "lars"), 10),
            ("review", "ana", Recommendation.READY, READY),
            ("review", "lars", Recommendation.READY, READY),
            ("approve", "", ""),
            ("publish",),
        ),
    ),
    # --- METER ------------------------------------------------------------------------
    DeliverableSpec(
        "meter",
        "METER self-assessment guideline",
        DeliverableKind.GUIDELINE,
        "staff",
        -1,
        (
            *_REVIEWED,
            ("assign", ("kenji", "youssef", "ira"), 10),
            ("review", "kenji", Recommendation.READY, READY),
            ("review", "ira", Recommendation.MINOR_REVISION, MINOR),
            ("approve", "Good to go.", "Needed for the regional workshop; one review is enough."),
        ),
        "Approved with a waiver while one review was outstanding.",
    ),
    DeliverableSpec(
        "meter",
        "METER online training course",
        DeliverableKind.TRAINING_COURSE,
        "staff",
        -2,
        (
            *_REVIEWED,
            ("assign", ("marisol", "leila"), 5),
            ("accept", "marisol"),
            ("late", ("marisol", "leila"), 4),
        ),
        "Overdue, and so are both reviews.",
    ),
    DeliverableSpec(
        "meter",
        "METER toolkit: knowledge management in government module",
        DeliverableKind.TOOLKIT,
        "staff",
        90,
    ),
    # --- UN-emGKR: the five regional repositories --------------------------------------
    DeliverableSpec(
        "emgkr",
        "UN-emGKR Asia: policies, legal framework, institutional setting / CIO",
        DeliverableKind.DATASET,
        "staff2",
        -20,
        (
            *_REVIEWED,
            ("assign", ("hyejin", "kenji"), 10),
            ("review", "hyejin", Recommendation.READY, READY),
            ("review", "kenji", Recommendation.READY, READY),
            ("approve", "", ""),
            ("publish",),
        ),
    ),
    DeliverableSpec(
        "emgkr",
        "UN-emGKR Arab region: policies, legal framework, institutional setting / CIO",
        DeliverableKind.DATASET,
        "staff2",
        15,
        (
            *_REVIEWED,
            ("assign", ("fatima", "nasser"), 10),
            ("review", "fatima", Recommendation.READY, READY),
            ("review", "nasser", Recommendation.MINOR_REVISION, MINOR),
        ),
        "Waits for the chief's decision.",
    ),
    DeliverableSpec(
        "emgkr",
        "UN-emGKR Africa: policies, legal framework, institutional setting / CIO",
        DeliverableKind.DATASET,
        "staff2",
        35,
        (
            *_REVIEWED,
            ("assign", ("tesfaye", "wanjiru"), 10),
            ("review", "tesfaye", Recommendation.MAJOR_REVISION, MAJOR),
            ("review", "wanjiru", Recommendation.MINOR_REVISION, MINOR),
            ("return", "Complete the legal framework entries for the Sahel countries."),
        ),
    ),
    DeliverableSpec(
        "emgkr",
        "UN-emGKR Americas: policies, legal framework, institutional setting / CIO",
        DeliverableKind.DATASET,
        "staff2",
        40,
        (("draft",), ("upload", "Country pages for 33 Member States.")),
    ),
    DeliverableSpec(
        "emgkr",
        "UN-emGKR Europe: policies, legal framework, institutional setting / CIO",
        DeliverableKind.DATASET,
        "staff2",
        75,
    ),
]

# Expertise of the 24 CEPA members (themes from the source document's focus areas).
THEMES = [
    "e-government strategy, online services",
    "ICT infrastructure, telecommunication",
    "human capital, capacity building",
    "e-participation, citizen engagement",
    "open data, knowledge management",
    "legal framework, cybersecurity",
    "institutional setting / CIO, public sector reform",
    "mobile government, e-services",
    "decentralization, local e-government",
    "result-based budgeting, HR management",
]
# A second region of expertise for some members (their own country's region comes first).
EXTRA_REGION = {"amina": "arab", "fatima": "africa", "hyejin": "americas", "lars": "africa"}
AWAY = {"kenji": (3, 17, "Annual leave"), "olivia": (-2, 8, "Field mission")}


@dataclass
class WorkflowDemoResult:
    products_created: int = 0
    products_existing: int = 0
    deliverables_created: int = 0
    deliverables_existing: int = 0
    versions_created: int = 0
    assignments_created: int = 0
    reviews_submitted: int = 0
    reviewer_profiles_created: int = 0
    away_periods_created: int = 0

    def summary(self) -> str:
        return (
            f"{self.products_created} products, {self.deliverables_created} deliverables, "
            f"{self.versions_created} versions, {self.assignments_created} review assignments, "
            f"{self.reviews_submitted} reviews and {self.reviewer_profiles_created} reviewer "
            f"profiles created; {self.products_existing} products and "
            f"{self.deliverables_existing} deliverables already there."
        )


def demo_pdf(title: str, subtitle: str = "") -> bytes:
    """A small valid one-page PDF showing `title` (and `subtitle`) in Helvetica."""

    def text(value: str) -> str:
        value = value.encode("latin-1", "replace").decode("latin-1")
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = (
        f"BT /F1 16 Tf 56 770 Td ({text(title[:70])}) Tj "
        f"0 -24 Td /F1 11 Tf ({text(subtitle[:90])}) Tj "
        f"0 -18 Td (CEPA Collab demo document) Tj ET"
    ).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class _Seeder:
    def __init__(self, today: datetime.date, result: WorkflowDemoResult):
        users = get_user_model().objects.select_related("profile__branch", "profile__country")
        self.people = {user.username: user for user in users}
        self.today = today
        self.result = result

    def user(self, username: str):
        return self.people[username]

    def products(self) -> dict[str, Product]:
        branch = Branch.objects.get(code=BRANCH)
        products = {}
        for spec in PRODUCTS:
            product = Product.objects.filter(
                branch=branch, title=spec.title, edition=spec.edition
            ).first()
            if product is None:
                product = services.create_product(
                    self.user(CHIEF),
                    branch=branch,
                    kind=spec.kind,
                    title=spec.title,
                    edition=spec.edition,
                    description=spec.description,
                    lead=self.user(spec.lead),
                )
                self.result.products_created += 1
            else:
                self.result.products_existing += 1
            products[spec.key] = product
        return products

    def deliverable(self, product: Product, spec: DeliverableSpec) -> None:
        if Deliverable.objects.filter(product=product, title=spec.title).exists():
            self.result.deliverables_existing += 1
            return
        owner = self.user(spec.owner)
        due = self.today + datetime.timedelta(days=spec.due_in_days)
        deliverable = services.create_deliverable(
            owner,
            product=product,
            owner=owner,
            title=spec.title,
            kind=spec.kind,
            due_date=max(due, self.today),
            description=spec.description,
        )
        if due < self.today:
            # The services refuse a due date in the past; the demo back-dates on purpose (the
            # deadlines are rebuilt from their sources at the end of the seeding).
            Deliverable.objects.filter(pk=deliverable.pk).update(due_date=due)
            deliverable.due_date = due
        self.result.deliverables_created += 1
        for step in spec.steps:
            getattr(self, f"_{step[0]}")(deliverable, *step[1:])

    # --- steps --------------------------------------------------------------------------
    def _fire(self, deliverable, name, actor, **kwargs) -> None:
        services.fire_transition(actor, deliverable, name, **kwargs)

    def _draft(self, d) -> None:
        self._fire(d, "start_drafting", d.owner)

    def _submit(self, d) -> None:
        self._fire(d, "submit_for_review", d.owner)

    def _return(self, d, comment: str) -> None:
        self._fire(d, "return_for_revision", self.user(CHIEF), comment=comment)

    def _approve(self, d, comment: str, waiver: str) -> None:
        self._fire(d, "approve", self.user(CHIEF), comment=comment, waiver_reason=waiver)

    def _publish(self, d) -> None:
        self._fire(d, "publish", self.user(CHIEF))

    def _cancel(self, d, comment: str) -> None:
        self._fire(d, "cancel", self.user(CHIEF), comment=comment)

    def _upload(self, d, notes: str) -> None:
        number = d.versions.count() + 1
        content = demo_pdf(d.title, f"{d.product} - draft version {number}")
        name = f"{slugify(d.title)[:60]}-v{number}.pdf"
        upload = SimpleUploadedFile(name, content, content_type="application/pdf")
        services.upload_version(d.owner, d, upload, notes=notes)
        self.result.versions_created += 1

    def _assign(self, d, usernames: tuple[str, ...], due_in_days: int) -> None:
        due = self.today + datetime.timedelta(days=due_in_days)
        reviewers = [self.user(name) for name in usernames]
        created = services.assign_reviewers(d.owner, d, reviewers, due)
        self.result.assignments_created += len(created)

    def _open_assignment(self, d, username: str) -> ReviewAssignment:
        return ReviewAssignment.objects.get(
            deliverable=d, reviewer=self.user(username), round__state=RoundState.OPEN
        )

    def _accept(self, d, username: str) -> None:
        services.accept_assignment(self.user(username), self._open_assignment(d, username))

    def _decline(self, d, username: str, reason: str, conflict: bool) -> None:
        services.decline_assignment(
            self.user(username),
            self._open_assignment(d, username),
            reason,
            conflict_of_interest=conflict,
        )

    def _review(self, d, username: str, recommendation: str, comments: str) -> None:
        services.save_review(
            self.user(username),
            self._open_assignment(d, username),
            recommendation=recommendation,
            comments=comments,
            submit=True,
        )
        self.result.reviews_submitted += 1

    def _draft_review(self, d, username: str, recommendation: str, comments: str) -> None:
        services.save_review(
            self.user(username),
            self._open_assignment(d, username),
            recommendation=recommendation,
            comments=comments,
        )

    def _late(self, d, usernames: tuple[str, ...], days_ago: int) -> None:
        # The services refuse a due date in the past; the demo back-dates on purpose.
        ReviewAssignment.objects.filter(
            deliverable=d,
            reviewer__username__in=usernames,
            round__state=RoundState.OPEN,
        ).update(due_date=self.today - datetime.timedelta(days=days_ago))

    # --- reviewers' side ----------------------------------------------------------------
    def reviewer_profiles(self, usernames: list[str]) -> None:
        regions = {region.code: region for region in Region.objects.all()}
        existing = set(
            ReviewerProfile.objects.filter(user__username__in=usernames).values_list(
                "user__username", flat=True
            )
        )
        for index, username in enumerate(usernames):
            if username in existing or username not in self.people:
                continue
            user = self.user(username)
            profile = ReviewerProfile.objects.create(
                user=user,
                themes=THEMES[index % len(THEMES)],
                max_assignments=(3, 2, 4)[index % 3],
            )
            country = getattr(user.profile, "country", None)
            wanted = [country.region_id] if country else []
            if username in EXTRA_REGION:
                wanted.append(regions[EXTRA_REGION[username]].pk)
            profile.regions.set(wanted)
            self.result.reviewer_profiles_created += 1
        for username, (start, end, note) in AWAY.items():
            user = self.people.get(username)
            if user is None or AwayPeriod.objects.filter(reviewer=user).exists():
                continue
            AwayPeriod.objects.create(
                reviewer=user,
                start=self.today + datetime.timedelta(days=start),
                end=self.today + datetime.timedelta(days=end),
                note=note,
            )
            self.result.away_periods_created += 1


@transaction.atomic
def seed_workflows(today: datetime.date | None = None) -> WorkflowDemoResult:
    """Create what is missing of the e-Government Branch's demo workflow; return the counts.

    Needs the demo people (`demo.core` creates them first)."""
    result = WorkflowDemoResult()
    seeder = _Seeder(today or timezone.localdate(), result)
    seeder.reviewer_profiles([username for username, *_rest in CEPA_MEMBERS])
    products = seeder.products()
    for spec in DELIVERABLES:
        seeder.deliverable(products[spec.product], spec)
    return result
