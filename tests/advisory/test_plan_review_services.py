"""The plan of action's review round: a deliverable of the branch's "Plans of action" product,
owned by the request's lead, reviewed like any other (services)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from advisory import services as advisory
from advisory.enums import DocumentKind, RequestAction, RequestState
from advisory.models import AdvisoryRequest, RequestDocument
from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from notifications.models import Deadline
from tests.factories import person
from workflows import services as workflow
from workflows.deadlines import WorkflowDeadline
from workflows.enums import (
    AssignmentState,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    RoundState,
)
from workflows.models import Deliverable, Product
from workflows.queries import visible_deliverables

pytestmark = pytest.mark.django_db

S = RequestState


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def drafted(request_in) -> AdvisoryRequest:
    return request_in(S.PLAN_DRAFTED)


def test_first_review_creates_the_plan_deliverable_with_the_plan_as_version_1(drafted, ira):
    plan = advisory.latest_plan(drafted)

    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(30))

    drafted.refresh_from_db()
    plan.refresh_from_db()
    assert drafted.plan_review == deliverable
    assert deliverable.advisory_request == drafted
    assert (deliverable.kind, deliverable.owner, deliverable.due_date, deliverable.state) == (
        DeliverableKind.PLAN_OF_ACTION,
        ira,
        _in(30),
        DeliverableState.IN_REVIEW,
    )
    assert deliverable.title == "Plan of action: Oman, E-government assessment (OMN)"
    product = deliverable.product
    assert (product.kind, product.title, product.branch_id) == (
        ProductKind.PLANS_OF_ACTION,
        "Plans of action",
        drafted.branch_id,
    )
    version = deliverable.versions.get()
    assert version.number == 1 and plan.review_version == version
    with version.file.open("rb") as copied, plan.file.open("rb") as original:
        assert copied.read() == original.read()
    assert (version.original_name, version.content_type) == ("plan.pdf", "application/pdf")
    round_ = deliverable.rounds.get()
    assert (round_.number, round_.state, round_.version) == (1, RoundState.OPEN, version)
    assert [
        entry.summary for entry in drafted.history.filter(action=RequestAction.PLAN_REVIEW)
    ] == ["Plan of action, version 1, sent to review (round 1)."]


def test_the_lead_assigns_reviewers_who_then_see_the_plan(drafted, ira, cepa_member):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(30))
    assert not visible_deliverables(cepa_member).filter(pk=deliverable.pk).exists()

    [assignment] = workflow.assign_reviewers(ira, deliverable, [cepa_member], _in(10))

    assert visible_deliverables(cepa_member).filter(pk=deliverable.pk).exists()
    assert visible_deliverables(ira).filter(pk=deliverable.pk).exists()
    assert assignment.state == AssignmentState.INVITED
    # The reviewer's deadline is the reminder sweep's like any review's.
    assert Deadline.objects.filter(
        kind=WorkflowDeadline.REVIEW, user=cepa_member, due_date=_in(10), done_at=None
    ).exists()


def test_the_country_cannot_agree_the_plan_while_it_is_in_review(drafted, ira, chief):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(30))

    with pytest.raises(ValidationError) as caught:
        advisory.fire_transition(ira, drafted, "agree_plan")
    assert caught.value.message_dict == {
        "transition": ["The plan of action is in review: the chief decides on its review first."]
    }
    reloaded = AdvisoryRequest.objects.get(pk=drafted.pk)
    assert "agree_plan" not in advisory.available_transitions(reloaded, ira)

    workflow.fire_transition(chief, deliverable, "approve", waiver_reason="Urgent for Oman.")
    advisory.fire_transition(ira, drafted, "agree_plan")

    assert AdvisoryRequest.objects.get(pk=drafted.pk).state == S.PLAN_AGREED


def test_after_a_return_a_new_plan_version_opens_round_2(drafted, ira, chief, pdf_file):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(30))
    workflow.fire_transition(chief, deliverable, "return_for_revision", comment="Costs missing.")

    with pytest.raises(ValidationError) as caught:
        advisory.send_plan_for_review(ira, drafted)
    assert caught.value.message_dict == {
        "document": [
            "Version 1 of the plan was reviewed already: upload a new version before sending "
            "it to review again."
        ]
    }

    advisory.fire_transition(ira, drafted, "start_analysis")
    advisory.upload_document(ira, drafted, DocumentKind.PLAN_OF_ACTION, pdf_file("plan-v2.pdf"))
    again = advisory.send_plan_for_review(ira, drafted, due_date=_in(40))

    assert again.pk == deliverable.pk
    assert again.state == DeliverableState.IN_REVIEW
    assert again.due_date == _in(40)
    assert list(again.rounds.values_list("number", "version__number", "state")) == [
        (1, 1, RoundState.CLOSED),
        (2, 2, RoundState.OPEN),
    ]
    plan_v2 = RequestDocument.objects.get(
        request=drafted, kind=DocumentKind.PLAN_OF_ACTION, number=2
    )
    assert plan_v2.review_version.number == 2
    assert again.versions.get(number=2).original_name == "plan-v2.pdf"


def test_sending_twice_while_in_review_is_a_conflict(drafted, ira):
    advisory.send_plan_for_review(ira, drafted, due_date=_in(30))

    with pytest.raises(ServiceConflict):
        advisory.send_plan_for_review(ira, drafted, due_date=_in(30))

    assert Deliverable.objects.count() == 1


def test_an_approved_plan_is_not_sent_to_review_again(drafted, ira, chief, pdf_file):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(30))
    workflow.fire_transition(chief, deliverable, "approve", waiver_reason="Agreed by the chief.")
    advisory.fire_transition(ira, drafted, "start_analysis")
    advisory.upload_document(ira, drafted, DocumentKind.PLAN_OF_ACTION, pdf_file("plan-v2.pdf"))

    with pytest.raises(ServiceConflict):
        advisory.send_plan_for_review(ira, drafted)


def test_a_cancelled_review_is_replaced_by_a_new_one(drafted, ira, chief, pdf_file):
    first = advisory.send_plan_for_review(ira, drafted, due_date=_in(30))
    workflow.fire_transition(chief, first, "cancel", comment="Wrong plan sent.")
    advisory.fire_transition(ira, drafted, "start_analysis")
    advisory.upload_document(ira, drafted, DocumentKind.PLAN_OF_ACTION, pdf_file("plan-v2.pdf"))

    second = advisory.send_plan_for_review(ira, drafted, due_date=_in(20))

    assert second.pk != first.pk
    assert AdvisoryRequest.objects.get(pk=drafted.pk).plan_review == second
    assert list(second.versions.values_list("number", "original_name")) == [(1, "plan-v2.pdf")]
    # One "Plans of action" product per branch, reused.
    assert Product.objects.filter(kind=ProductKind.PLANS_OF_ACTION).count() == 1


@pytest.mark.parametrize("who", ["team_member", "staff", "focal_point", "cepa_member"])
def test_only_the_lead_or_the_chief_send_the_plan_to_review(drafted, who, request):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        advisory.send_plan_for_review(actor, drafted, due_date=_in(30))

    assert Deliverable.objects.count() == 0
    assert not drafted.history.filter(action=RequestAction.PLAN_REVIEW).exists()


def test_the_chief_may_send_it_and_the_lead_still_owns_it(drafted, chief, ira):
    deliverable = advisory.send_plan_for_review(chief, drafted, due_date=_in(30))

    assert deliverable.owner == ira


@pytest.mark.parametrize("state", [S.ACCEPTED, S.MISSION_COMPLETED, S.PLAN_AGREED, S.CLOSED])
def test_not_sent_outside_analysis_and_drafting(request_in, ira, chief, state):
    adv = request_in(state)

    with pytest.raises(ServiceConflict):
        advisory.send_plan_for_review(chief, adv, due_date=_in(30))

    assert Deliverable.objects.count() == 0


def test_no_plan_no_review_and_nothing_created(request_in, ira):
    adv = request_in(S.MISSION_COMPLETED)
    advisory.fire_transition(ira, adv, "start_analysis")

    with pytest.raises(ValidationError) as caught:
        advisory.send_plan_for_review(ira, adv, due_date=_in(30))

    assert caught.value.message_dict == {"document": ["Upload the plan of action first."]}
    assert (Deliverable.objects.count(), Product.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (None, "Say when the reviewed plan should be final."),
        (-1, "The due date is in the past."),
    ],
)
def test_a_due_date_is_needed_and_not_in_the_past(drafted, ira, due, message):
    with pytest.raises(ValidationError) as caught:
        advisory.send_plan_for_review(ira, drafted, due_date=None if due is None else _in(due))

    assert caught.value.message_dict == {"due_date": [message]}
    assert Deliverable.objects.count() == 0
    assert advisory.latest_plan(drafted).review_version is None


def test_a_new_lead_takes_over_the_plans_review_and_its_deadline(drafted, ira, chief):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(30))
    new_lead = person(Role.INTER_REGIONAL_ADVISOR, username="ira2", branch_code="e-govb")

    advisory.set_team(chief, drafted, lead=new_lead)

    deliverable.refresh_from_db()
    assert deliverable.owner == new_lead
    owners = Deadline.objects.filter(kind=WorkflowDeadline.DELIVERABLE, done_at=None).values_list(
        "user__username", flat=True
    )
    assert list(owners) == ["ira2"]


def test_history_lists_every_step_of_the_request_in_order(drafted, ira):
    advisory.send_plan_for_review(ira, drafted, due_date=_in(30))

    assert list(drafted.history.values_list("action", "actor__username", "to_state")) == [
        (RequestAction.CREATED, "staff", S.RECEIVED),
        (RequestAction.TRANSITION, "chief", S.ACCEPTED),
        (RequestAction.TEAM, "chief", ""),
        (RequestAction.TEAM, "chief", ""),
        (RequestAction.MISSION, "ira", ""),
        (RequestAction.TRANSITION, "ira", S.MISSION_PLANNED),
        (RequestAction.TRANSITION, "ira", S.MISSION_COMPLETED),
        (RequestAction.DOCUMENT, "ira", ""),
        (RequestAction.TRANSITION, "ira", S.ANALYSIS),
        (RequestAction.DOCUMENT, "ira", ""),
        (RequestAction.DOCUMENT, "ira", ""),
        (RequestAction.TRANSITION, "ira", S.PLAN_DRAFTED),
        (RequestAction.PLAN_REVIEW, "ira", ""),
    ]
    team = [entry.summary for entry in drafted.history.filter(action=RequestAction.TEAM)]
    assert team == ["Lead: Ines Rahal.", "Lead: Ines Rahal. Team: Tomas Mensah."]
    documents = [entry.summary for entry in drafted.history.filter(action="document")]
    assert documents == [
        "Mission report, version 1 uploaded.",
        "Analysis (strengths and weaknesses), version 1 uploaded.",
        "Plan of action, version 1 uploaded.",
    ]
    # Each reader gets the notes in their language; the notes are stored untranslated.
    with translation.override("fr"):
        assert [entry.summary for entry in drafted.history.filter(action="document")] != documents
    assert drafted.history.filter(action="document").first().note == (
        "%(document)s, version %(number)d uploaded."
    )
