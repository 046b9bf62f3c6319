"""The contribution services: proposing, what each kind needs before it is submitted, who
fires which transition, the reviewer's comments, incorporation into a deliverable, the
notifications to the author and the deadlines of the branch's staff."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from cepa_collab.exceptions import ServiceConflict
from contributions import queries, services
from contributions.deadlines import ContributionDeadline
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from contributions.models import Attachment, Contribution
from contributions.notices import ContributionNotice
from notifications.models import Deadline, Notification
from tests.contributions.contribution_fixtures import (
    CASE_STUDY,
    NOW,
    REVIEW_DUE,
    accepted,
    case_study,
    compendium,
    country,
    fetch,
    pacb_report,
    pdf,
    repository_entry,
    returned,
    submitted,
    under_review,
    volume,
    written_input,
)
from tests.factories import branch
from workflows import services as workflows

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = ContributionState


@pytest.fixture(autouse=True)
def _now_and_english():
    with (
        time_machine.travel(NOW, tick=False),
        translation.override("en"),
    ):
        yield


def notifications(user) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("kind", "subject")
    )


def open_deadlines(contribution) -> list[str]:
    return sorted(
        Deadline.objects.filter(
            kind=ContributionDeadline.CONTRIBUTION, object_id=contribution.pk, done_at__isnull=True
        ).values_list("user__username", flat=True)
    )


# --- proposing --------------------------------------------------------------------------------


def test_propose_case_study_makes_a_draft_of_the_knowledge_branch(people):
    contribution = case_study(people["author"])

    saved = fetch(contribution)
    assert (saved.state, saved.kind, saved.branch.code) == (S.DRAFT, "case_study", "e-govb")
    assert saved.author == people["author"]
    assert saved.link_list() == ["https://nia.gov.gh/"]


@pytest.mark.parametrize("who", ["staff", "chief", "focal_point", "other_branch_staff"])
def test_propose_by_someone_not_a_cepa_member_is_refused_and_saves_nothing(people, who):
    with pytest.raises(PermissionDenied):
        case_study(people[who])

    assert Contribution.objects.count() == 0


def test_propose_written_input_belongs_to_the_products_branch(people):
    product, _report = pacb_report(people["other_branch_staff"])

    contribution = written_input(people["author"], product)

    assert fetch(contribution).branch == branch("pacb")


def test_propose_written_input_without_product_names_the_product(people):
    with pytest.raises(ValidationError) as caught:
        written_input(people["author"], None)

    assert caught.value.message_dict == {"product": ["Choose the product your input is for."]}
    assert Contribution.objects.count() == 0


def test_propose_written_input_for_an_unseen_deliverable_is_refused(people):
    product = compendium(people["chief"])
    unseen = volume(people["chief"], people["staff"], product)

    with pytest.raises(ValidationError) as caught:
        written_input(people["author"], product, deliverable=unseen)

    assert caught.value.message_dict == {"deliverable": ["Choose a deliverable you can see."]}
    assert Contribution.objects.count() == 0


def test_propose_written_input_for_a_deliverable_under_review_by_the_author(people):
    product = compendium(people["chief"])
    deliverable = volume(people["chief"], people["staff"], product)
    workflows.fire_transition(people["staff"], deliverable, "start_drafting")
    workflows.upload_version(people["staff"], deliverable, pdf())
    workflows.fire_transition(people["staff"], deliverable, "submit_for_review")
    workflows.assign_reviewers(
        people["staff"], deliverable, [people["author"]], datetime.date(2026, 4, 1)
    )

    contribution = written_input(people["author"], None, deliverable=deliverable)

    saved = fetch(contribution)
    assert (saved.product, saved.deliverable, saved.branch) == (
        product,
        deliverable,
        branch("e-govb"),
    )


def test_propose_with_a_deliverable_of_another_product_names_the_deliverable(people):
    product = compendium(people["chief"])
    other_product, report = pacb_report(people["other_branch_staff"])
    del other_product

    with pytest.raises(ValidationError) as caught:
        written_input(people["author"], product, deliverable=report)

    assert caught.value.message_dict == {
        "deliverable": ["The deliverable is not part of that product."]
    }


def test_propose_repository_entry_needs_a_category(people):
    with pytest.raises(ValidationError) as caught:
        repository_entry(people["author"], category="")

    assert caught.value.message_dict == {"category": ["Choose the repository category."]}


def test_propose_with_a_link_that_is_not_a_web_address_names_the_links(people):
    with pytest.raises(ValidationError) as caught:
        case_study(people["author"], links="https://ok.example/\njavascript:alert(1)")

    assert caught.value.message_dict == {
        "links": ["Each link must start with http:// or https://."]
    }


def test_propose_with_an_unknown_field_names_it(people):
    with pytest.raises(ValidationError) as caught:
        case_study(people["author"], state=S.ACCEPTED)

    assert caught.value.message_dict == {"state": ["Unknown field."]}
    assert Contribution.objects.count() == 0


# --- completeness per kind --------------------------------------------------------------------

REQUIRED = "This field is required before submitting."


def test_submit_incomplete_case_study_names_each_missing_field(people):
    draft = case_study(
        people["author"], iso3="GHA", summary="", innovation="  ", transferability=""
    )
    services.update(people["author"], draft, country=None)

    with pytest.raises(ValidationError) as caught:
        services.fire_transition(people["author"], draft, "submit")

    assert caught.value.message_dict == {
        "country": [REQUIRED],
        "summary": [REQUIRED],
        "innovation": [REQUIRED],
        "transferability": [REQUIRED],
    }
    assert fetch(draft).state == S.DRAFT
    assert open_deadlines(draft) == []


def test_submit_repository_entry_without_document_or_file_names_the_document(people):
    draft = repository_entry(people["author"], document_url="", year=None)

    with pytest.raises(ValidationError) as caught:
        services.fire_transition(people["author"], draft, "submit")

    assert caught.value.message_dict == {
        "year": [REQUIRED],
        "document_url": ["Give the document's address or attach it."],
    }


def test_submit_repository_entry_with_an_attached_document_instead_of_an_address(people):
    draft = repository_entry(people["author"], document_url="")
    services.attach(people["author"], draft, pdf("policy.pdf"))

    done = services.fire_transition(people["author"], draft, "submit")

    assert done.state == S.SUBMITTED


def test_submit_written_input_without_text_names_the_summary(people):
    product = compendium(people["chief"])
    draft = written_input(people["author"], product, summary="")

    with pytest.raises(ValidationError) as caught:
        services.fire_transition(people["author"], draft, "submit")

    assert caught.value.message_dict == {"summary": [REQUIRED]}


def test_completeness_of_a_complete_draft_of_each_kind_is_empty(people):
    product = compendium(people["chief"])
    drafts = [
        case_study(people["author"]),
        repository_entry(people["author"]),
        written_input(people["author"], product),
    ]

    assert [services.completeness_errors(d) for d in drafts] == [{}, {}, {}]


# --- transitions: who may fire what -----------------------------------------------------------


def _in_state(state: str, people) -> Contribution:
    contribution = case_study(people["author"])
    if state == S.SUBMITTED:
        submitted(contribution)
    elif state == S.UNDER_REVIEW:
        under_review(contribution, people["staff"])
    elif state == S.RETURNED:
        returned(contribution, people["staff"])
    return fetch(contribution)


# (transition, state it starts from, target, who may fire it)
ALLOWED = [
    ("submit", S.DRAFT, S.SUBMITTED, {"author"}),
    ("submit", S.RETURNED, S.SUBMITTED, {"author"}),
    ("withdraw", S.DRAFT, S.WITHDRAWN, {"author"}),
    ("withdraw", S.SUBMITTED, S.WITHDRAWN, {"author"}),
    ("withdraw", S.UNDER_REVIEW, S.WITHDRAWN, {"author"}),
    ("withdraw", S.RETURNED, S.WITHDRAWN, {"author"}),
    ("start_review", S.SUBMITTED, S.UNDER_REVIEW, {"staff", "chief"}),
    ("accept", S.UNDER_REVIEW, S.ACCEPTED, {"staff", "chief"}),
    ("return_for_revision", S.UNDER_REVIEW, S.RETURNED, {"staff", "chief"}),
]
ACTORS = [
    "author",
    "other_member",
    "staff",
    "chief",
    "advisor",
    "other_branch_staff",
    "focal_point",
    "secretariat_admin",
]


@pytest.mark.parametrize(("name", "source", "target", "allowed"), ALLOWED)
@pytest.mark.parametrize("who", ACTORS)
def test_transition_is_fired_only_by_who_may(people, name, source, target, allowed, who):
    contribution = _in_state(source, people)
    before = notifications(people["author"])

    if who in allowed:
        done = services.fire_transition(people[who], contribution, name, comment="Thanks.")
        assert (done.state, fetch(contribution).state) == (target, target)
        return
    with pytest.raises(PermissionDenied):
        services.fire_transition(people[who], contribution, name, comment="Thanks.")
    assert fetch(contribution).state == source
    assert notifications(people["author"]) == before


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("submit", S.SUBMITTED),
        ("start_review", S.DRAFT),
        ("accept", S.SUBMITTED),
        ("return_for_revision", S.RETURNED),
        ("withdraw", S.ACCEPTED),
        ("withdraw", S.WITHDRAWN),
    ],
)
def test_transition_from_the_wrong_state_is_a_conflict(people, name, state):
    contribution = case_study(people["author"])
    if state == S.ACCEPTED:
        accepted(contribution, people["staff"])
    elif state == S.WITHDRAWN:
        services.fire_transition(people["author"], contribution, "withdraw")
    else:
        contribution = _in_state(state, people)
    actor = people["author"] if name in {"submit", "withdraw"} else people["staff"]

    with pytest.raises(ServiceConflict):
        services.fire_transition(actor, contribution, name, comment="Because.")

    assert fetch(contribution).state == state


def test_unknown_transition_names_the_transition(people):
    with pytest.raises(ValidationError) as caught:
        services.fire_transition(people["author"], case_study(people["author"]), "publish")

    assert caught.value.message_dict == {"transition": ["Unknown transition “publish”."]}


def test_available_transitions_follow_state_and_person(people):
    draft = case_study(people["author"])
    sent = submitted(case_study(people["author"], title="Second"))
    reviewing = under_review(case_study(people["author"], title="Third"), people["staff"])

    assert services.available_transitions(draft, people["author"]) == ["submit", "withdraw"]
    assert services.available_transitions(sent, people["author"]) == ["withdraw"]
    assert services.available_transitions(sent, people["chief"]) == ["start_review"]
    assert services.available_transitions(reviewing, people["staff"]) == [
        "accept",
        "return_for_revision",
    ]
    assert services.available_transitions(reviewing, people["other_branch_staff"]) == []


# --- the reviewer's comments and the author's notifications ----------------------------------


def test_return_without_a_comment_is_refused_and_changes_nothing(people):
    contribution = under_review(case_study(people["author"]), people["staff"])

    with pytest.raises(ValidationError) as caught:
        services.fire_transition(people["staff"], contribution, "return_for_revision", comment=" ")

    assert caught.value.message_dict == {"comment": ["Say what should change."]}
    assert fetch(contribution).state == S.UNDER_REVIEW
    assert notifications(people["author"]) == []


def test_return_keeps_the_comment_and_notifies_the_author(people):
    contribution = under_review(case_study(people["author"]), people["staff"])

    services.fire_transition(
        people["staff"], contribution, "return_for_revision", comment="Add the 2025 figures."
    )

    saved = fetch(contribution)
    assert (saved.state, saved.review_comment, saved.decided_at) == (
        S.RETURNED,
        "Add the 2025 figures.",
        NOW,
    )
    assert notifications(people["author"]) == [
        (ContributionNotice.CONTRIBUTION, f"Contribution returned for revision: {saved.title}")
    ]
    note = Notification.objects.get(user=people["author"])
    assert "Add the 2025 figures." in note.body
    assert note.link == f"/contributions/{saved.pk}/"


def test_accept_notifies_the_author_only(people):
    contribution = under_review(case_study(people["author"]), people["staff"])

    services.fire_transition(people["chief"], contribution, "accept", comment="Fine case.")

    assert notifications(people["author"]) == [
        (
            ContributionNotice.CONTRIBUTION,
            "Contribution accepted: Ghana's national digital identity",
        )
    ]
    assert Notification.objects.exclude(user=people["author"]).count() == 0
    assert fetch(contribution).review_comment == "Fine case."


def test_submit_and_start_review_notify_nobody(people):
    under_review(case_study(people["author"]), people["staff"])

    assert Notification.objects.count() == 0


def test_submit_sets_the_review_due_date_and_clears_the_reviewer(people):
    contribution = returned(case_study(people["author"]), people["staff"])

    services.fire_transition(people["author"], contribution, "submit")

    saved = fetch(contribution)
    assert (saved.submitted_at, saved.review_due, saved.reviewer) == (NOW, REVIEW_DUE, None)


# --- deadlines ----------------------------------------------------------------------------------


def test_submitted_contribution_is_a_deadline_for_each_staff_member_and_the_chief(people):
    contribution = submitted(case_study(people["author"]))

    assert open_deadlines(contribution) == ["chief", "staff"]
    assert set(
        Deadline.objects.filter(object_id=contribution.pk).values_list("due_date", "link")
    ) == {(REVIEW_DUE, f"/contributions/{contribution.pk}/")}


def test_under_review_contribution_is_a_deadline_for_its_reviewer_only(people):
    contribution = under_review(case_study(people["author"]), people["chief"])

    assert open_deadlines(contribution) == ["chief"]


@pytest.mark.parametrize("outcome", ["accept", "return_for_revision", "withdraw"])
def test_decided_or_withdrawn_contribution_has_no_open_deadline(people, outcome):
    contribution = under_review(case_study(people["author"]), people["staff"])
    actor = people["author"] if outcome == "withdraw" else people["staff"]

    services.fire_transition(actor, contribution, outcome, comment="Done.")

    assert open_deadlines(contribution) == []
    assert Deadline.objects.filter(object_id=contribution.pk, kind="contribution").count() == 2


def test_resubmitted_contribution_is_again_a_deadline_for_the_whole_branch(people):
    contribution = returned(case_study(people["author"]), people["staff"])

    services.fire_transition(people["author"], contribution, "submit")

    assert open_deadlines(contribution) == ["chief", "staff"]


def test_written_input_to_another_branch_is_a_deadline_for_that_branch(people):
    product, _report = pacb_report(people["other_branch_staff"])

    contribution = submitted(written_input(people["author"], product))

    assert open_deadlines(contribution) == ["pacb"]


# --- editing and files --------------------------------------------------------------------------


def test_update_by_the_author_changes_the_draft(people):
    draft = case_study(people["author"])

    services.update(people["author"], draft, title="Ghana Card", country=country("SEN"))

    saved = fetch(draft)
    assert (saved.title, saved.country.iso3) == ("Ghana Card", "SEN")


@pytest.mark.parametrize("who", ["other_member", "staff", "chief"])
def test_update_by_anyone_else_is_refused(people, who):
    draft = submitted(case_study(people["author"]))
    services.fire_transition(people["staff"], draft, "start_review")
    services.fire_transition(people["staff"], draft, "return_for_revision", comment="More.")

    with pytest.raises(PermissionDenied):
        services.update(people[who], draft, title="Hijacked")

    assert fetch(draft).title == "Ghana's national digital identity"


def test_update_of_a_submitted_contribution_is_a_conflict(people):
    contribution = submitted(case_study(people["author"]))

    with pytest.raises(ServiceConflict):
        services.update(people["author"], contribution, title="Late change")

    assert fetch(contribution).title == "Ghana's national digital identity"


def test_update_cannot_change_the_kind_or_the_author(people):
    draft = case_study(people["author"])

    with pytest.raises(ValidationError) as caught:
        services.update(people["author"], draft, kind="written_input", author=people["staff"])

    assert caught.value.message_dict == {
        "author": ["This field cannot be changed."],
        "kind": ["This field cannot be changed."],
    }


def test_attach_keeps_the_file_for_the_author(people):
    draft = case_study(people["author"])

    attachment = services.attach(people["author"], draft, pdf("Ghana card.pdf"))

    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "Ghana card.pdf",
        "application/pdf",
        len(pdf().read()),
    )
    # stored under a generated name, in the contribution's folder
    assert re.fullmatch(rf"contributions/{draft.pk}/[0-9a-f]{{32}}\.pdf", attachment.file.name)


def test_attach_refuses_a_file_that_is_not_a_document(people):
    draft = case_study(people["author"])
    fake = SimpleUploadedFile("case.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    with pytest.raises(ValidationError) as caught:
        services.attach(people["author"], draft, fake)

    assert list(caught.value.message_dict) == ["file"]
    assert Attachment.objects.count() == 0


def test_attach_by_another_person_or_after_submission_is_refused(people):
    contribution = case_study(people["author"])

    with pytest.raises(PermissionDenied):
        services.attach(people["staff"], contribution, pdf())
    submitted(contribution)
    with pytest.raises(ServiceConflict):
        services.attach(people["author"], contribution, pdf())

    assert Attachment.objects.count() == 0


def test_remove_attachment_from_a_draft(people):
    draft = case_study(people["author"])
    attachment = services.attach(people["author"], draft, pdf())

    services.remove_attachment(people["author"], attachment)

    assert Attachment.objects.count() == 0


def test_remove_attachment_after_submission_is_a_conflict(people):
    draft = case_study(people["author"])
    attachment = services.attach(people["author"], draft, pdf())
    submitted(draft)

    with pytest.raises(ServiceConflict):
        services.remove_attachment(people["author"], attachment)
    with pytest.raises(PermissionDenied):
        services.remove_attachment(people["staff"], attachment)

    assert Attachment.objects.count() == 1


# --- saving with files and submitting: one operation, all or nothing ---------------------------


def not_a_document(name: str = "case.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf", content_type="application/pdf")


def stored_files(settings) -> list[str]:
    """Every file in storage, relative to MEDIA_ROOT."""
    root = settings.MEDIA_ROOT
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def history_actions(contribution) -> list[str]:
    return list(contribution.history.order_by("pk").values_list("action", flat=True))


def test_save_contribution_proposes_attaches_and_submits_at_once(people, settings):
    contribution = services.save_contribution(
        people["author"],
        kind=ContributionKind.CASE_STUDY,
        attachments=[pdf("one.pdf"), pdf("two.pdf")],
        submit=True,
        country=country("GHA"),
        **CASE_STUDY,
    )

    stored = fetch(contribution)
    assert (stored.state, stored.author, stored.title) == (
        S.SUBMITTED,
        people["author"],
        CASE_STUDY["title"],
    )
    assert sorted(stored.attachments.values_list("original_name", flat=True)) == [
        "one.pdf",
        "two.pdf",
    ]
    assert history_actions(stored) == ["created", "attachment", "attachment", "transition"]
    assert stored_files(settings) == sorted(a.file.name for a in stored.attachments.all())
    assert len(stored_files(settings)) == 2
    assert open_deadlines(stored) == ["chief", "staff"]


def test_save_contribution_with_a_bad_file_saves_nothing_and_keeps_no_file(people, settings):
    with pytest.raises(ValidationError) as caught:
        services.save_contribution(
            people["author"],
            kind=ContributionKind.CASE_STUDY,
            attachments=[pdf("good.pdf"), not_a_document("bad.pdf")],
            submit=True,
            country=country("GHA"),
            **CASE_STUDY,
        )

    assert list(caught.value.message_dict) == ["attachments"]
    assert (Contribution.objects.count(), Attachment.objects.count()) == (0, 0)
    assert stored_files(settings) == []
    assert Notification.objects.count() == 0


def test_save_contribution_that_cannot_be_submitted_saves_nothing_and_keeps_no_file(
    people, settings
):
    with pytest.raises(ValidationError) as caught:
        services.save_contribution(
            people["author"],
            kind=ContributionKind.CASE_STUDY,
            attachments=[pdf("good.pdf")],
            submit=True,
            title="Ghana Card",
        )

    assert sorted(caught.value.message_dict) == [
        "country",
        "innovation",
        "summary",
        "transferability",
    ]
    assert (Contribution.objects.count(), Attachment.objects.count()) == (0, 0)
    assert stored_files(settings) == []


def test_save_contribution_of_a_returned_one_with_a_bad_file_changes_nothing(people, settings):
    contribution = returned(case_study(people["author"]), people["staff"])
    kept = services.attach(people["author"], contribution, pdf("kept.pdf"))
    before = (fetch(contribution).title, history_actions(contribution), stored_files(settings))

    with pytest.raises(ValidationError):
        services.save_contribution(
            people["author"],
            contribution,
            attachments=[pdf("new.pdf"), not_a_document()],
            submit=True,
            title="Renamed",
        )

    after = fetch(contribution)
    assert (after.state, list(after.attachments.all())) == (S.RETURNED, [kept])
    assert (after.title, history_actions(after), stored_files(settings)) == before


def test_save_contribution_by_someone_else_is_refused_before_any_file_is_stored(people, settings):
    contribution = case_study(people["author"])

    with pytest.raises(PermissionDenied):
        services.save_contribution(
            people["other_member"], contribution, attachments=[pdf()], title="Mine"
        )

    assert (fetch(contribution).title, Attachment.objects.count()) == (CASE_STUDY["title"], 0)
    assert stored_files(settings) == []


# --- incorporation ---------------------------------------------------------------------------


@pytest.fixture
def compendium_volume(people):
    return volume(people["chief"], people["staff"], compendium(people["chief"]))


def test_incorporate_an_accepted_contribution_into_a_compendium_volume(people, compendium_volume):
    contribution = accepted(case_study(people["author"]), people["staff"])

    services.incorporate(people["staff"], contribution, compendium_volume)

    assert fetch(contribution).incorporated_into == compendium_volume
    assert notifications(people["author"])[-1] == (
        ContributionNotice.CONTRIBUTION,
        "Your contribution is part of “Compendium, volume 4”",
    )


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED])
def test_incorporate_before_acceptance_is_a_conflict(people, compendium_volume, state):
    contribution = _in_state(state, people)

    with pytest.raises(ServiceConflict):
        services.incorporate(people["staff"], contribution, compendium_volume)

    assert fetch(contribution).incorporated_into is None


@pytest.mark.parametrize("who", ["author", "other_member", "advisor", "other_branch_staff"])
def test_incorporate_by_anyone_but_the_branch_staff_is_refused(people, compendium_volume, who):
    contribution = accepted(case_study(people["author"]), people["staff"])
    before = notifications(people["author"])

    with pytest.raises(PermissionDenied):
        services.incorporate(people[who], contribution, compendium_volume)

    assert fetch(contribution).incorporated_into is None
    assert notifications(people["author"]) == before


def test_incorporate_into_a_deliverable_of_another_branch_is_refused(people, compendium_volume):
    contribution = accepted(case_study(people["author"]), people["staff"])
    _product, report = pacb_report(people["other_branch_staff"])

    with pytest.raises(ValidationError) as caught:
        services.incorporate(people["staff"], contribution, report)

    assert caught.value.message_dict == {
        "deliverable": ["Choose one of the branch's deliverables that you can see."]
    }
    assert fetch(contribution).incorporated_into is None


# --- who sees what (the shared query) -------------------------------------------------------------


def _visible(user) -> list[str]:
    return sorted(queries.visible_contributions(user).values_list("title", flat=True))


def test_visible_contributions_per_person(people):
    author = people["author"]
    case_study(author, title="A draft")
    submitted(case_study(author, title="B submitted"))
    accepted(case_study(author, title="C accepted"), people["staff"])
    accepted(case_study(author, title="D accepted in Oman", iso3="OMN"), people["staff"])
    services.fire_transition(author, case_study(author, title="E withdrawn draft"), "withdraw")
    withdrawn = submitted(case_study(author, title="F withdrawn after submission"))
    services.fire_transition(author, withdrawn, "withdraw")

    assert _visible(author) == [
        "A draft",
        "B submitted",
        "C accepted",
        "D accepted in Oman",
        "E withdrawn draft",
        "F withdrawn after submission",
    ]
    everything_submitted = [
        "B submitted",
        "C accepted",
        "D accepted in Oman",
        "F withdrawn after submission",
    ]
    assert _visible(people["staff"]) == everything_submitted
    assert _visible(people["chief"]) == everything_submitted
    assert _visible(people["advisor"]) == everything_submitted
    assert _visible(people["other_member"]) == ["C accepted", "D accepted in Oman"]
    assert _visible(people["other_branch_staff"]) == ["C accepted", "D accepted in Oman"]
    assert _visible(people["focal_point"]) == ["D accepted in Oman"]
    assert _visible(people["focal_point_ghana"]) == ["C accepted"]
    assert _visible(people["anonymous"]) == []


def test_repository_categories_are_the_three_of_the_knowledge_repository():
    assert RepositoryCategory.values == ["policy", "legal", "institutional"]
    assert ContributionKind.values == ["case_study", "repository_entry", "written_input"]
