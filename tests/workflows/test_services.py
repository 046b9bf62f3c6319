"""The workflow services, called the way pages, API and admin call them.

A fixed cast for permissions: the owner (branch staff), another staff member of the same
branch, the branch chief, the chief and staff of another branch, two CEPA members as
reviewers, an unassigned CEPA member, a focal point of another country and anonymous.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats, timezone, translation

from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from tests.factories import PDF_BYTES, branch, person
from workflows import queries, services
from workflows.enums import (
    AssignmentState,
    DeliverableAction,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
    ReviewStatus,
    RoundState,
)
from workflows.models import Deliverable, DeliverableHistory, Review, ReviewAssignment, ReviewRound

S = DeliverableState


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


# --- the cast and the world ---------------------------------------------------------------


@pytest.fixture
def owner(staff):
    return staff


@pytest.fixture
def colleague(db):
    """Another staff member of the owner's branch: sees the deliverable, may not act on it."""
    return person(Role.BRANCH_STAFF, username="colleague", branch_code="e-govb")


@pytest.fixture
def other_chief(db):
    return person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb")


@pytest.fixture
def reviewer(cepa_member):
    return cepa_member


@pytest.fixture
def second_reviewer(db):
    return person(Role.CEPA_MEMBER, username="bruno", country="BRA")


@pytest.fixture
def unassigned_reviewer(db):
    return person(Role.CEPA_MEMBER, username="chen", country="CHN")


@pytest.fixture
def product(chief):
    return services.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
        lead=chief,
    )


@pytest.fixture
def deliverable(owner, product):
    return services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title="Chapter 3: Digital government",
        kind=DeliverableKind.CHAPTER,
        due_date=timezone.localdate() + datetime.timedelta(days=60),
    )


@pytest.fixture
def drafting(deliverable, owner):
    return services.fire_transition(owner, deliverable, "start_drafting")


@pytest.fixture
def in_review(drafting, owner):
    services.upload_version(owner, drafting, pdf("draft-1.pdf"))
    return services.fire_transition(owner, drafting, "submit_for_review")


@pytest.fixture
def assigned(in_review, owner, reviewer, second_reviewer):
    """In review, with two CEPA members assigned in round 1: (deliverable, [a, b])."""
    assignments = services.assign_reviewers(owner, in_review, [reviewer, second_reviewer], due())
    return in_review, assignments


