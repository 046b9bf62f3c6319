"""The workflow part of the demo world: built through the services, and idempotent."""

from __future__ import annotations

import datetime

import time_machine
from django.core.files.base import ContentFile

from cepa_collab import documents
from cepa_collab.documents import PDF, sniff
from demo.core import CEPA_MEMBERS
from demo.world import seed_demo
from workflows import dashboard
from workflows.enums import AssignmentState, DeliverableAction, DeliverableState, ReviewStatus
from workflows.models import (
    AwayPeriod,
    Deliverable,
    DeliverableHistory,
    DeliverableUserObjectPermission,
    Product,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewRound,
    Version,
    VersionUserObjectPermission,
)

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def _snapshot() -> list[list[tuple]]:
    """Every workflow row the demo touches, with its timestamps."""
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (
            Product,
            Deliverable,
            Version,
            ReviewRound,
            ReviewAssignment,
            Review,
            DeliverableHistory,
            ReviewerProfile,
            ReviewerProfile.regions.through,
            AwayPeriod,
            DeliverableUserObjectPermission,
            VersionUserObjectPermission,
        )
    ]


def test_seed_workflows_twice_changes_nothing_even_a_day_later(demo):
    # given the demo world built on 2 March
    before = _snapshot()

    # when it is seeded again the next day (dates are relative to the run)
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        again = seed_demo()

    # then nothing is created and no row changes
    assert _snapshot() == before
    assert again.workflows.summary() == (
        "0 products, 0 deliverables, 0 versions, 0 review assignments, 0 reviews and 0 "
        "reviewer profiles created; 4 products and 22 deliverables already there."
    )


def test_seed_workflows_builds_the_branch_products(demo):
    titles = list(Product.objects.order_by("title").values_list("title", "edition"))

    assert titles == [
        ("Compendium of Innovative E-Government Practices", "Volume IV"),
        ("METER: Measurement and Evaluation Tool for E-Government Readiness", "2026"),
        # made by the technical cooperation demo: Ghana's plan of action is in review
        ("Plans of action", ""),
        ("UN E-Government Survey", "2026"),
        ("UN e/m-Government Knowledge Repository (UN-emGKR)", "2026"),
    ]
    assert set(Product.objects.values_list("branch__code", flat=True)) == {"e-govb"}
    assert demo.workflows.summary() == (
        "4 products, 22 deliverables, 17 versions, 33 review assignments, 23 reviews and 24 "
        "reviewer profiles created; 0 products and 0 deliverables already there."
    )


def test_seed_workflows_has_deliverables_in_every_state(demo):
    states = set(Deliverable.objects.values_list("state", flat=True))

    assert states == set(DeliverableState.values)


def test_seed_workflows_has_overdue_at_risk_and_waiting_work(demo):
    # when the dashboard classifies the demo on the day it was built
    branch = Product.objects.first().branch
    with time_machine.travel(NOW, tick=False):
        _summaries, totals = dashboard.product_summaries(branch)
        loads = dashboard.reviewer_workload(branch)
        waiting = dashboard.awaiting_decision(branch, with_recommendations=True)

    # then there is something to see in every section of the dashboard
    # (waiting: `Deliverable.objects.awaiting_decision`, the reviews missing past due count)
    assert (totals.overdue, totals.at_risk, totals.awaiting_decision) == (2, 3, 3)
    assert sum(load.overdue for load in loads) == 4
    assert [row.deliverable.title for row in waiting] == [
        "METER online training course",
        "Chapter 3: Online service delivery (website assessment)",
        "UN-emGKR Arab region: policies, legal framework, institutional setting / CIO",
    ]


def test_seed_workflows_goes_through_the_services(demo):
    # every state change is audited, as the services do
    published = Deliverable.objects.get(title="Chapter 1: World e-government rankings")
    trail = list(
        published.history.filter(action=DeliverableAction.TRANSITION).values_list(
            "from_state", "to_state", "actor__username"
        )
    )
    assert trail == [
        ("planned", "drafting", "staff"),
        ("drafting", "in_review", "staff"),
        ("in_review", "approved", "chief"),
        ("approved", "published", "chief"),
    ]
    # reviewers hold the object permissions of what they review, and only of that
    amina = ReviewAssignment.objects.filter(reviewer__username="amina")
    granted = set(
        DeliverableUserObjectPermission.objects.filter(user__username="amina").values_list(
            "content_object__title", flat=True
        )
    )
    assert granted == set(
        amina.filter(state__in=(AssignmentState.SUBMITTED, AssignmentState.ACCEPTED))
        .values_list("deliverable__title", flat=True)
        .distinct()
    )
    assert "Case studies from Africa" not in granted  # declined: a conflict of interest
    # reviews are submitted or kept as drafts, with their recommendation
    assert Review.objects.filter(status=ReviewStatus.SUBMITTED).count() == 23
    assert Review.objects.filter(status=ReviewStatus.DRAFT).count() == 1


def test_seed_workflows_versions_are_valid_pdf_files(demo):
    version = Version.objects.select_related("deliverable").order_by("pk").first()

    with version.file.open("rb") as handle:
        content = handle.read()

    assert sniff(ContentFile(content)) == PDF
    assert content.endswith(b"%%EOF\n")
    assert b"Chapter 1: World e-government rankings" in content
    assert version.content_type == "application/pdf"


def test_seed_workflows_gives_cepa_members_reviewer_profiles(demo):
    profiles = ReviewerProfile.objects.select_related("user__profile__country")

    assert sorted(p.user.username for p in profiles) == sorted(m[0] for m in CEPA_MEMBERS)
    amina = profiles.get(user__username="amina")
    assert amina.theme_list == ["e-government strategy", "online services"]
    assert sorted(amina.regions.values_list("code", flat=True)) == ["africa", "arab"]
    assert AwayPeriod.objects.filter(reviewer__username="kenji").count() == 1


def test_seed_demo_mails_nobody(demo, demo_world):
    # (what the seed left to run after its commit, besides keeping the files it stored, and
    # the mail it sent)
    callbacks = [callback for _ids, callback, _robust in demo_world.on_commit]
    assert [callback for callback in callbacks if not documents.keeps_a_file(callback)] == []
    assert demo_world.mails == []
