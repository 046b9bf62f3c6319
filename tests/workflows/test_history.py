"""The deliverable's history is a history like the requests' and the contributions': what
the system says of a change is kept untranslated and read in each reader's language, on the
page and in the API (GET /api/v1/deliverables/{id}/history/), and a reviewer reads only the
deliverable's state changes and their own assignment's lines."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from cepa_collab.enums import Language, Role
from cepa_collab.services import update_preferences
from tests.factories import branch, pdf, person
from workflows import services
from workflows.enums import DeliverableKind, ProductKind
from workflows.models import DeliverableHistory


def due(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def second_reviewer(db):
    return person(Role.CEPA_MEMBER, username="bruno", country="BRA")


@pytest.fixture
def assigned(staff, chief, cepa_member, second_reviewer):
    """A deliverable in review with two reviewers, the first one's review due later."""
    product = services.create_product(
        chief, branch=branch("e-govb"), kind=ProductKind.SURVEY, title="Survey", edition="2026"
    )
    deliverable = services.create_deliverable(
        staff,
        product=product,
        owner=staff,
        title="Chapter 4",
        kind=DeliverableKind.CHAPTER,
        due_date=due(60),
    )
    services.fire_transition(staff, deliverable, "start_drafting")
    services.upload_version(staff, deliverable, pdf("d.pdf"))
    services.fire_transition(staff, deliverable, "submit_for_review")
    first, _second = services.assign_reviewers(
        staff, deliverable, [cepa_member, second_reviewer], due(14)
    )
    services.change_assignment_due_date(staff, first, due(21), "Annex late.")
    return deliverable


def history_api(user, deliverable, **headers):
    api = APIClient()
    api.force_authenticate(user)
    return api.get(f"/api/v1/deliverables/{deliverable.pk}/history/", **headers)


def test_notes_are_stored_untranslated_and_read_in_each_readers_language(assigned):
    # given the version upload's line
    line = DeliverableHistory.objects.get(deliverable=assigned, action="version")

    # then it keeps the message and its number, not a text in the uploader's language
    assert (line.note, line.params, line.comment) == ("Version %(n)d uploaded.", {"n": 1}, "")
    with translation.override("en"):
        english = line.summary
    with translation.override("fr"):
        french = line.summary
    assert (english, french) == ("Version 1 uploaded.", "Version 1 téléversée.")


def test_api_gives_the_owner_every_line_oldest_first(assigned, staff, cepa_member, second_reviewer):
    answer = history_api(staff, assigned)

    assert answer.status_code == 200
    by = staff.get_full_name()
    first = assigned.assignments.get(reviewer=cepa_member)
    second = assigned.assignments.get(reviewer=second_reviewer)
    rows = [
        {k: v for k, v in row.items() if k != "at"}  # when: the moment of each step
        for row in answer.json()
    ]
    common = {"actor": by, "comment": ""}
    assert rows == [
        {
            **common,
            "action": "transition",
            "action_label": "State change",
            "from_state": "planned",
            "to_state": "drafting",
            "summary": "",
            "assignment": None,
            "old_due_date": None,
            "new_due_date": None,
        },
        {
            **common,
            "action": "version",
            "action_label": "New version",
            "from_state": "",
            "to_state": "",
            "summary": "Version 1 uploaded.",
            "assignment": None,
            "old_due_date": None,
            "new_due_date": None,
        },
        {
            **common,
            "action": "transition",
            "action_label": "State change",
            "from_state": "drafting",
            "to_state": "in_review",
            "summary": "",
            "assignment": None,
            "old_due_date": None,
            "new_due_date": None,
        },
        {
            **common,
            "action": "assignment",
            "action_label": "Reviewer assignment",
            "from_state": "",
            "to_state": "invited",
            "summary": f"Review by {cepa_member.get_full_name()}.",
            "assignment": first.pk,
            "old_due_date": None,
            "new_due_date": None,
        },
        {
            **common,
            "action": "assignment",
            "action_label": "Reviewer assignment",
            "from_state": "",
            "to_state": "invited",
            "summary": f"Review by {second_reviewer.get_full_name()}.",
            "assignment": second.pk,
            "old_due_date": None,
            "new_due_date": None,
        },
        {
            "actor": by,
            "comment": "Annex late.",
            "action": "due_date",
            "action_label": "Due date change",
            "from_state": "",
            "to_state": "",
            "summary": (
                f"Review by {cepa_member.get_full_name()}. Due date moved from "
                f"{due(14).isoformat()} to {due(21).isoformat()}."
            ),
            "assignment": first.pk,
            "old_due_date": due(14).isoformat(),
            "new_due_date": due(21).isoformat(),
        },
    ]


def test_api_gives_a_reviewer_the_state_changes_and_their_own_lines_only(
    assigned, cepa_member, second_reviewer
):
    answer = history_api(second_reviewer, assigned)

    assert answer.status_code == 200
    assert [(row["action"], row["assignment"]) for row in answer.json()] == [
        ("transition", None),
        ("transition", None),
        ("assignment", assigned.assignments.get(reviewer=second_reviewer).pk),
    ]
    assert cepa_member.get_full_name() not in answer.content.decode()


def test_api_history_is_not_found_for_those_who_may_not_see_the_deliverable(
    assigned, other_branch_staff, focal_point
):
    statuses = [
        history_api(user, assigned).status_code for user in (other_branch_staff, focal_point)
    ]

    assert statuses == [404, 404]
    assert APIClient().get(f"/api/v1/deliverables/{assigned.pk}/history/").status_code == 401


def test_api_history_is_in_the_callers_language(assigned, staff):
    update_preferences(staff, language=Language.FRENCH)

    answer = history_api(staff, assigned, HTTP_ACCEPT_LANGUAGE="fr")

    version = next(row for row in answer.json() if row["action"] == "version")
    assert (version["action_label"], version["summary"]) == (
        "Nouvelle version",
        "Version 1 téléversée.",
    )


def test_schema_documents_the_history_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    operation = response.json()["paths"]["/api/v1/deliverables/{id}/history/"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    assert schema["items"]["$ref"] == "#/components/schemas/DeliverableHistory"


@pytest.mark.parametrize("extra", [0, 30])
def test_api_history_costs_the_same_however_long(
    django_assert_num_queries, assigned, staff, cepa_member, extra
):
    # given `extra` more lines about the first reviewer's assignment
    first = assigned.assignments.get(reviewer=cepa_member)
    DeliverableHistory.write_all(
        DeliverableHistory.line(
            staff, "assignment", f"Line {n}", deliverable=assigned, assignment=first
        )
        for n in range(extra)
    )
    api = APIClient()
    api.force_authenticate(staff)

    # when the owner (authenticated, their roles known) reads the history: the deliverable,
    # then its lines with their people and reviewers (one query)
    with django_assert_num_queries(2):
        answer = api.get(f"/api/v1/deliverables/{assigned.pk}/history/")

    assert len(answer.json()) == 6 + extra