def pdf(name: str = "draft.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def due(days: int = 14) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def state_of(deliverable: Deliverable) -> str:
    return Deliverable.objects.values_list("state", flat=True).get(pk=deliverable.pk)


def audit_rows(deliverable: Deliverable) -> list[tuple]:
    return list(
        DeliverableHistory.objects.filter(deliverable=deliverable).values_list(
            "action", "from_state", "to_state"
        )
    )


def transitions_of(deliverable: Deliverable) -> list[tuple[str, str]]:
    return list(
        DeliverableHistory.objects.filter(
            deliverable=deliverable, action=DeliverableAction.TRANSITION
        ).values_list("from_state", "to_state")
    )


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def submit_review(actor, assignment, recommendation=Recommendation.MINOR_REVISION):
    return services.save_review(
        actor,
        assignment,
        recommendation=recommendation,
        comments=f"Comments by {actor.username}.",
        submit=True,
    )


# --- the whole happy path -----------------------------------------------------------------


def test_happy_path_goes_from_planned_to_published_through_two_rounds(
    django_capture_on_commit_callbacks, deliverable, owner, chief, reviewer, second_reviewer
):
    # given a planned deliverable
    assert deliverable.state == S.PLANNED

    # when the owner drafts, uploads and submits, two reviewers review round 1,
    # the chief returns it, the owner revises, round 2 is reviewed, approved, published
    services.fire_transition(owner, deliverable, "start_drafting")
    v1 = services.upload_version(owner, deliverable, pdf("draft-1.pdf"), notes="First draft")
    d = services.fire_transition(owner, deliverable, "submit_for_review")
    assert d.state == S.IN_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        first, second = services.assign_reviewers(owner, d, [reviewer, second_reviewer], due())
    assert recipients() == ["amina@example.org", "bruno@example.org"]
    mail.outbox.clear()

    services.accept_assignment(reviewer, first)
    submit_review(reviewer, first, Recommendation.MINOR_REVISION)
    submit_review(second_reviewer, second, Recommendation.MAJOR_REVISION)
    with django_capture_on_commit_callbacks(execute=True):
        d = services.fire_transition(chief, d, "return_for_revision", comment="Tighten section 2.")
    assert d.state == S.REVISING
    assert recipients() == ["amina@example.org", "bruno@example.org", "staff@example.org"]

    v2 = services.upload_version(owner, d, pdf("draft-2.pdf"), notes="Revised")
    d = services.fire_transition(owner, d, "submit_for_review")
    (again,) = services.assign_reviewers(owner, d, [reviewer], due())
    submit_review(reviewer, again, Recommendation.READY)
    d = services.fire_transition(chief, d, "approve")
    d = services.fire_transition(chief, d, "publish")

    # then it is published, every step audited in order, two closed rounds on v1 and v2
    assert state_of(deliverable) == S.PUBLISHED
    assert transitions_of(deliverable) == [
        (S.PLANNED, S.DRAFTING),
        (S.DRAFTING, S.IN_REVIEW),
        (S.IN_REVIEW, S.REVISING),
        (S.REVISING, S.IN_REVIEW),
        (S.IN_REVIEW, S.APPROVED),
        (S.APPROVED, S.PUBLISHED),
    ]
    rounds = list(ReviewRound.objects.filter(deliverable=deliverable).order_by("number"))
    assert [(r.number, r.version_id, r.state) for r in rounds] == [
        (1, v1.pk, RoundState.CLOSED),
        (2, v2.pk, RoundState.CLOSED),
    ]
    assert [v1.number, v2.number] == [1, 2]
    assert list(
        ReviewAssignment.objects.filter(deliverable=deliverable)
        .order_by("round__number", "reviewer__username")
        .values_list("round__number", "reviewer__username", "state")
    ) == [
        (1, "amina", AssignmentState.SUBMITTED),
        (1, "bruno", AssignmentState.SUBMITTED),
        (2, "amina", AssignmentState.SUBMITTED),
    ]
    # the round-1-only reviewer keeps v1 and never gets v2
    assert list(queries.visible_versions(second_reviewer, deliverable)) == [v1]
    assert list(queries.visible_versions(reviewer, deliverable)) == [v1, v2]


def test_assign_reviewers_sends_one_mail_each_listing_what_was_assigned(
    django_capture_on_commit_callbacks, in_review, owner, reviewer, second_reviewer
):
    # given a deliverable in review with version 1
    deadline = due(10)

    # when the owner assigns two reviewers in one step
    with django_capture_on_commit_callbacks(execute=True):
        created = services.assign_reviewers(owner, in_review, [reviewer, second_reviewer], deadline)

    # then each reviewer gets exactly one mail naming the deliverable, version and due date
    assert [a.reviewer for a in created] == [reviewer, second_reviewer]
    assert [a.state for a in created] == [AssignmentState.INVITED, AssignmentState.INVITED]
    assert [m.to for m in mail.outbox] == [["amina@example.org"], ["bruno@example.org"]]
    for message in mail.outbox:
        assert message.subject == (
            f"Review requested: Chapter 3: Digital government, due {long_date(deadline)}"
        )
        assert "“Chapter 3: Digital government” (UN E-Government Survey 2026), version 1" in (
            message.body
        )
        assert f"by {long_date(deadline)}" in message.body
        assert "/reviews/" in message.body
    assert (
        DeliverableHistory.objects.filter(
            deliverable=in_review, action=DeliverableAction.ASSIGNMENT
        ).count()
        == 2
    )


def long_date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


# --- who may fire what --------------------------------------------------------------------

# (transition, state it is fired from, people allowed) — everyone else of the cast is refused.
WHO_FIRES = [
    ("start_drafting", S.PLANNED, {"owner", "chief"}),
    ("submit_for_review", S.DRAFTING, {"owner", "chief"}),
    ("return_for_revision", S.IN_REVIEW, {"chief"}),
    ("approve", S.IN_REVIEW, {"chief"}),
    ("publish", S.APPROVED, {"chief"}),
    ("cancel", S.DRAFTING, {"chief"}),
]
CAST = ["owner", "colleague", "chief", "other_chief", "other_branch_staff", "reviewer"]


@pytest.fixture
def at_state(owner, chief, deliverable):
    """Bring the deliverable to a state by the legitimate people (drafting has a version)."""

    def bring(state):
        if state == S.PLANNED:
            return deliverable
        services.fire_transition(owner, deliverable, "start_drafting")
        services.upload_version(owner, deliverable, pdf())
        if state in (S.IN_REVIEW, S.APPROVED):
            services.fire_transition(owner, deliverable, "submit_for_review")
        if state == S.APPROVED:
            services.fire_transition(chief, deliverable, "approve")
        return Deliverable.objects.get(pk=deliverable.pk)

    return bring


@pytest.mark.parametrize(("name", "source", "allowed"), WHO_FIRES, ids=[w[0] for w in WHO_FIRES])
@pytest.mark.parametrize("who", CAST)
def test_fire_transition_is_refused_to_everyone_but_the_allowed_people(
    request, django_capture_on_commit_callbacks, name, source, allowed, who, deliverable, at_state
):
    # given the deliverable in the transition's source state
    target = at_state(source)
    actor = request.getfixturevalue(who)
    before_audit = audit_rows(target)
    mail.outbox.clear()

    # when this member of the cast fires the transition
    with django_capture_on_commit_callbacks(execute=True):
        if who in allowed:
            result = services.fire_transition(actor, target, name, comment="Because.")
        else:
            with pytest.raises(PermissionDenied):
                services.fire_transition(actor, target, name, comment="Because.")

    # then only the allowed people move it; a refusal changes nothing and sends nothing
    if who in allowed:
        assert result.state != source
        assert state_of(target) == result.state
        assert audit_rows(target) == [
            *before_audit,
            (DeliverableAction.TRANSITION, source, result.state),
        ]
    else:
        assert state_of(target) == source
        assert audit_rows(target) == before_audit
        assert mail.outbox == []


def test_available_transitions_differ_by_person(drafting, owner, chief, colleague, reviewer):
    # given a drafting deliverable with a version
    services.upload_version(owner, drafting, pdf())
    drafting = Deliverable.objects.get(pk=drafting.pk)

    # when each person asks what they may fire
    offered = {
        who.username: services.available_transitions(drafting, who)
        for who in (owner, chief, colleague, reviewer)
    }

    # then the owner submits, the chief also cancels, the others nothing
    assert offered == {
        "staff": ["submit_for_review"],
        "chief": ["submit_for_review", "cancel"],
        "colleague": [],
        "amina": [],
    }


def test_fire_transition_superuser_decides_anywhere(deliverable):
    # given a superuser with no branch
    root = person(username="root", is_superuser=True, is_staff=True)

    # when they cancel
    result = services.fire_transition(root, deliverable, "cancel", comment="Dropped.")

    # then it is cancelled
    assert result.state == S.CANCELLED


# --- conditions and reasons -----------------------------------------------------------------


def test_submit_for_review_without_a_version_names_the_transition(drafting, owner):
    # given a drafting deliverable without any version
    # when the owner submits it
    with pytest.raises(ValidationError) as excinfo:
        services.fire_transition(owner, drafting, "submit_for_review")

    # then the error names "transition" and nothing moved
    assert list(excinfo.value.message_dict) == ["transition"]
    assert state_of(drafting) == S.DRAFTING
    assert transitions_of(drafting) == [(S.PLANNED, S.DRAFTING)]
    assert ReviewRound.objects.filter(deliverable=drafting).count() == 0


def test_submit_for_review_again_without_a_new_version_is_refused(in_review, owner, chief):
    # given a deliverable returned for revision without a new version since round 1
    services.fire_transition(chief, in_review, "return_for_revision", comment="Redo.")

    # when the owner resubmits the already-reviewed version
    with pytest.raises(ValidationError) as excinfo:
        services.fire_transition(owner, in_review, "submit_for_review")

    # then it is refused: a round needs an unreviewed version
    assert list(excinfo.value.message_dict) == ["transition"]
    assert state_of(in_review) == S.REVISING


def test_fire_transition_unknown_name_names_the_transition(deliverable, chief):
    with pytest.raises(ValidationError) as excinfo:
        services.fire_transition(chief, deliverable, "delete")

    assert list(excinfo.value.message_dict) == ["transition"]
    assert state_of(deliverable) == S.PLANNED


def test_approve_with_outstanding_reviews_needs_a_waiver_reason(
    django_capture_on_commit_callbacks, assigned, chief
):
    # given two outstanding assignments
    d, _assignments = assigned
    before = audit_rows(d)
    mail.outbox.clear()

    # when the chief approves without a waiver
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        services.fire_transition(chief, d, "approve")

    # then the error names waiver_reason and nothing changed
    assert list(exc.value.message_dict) == ["waiver_reason"]
    assert "2 reviews are outstanding" in exc.value.message_dict["waiver_reason"][0]
    assert state_of(d) == S.IN_REVIEW
    assert audit_rows(d) == before
    assert mail.outbox == []


def test_approve_with_waiver_withdraws_outstanding_reviews_and_revokes_access(
    django_capture_on_commit_callbacks, assigned, owner, chief, reviewer, second_reviewer
):
    # given two assignments, one submitted and one outstanding
    d, (first, second) = assigned
    submit_review(reviewer, first)

    # when the chief approves with a waiver
    with django_capture_on_commit_callbacks(execute=True):
        result = services.fire_transition(
            chief, d, "approve", comment="Good enough.", waiver_reason="The deadline is fixed."
        )

    # then it is approved, the outstanding one withdrawn and its reviewer loses access at once
    assert result.state == S.APPROVED
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.SUBMITTED
    assert ReviewAssignment.objects.get(pk=second.pk).state == AssignmentState.WITHDRAWN
    assert list(queries.visible_deliverables(second_reviewer)) == []
    assert list(queries.visible_deliverables(reviewer)) == [d]
    assert ReviewRound.objects.get(deliverable=d).state == RoundState.CLOSED
    entry = DeliverableHistory.objects.filter(
        deliverable=d, action=DeliverableAction.TRANSITION
    ).last()
    assert (entry.from_state, entry.to_state, entry.actor) == (S.IN_REVIEW, S.APPROVED, chief)
    # the waiver is a note, read in each reader's language; the comment is the chief's own
    assert (entry.comment, entry.summary) == ("Good enough.", "Waiver: The deadline is fixed.")
    assert (entry.note, entry.params) == (
        "Waiver: %(reason)s",
        {"reason": "The deadline is fixed."},
    )
    # the withdrawn reviewer is told it is no longer needed; owner and submitter of the decision
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("amina@example.org", "Chapter 3: Digital government: Approved"),
        ("bruno@example.org", "Review withdrawn: Chapter 3: Digital government"),
        ("staff@example.org", "Chapter 3: Digital government: Approved"),
    ]


