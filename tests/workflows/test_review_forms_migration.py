"""The migration that brings review forms gives the rounds open then their product kind's
default criteria (as a round opened now gets), and none to closed rounds."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("workflows", "0015_version_texts_and_comparisons")]
AFTER = [("workflows", "0016_review_forms_scores_declarations")]


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def before_forms():
    apps = migrate(BEFORE)
    yield apps
    migrate()


def test_open_rounds_get_their_kinds_default_criteria(before_forms):
    apps = before_forms
    User = apps.get_model("auth", "User")
    owner = User.objects.create(username="owner")
    branch = apps.get_model("cepa_collab", "Branch").objects.get(code="e-govb")
    Product = apps.get_model("workflows", "Product")
    Deliverable = apps.get_model("workflows", "Deliverable")
    Version = apps.get_model("workflows", "Version")
    ReviewRound = apps.get_model("workflows", "ReviewRound")
    rounds = {}
    for kind, state in (("compendium", "open"), ("toolkit", "open"), ("survey", "closed")):
        product = Product.objects.create(branch=branch, kind=kind, title=kind)
        deliverable = Deliverable.objects.create(
            product=product,
            title=kind,
            kind="chapter",
            owner=owner,
            due_date=datetime.date(2027, 1, 1),
            state="in_review",
        )
        version = Version.objects.create(
            deliverable=deliverable,
            number=1,
            file="x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            uploaded_by=owner,
        )
        rounds[kind] = ReviewRound.objects.create(
            deliverable=deliverable, version=version, number=1, state=state, opened_by=owner
        ).pk

    apps = migrate(AFTER)

    RoundCriterion = apps.get_model("workflows", "RoundCriterion")
    names = {
        kind: list(
            RoundCriterion.objects.filter(form__round_id=pk)
            .order_by("position")
            .values_list("name", flat=True)
        )
        for kind, pk in rounds.items()
    }
    assert names == {
        "compendium": ["Innovation", "Transferability", "Adaptability", "Impact"],
        "toolkit": ["Accuracy", "Relevance", "Clarity", "Completeness"],
        "survey": [],
    }