@pytest.mark.parametrize("name", ["cancel", "return_for_revision"])
def test_cancel_and_return_need_a_comment(in_review, chief, name):
    # given a deliverable in review
    before = audit_rows(in_review)

    # when the chief fires without a comment (blank counts as none)
    with pytest.raises(ValidationError) as excinfo:
        services.fire_transition(chief, in_review, name, comment="   ")

    # then the error names the comment and nothing moved
    assert list(excinfo.value.message_dict) == ["comment"]
    assert state_of(in_review) == S.IN_REVIEW
    assert audit_rows(in_review) == before


def test_cancel_with_a_comment_records_it(in_review, chief):
    result = services.fire_transition(chief, in_review, "cancel", comment="  Out of scope.  ")

    assert result.state == S.CANCELLED
    entry = DeliverableHistory.objects.filter(
        deliverable=in_review, action=DeliverableAction.TRANSITION
    ).last()
    assert (entry.from_state, entry.to_state, entry.comment) == (
        S.IN_REVIEW,
        S.CANCELLED,
        "Out of scope.",
    )


def test_fire_transition_no_longer_possible_raises_conflict(in_review, chief):
    # given the chief's page loaded the deliverable while in review, and it was approved since
    stale = Deliverable.objects.get(pk=in_review.pk)
    services.fire_transition(chief, in_review, "approve")

    # when the chief fires "return for revision" from the stale page
    with pytest.raises(ServiceConflict) as excinfo:
        services.fire_transition(chief, stale, "return_for_revision", comment="Redo.")

    # then it is a conflict naming the current state, and only the approval is audited
    assert "the deliverable is now approved" in excinfo.value.message
    assert state_of(in_review) == S.APPROVED
    assert transitions_of(in_review)[-1] == (S.IN_REVIEW, S.APPROVED)
    assert len(transitions_of(in_review)) == 3


@pytest.mark.parametrize("name", ["publish", "start_drafting", "return_for_revision"])
def test_fire_transition_from_a_final_state_raises_conflict(deliverable, chief, name):
    services.fire_transition(chief, deliverable, "cancel", comment="Dropped.")

    with pytest.raises(ServiceConflict):
        services.fire_transition(chief, deliverable, name, comment="x")

    assert state_of(deliverable) == S.CANCELLED


# --- due dates and versions -----------------------------------------------------------------


def test_change_due_date_audits_old_new_who_and_why(deliverable, owner):
    # given the due date
    old = deliverable.due_date
    new = old + datetime.timedelta(days=30)

    # when the owner moves it with a reason
    services.change_due_date(owner, deliverable, new, " Data arrives late. ")

    # then it moved and the audit row says old, new, who and why
    assert Deliverable.objects.get(pk=deliverable.pk).due_date == new
    entry = DeliverableHistory.objects.get(
        deliverable=deliverable, action=DeliverableAction.DUE_DATE
    )
    assert (entry.old_due_date, entry.new_due_date, entry.actor, entry.comment) == (
        old,
        new,
        owner,
        "Data arrives late.",
    )


def test_change_due_date_without_reason_names_the_reason(deliverable, owner):
    with pytest.raises(ValidationError) as excinfo:
        services.change_due_date(owner, deliverable, due(90), "")

    assert list(excinfo.value.message_dict) == ["reason"]
    assert not DeliverableHistory.objects.filter(deliverable=deliverable).exists()


@pytest.mark.parametrize("who", ["colleague", "other_chief", "reviewer"])
def test_change_due_date_refused_to_others(request, deliverable, who):
    old = deliverable.due_date

    with pytest.raises(PermissionDenied):
        services.change_due_date(request.getfixturevalue(who), deliverable, due(90), "Why not.")

    assert Deliverable.objects.get(pk=deliverable.pk).due_date == old
    assert not DeliverableHistory.objects.filter(deliverable=deliverable).exists()


def test_upload_version_while_in_review_is_a_conflict(in_review, owner):
    with pytest.raises(ServiceConflict):
        services.upload_version(owner, in_review, pdf("late.pdf"))

    assert in_review.versions.count() == 1


def test_upload_version_rejects_a_fake_pdf_naming_the_file(drafting, owner):
    fake = SimpleUploadedFile("draft.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")

    with pytest.raises(ValidationError) as excinfo:
        services.upload_version(owner, drafting, fake)

    assert list(excinfo.value.message_dict) == ["file"]
    assert drafting.versions.count() == 0


def test_upload_version_refused_to_a_colleague(drafting, colleague):
    with pytest.raises(PermissionDenied):
        services.upload_version(colleague, drafting, pdf())

    assert drafting.versions.count() == 0


# --- assignments and object permissions ---------------------------------------------------


def test_assign_reviewers_grants_view_permissions(assigned, reviewer, unassigned_reviewer):
    # given an assigned reviewer
    d, _assignments = assigned
    version = d.versions.get()

    # then the reviewer sees the deliverable and its version; the unassigned one sees nothing
    assert reviewer.has_perm("workflows.view_deliverable", d)
    assert list(queries.visible_deliverables(reviewer)) == [d]
    assert list(queries.visible_versions(reviewer, d)) == [version]
    assert queries.get_deliverable_for_user(reviewer, d.pk) == d
    assert list(queries.visible_deliverables(unassigned_reviewer)) == []


def test_assign_reviewers_refuses_the_owner_and_duplicates(assigned, owner, reviewer):
    d, _assignments = assigned

    with pytest.raises(ValidationError) as excinfo:
        services.assign_reviewers(owner, d, [owner, reviewer], due())

    assert list(excinfo.value.message_dict) == ["reviewers"]
    assert len(excinfo.value.message_dict["reviewers"]) == 2
    assert ReviewAssignment.objects.filter(deliverable=d).count() == 2


def test_assign_reviewers_refused_to_a_colleague(
    django_capture_on_commit_callbacks, in_review, colleague, reviewer
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.assign_reviewers(colleague, in_review, [reviewer], due())

    assert ReviewAssignment.objects.count() == 0
    assert list(queries.visible_deliverables(reviewer)) == []
    assert mail.outbox == []


def test_assign_reviewers_outside_review_is_a_conflict(drafting, owner, reviewer):
    with pytest.raises(ServiceConflict):
        services.assign_reviewers(owner, drafting, [reviewer], due())

    assert ReviewAssignment.objects.count() == 0


def test_withdraw_assignment_revokes_access_at_once(
    django_capture_on_commit_callbacks, assigned, owner, reviewer
):
    # given an assigned reviewer who sees the deliverable
    d, (first, _second) = assigned
    assert list(queries.visible_deliverables(reviewer)) == [d]

    # when the owner withdraws the assignment
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_assignment(owner, first, reason="Found someone closer to the topic.")

    # then access is gone at once, the reviewer is told, the timeline records it
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.WITHDRAWN
    assert list(queries.visible_deliverables(reviewer)) == []
    assert list(queries.visible_versions(reviewer, d)) == []
    assert not reviewer.has_perm("workflows.view_deliverable", d)
    assert [m.to for m in mail.outbox] == [["amina@example.org"]]
    entry = DeliverableHistory.objects.filter(assignment=first).last()
    assert (entry.from_state, entry.to_state, entry.comment) == (
        AssignmentState.INVITED,
        AssignmentState.WITHDRAWN,
        "Found someone closer to the topic.",
    )


@pytest.mark.parametrize("who", ["colleague", "second_reviewer", "reviewer"])
def test_withdraw_assignment_refused_to_others(request, assigned, reviewer, who):
    d, (first, _second) = assigned

    with pytest.raises(PermissionDenied):
        services.withdraw_assignment(request.getfixturevalue(who), first)

    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED
    assert list(queries.visible_deliverables(reviewer)) == [d]


def test_decline_assignment_needs_a_reason(assigned, reviewer):
    d, (first, _second) = assigned

    with pytest.raises(ValidationError) as excinfo:
        services.decline_assignment(reviewer, first, "  ")

    assert list(excinfo.value.message_dict) == ["reason"]
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED
    assert list(queries.visible_deliverables(reviewer)) == [d]


def test_decline_assignment_with_conflict_of_interest_revokes_access(
    django_capture_on_commit_callbacks, assigned, reviewer
):
    # given an invited reviewer
    _d, (first, _second) = assigned

    # when they decline declaring a conflict of interest
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_assignment(
            reviewer, first, "I co-authored the source report.", conflict_of_interest=True
        )

    # then the decline, reason and flag are stored, access is revoked, the owner is told
    stored = ReviewAssignment.objects.get(pk=first.pk)
    assert (stored.state, stored.decline_reason, stored.conflict_of_interest) == (
        AssignmentState.DECLINED,
        "I co-authored the source report.",
        True,
    )
    assert stored.responded_at is not None
    assert list(queries.visible_deliverables(reviewer)) == []
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]
    assert mail.outbox[0].subject == "Review declined: Chapter 3: Digital government"


def test_decline_assignment_refused_to_another_reviewer(assigned, second_reviewer):
    _d, (first, _second) = assigned

    with pytest.raises(PermissionDenied):
        services.decline_assignment(second_reviewer, first, "Not mine.")

    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED


def test_accept_assignment_twice_is_a_conflict(assigned, reviewer):
    _d, (first, _second) = assigned
    services.accept_assignment(reviewer, first)

    with pytest.raises(ServiceConflict):
        services.accept_assignment(reviewer, first)

    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.ACCEPTED


# --- reviews --------------------------------------------------------------------------------


def test_save_review_draft_then_submit(django_capture_on_commit_callbacks, assigned, reviewer):
    # given an invited reviewer
    _d, (first, _second) = assigned

    # when they save a draft
    draft = services.save_review(reviewer, first, comments="Half-way through.")

    # then the draft is kept and the assignment still owes a review
    assert (draft.status, draft.recommendation, draft.comments, draft.submitted_at) == (
        ReviewStatus.DRAFT,
        "",
        "Half-way through.",
        None,
    )
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED

    # when they submit it later
    with django_capture_on_commit_callbacks(execute=True):
        review = services.save_review(
            reviewer,
            first,
            recommendation=Recommendation.MINOR_REVISION,
            comments="Section 2 needs sources.",
            submit=True,
        )

    # then the same review is submitted, the assignment too, the owner is told
    assert review.pk == draft.pk
    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.recommendation, stored.comments) == (
        ReviewStatus.SUBMITTED,
        Recommendation.MINOR_REVISION,
        "Section 2 needs sources.",
    )
    assert stored.submitted_at is not None
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.SUBMITTED
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]


def test_save_review_submit_without_recommendation_names_it_and_saves_nothing(assigned, reviewer):
    _d, (first, _second) = assigned

    with pytest.raises(ValidationError) as excinfo:
        services.save_review(reviewer, first, comments="Fine work.", submit=True)

    assert list(excinfo.value.message_dict) == ["recommendation"]
    assert not Review.objects.filter(assignment=first).exists()
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED


def test_save_review_failed_submit_keeps_the_earlier_draft(assigned, reviewer):
    _d, (first, _second) = assigned
    services.save_review(reviewer, first, comments="Draft notes.")

    with pytest.raises(ValidationError):
        services.save_review(reviewer, first, comments="", submit=True)

    stored = Review.objects.get(assignment=first)
    assert (stored.status, stored.comments) == (ReviewStatus.DRAFT, "Draft notes.")


@pytest.mark.parametrize("who", ["second_reviewer", "owner", "chief"])
def test_save_review_refused_to_anyone_but_the_reviewer(request, assigned, who):
    _d, (first, _second) = assigned

    with pytest.raises(PermissionDenied):
        services.save_review(
            request.getfixturevalue(who),
            first,
            recommendation=Recommendation.READY,
            comments="x",
            submit=True,
        )

    assert not Review.objects.filter(assignment=first).exists()


def test_save_review_after_submission_is_a_conflict(assigned, reviewer):
    _d, (first, _second) = assigned
    submit_review(reviewer, first)

    with pytest.raises(ServiceConflict):
        services.save_review(reviewer, first, comments="Changed my mind.")

    assert Review.objects.get(assignment=first).comments == "Comments by amina."


# --- blindness -----------------------------------------------------------------------------


def test_visible_reviews_are_blind_until_the_reviewer_submitted(
    assigned, owner, chief, reviewer, second_reviewer
):
    # given A has a draft and B submitted
    d, (a, b) = assigned
    a_review = services.save_review(reviewer, a, comments="A's draft.")
    b_review = submit_review(second_reviewer, b)

    # then A sees only their own draft; B sees only their own (A's is a draft)
    assert list(queries.visible_reviews(reviewer, d)) == [a_review]
    assert list(queries.visible_reviews(second_reviewer, d)) == [b_review]
    # the owner and the chief see all submitted reviews, no drafts
    assert list(queries.visible_reviews(owner, d)) == [b_review]
    assert list(queries.visible_reviews(chief, d)) == [b_review]

    # when A submits
    submit_review(reviewer, a)

    # then both see both, as do the owner and the chief
    both = sorted([a_review.pk, b_review.pk])
    for viewer in (reviewer, second_reviewer, owner, chief):
        assert sorted(r.pk for r in queries.visible_reviews(viewer, d)) == both


def test_visible_history_hides_the_other_reviewers_entries(
    assigned, owner, reviewer, second_reviewer
):
    # given both reviewers responded
    d, (a, b) = assigned
    services.accept_assignment(reviewer, a)
    services.decline_assignment(second_reviewer, b, "Too busy.")

    # when each reads the timeline
    seen_by_a = list(queries.visible_history(reviewer, d))
    seen_by_owner = list(queries.visible_history(owner, d))

    # then A sees the deliverable's state changes and their own entries, never B's (nor the
    # version uploads, which could tell of versions A was not given)
    assert [(e.action, e.assignment_id) for e in seen_by_a] == [
        (DeliverableAction.TRANSITION, None),
        (DeliverableAction.TRANSITION, None),
        (DeliverableAction.ASSIGNMENT, a.pk),
        (DeliverableAction.ASSIGNMENT, a.pk),
    ]
    # and the owner sees everything
    assert {e.assignment_id for e in seen_by_owner if e.assignment_id} == {a.pk, b.pk}
    assert len(seen_by_owner) == DeliverableHistory.objects.filter(deliverable=d).count() == 7


def test_visible_assignments_shows_a_reviewer_only_their_own(assigned, owner, reviewer):
    d, (a, b) = assigned

    assert list(queries.visible_assignments(reviewer, d)) == [a]
    assert sorted(x.pk for x in queries.visible_assignments(owner, d)) == sorted([a.pk, b.pk])


# --- who sees which deliverables -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("owner", True),
        ("chief", True),
        ("colleague", True),
        ("secretariat_admin", True),
        ("other_branch_staff", False),
        ("other_chief", False),
        ("reviewer", True),
        ("unassigned_reviewer", False),
        ("focal_point", False),
        ("anonymous", False),
    ],
)
def test_visible_deliverables_per_role(request, assigned, who, sees):
    # given a deliverable in review assigned to `reviewer`
    d, _assignments = assigned
    viewer = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)

    # when the viewer lists deliverables
    listed = list(queries.visible_deliverables(viewer))

    # then exactly those who may see it get it
    assert listed == ([d] if sees else [])
