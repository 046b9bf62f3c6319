"""The review workflow's pages, checked from the outside with the same request for the
allowed and the forbidden person.

The cast: the owner (branch staff), a colleague of the same branch, the branch chief,
staff of another branch, two assigned CEPA members, an unassigned CEPA member, a focal
point and anonymous. What a person may not see answers 404; on every denial nothing
changed and no mail was sent.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from cepa_collab.enums import Role
from cepa_collab.models import Region
from tests.factories import PDF_BYTES, branch, person
from workflows import services
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
from workflows.models import (
    AwayPeriod,
    Deliverable,
    DeliverableHistory,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewRound,
    Version,
)
from workflows.reviewers import suggest_reviewers

S = DeliverableState
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def pdf(name: str = "draft.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def html(response) -> str:
    return response.content.decode()


# --- the cast and the world ---------------------------------------------------------------


@pytest.fixture
def owner(staff):
    return staff


@pytest.fixture
def colleague(db):
    return person(Role.BRANCH_STAFF, username="colleague", branch_code="e-govb")


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
        description="Digital government in Africa and beyond.",
    )


def new_deliverable(product, owner, *, title="Chapter 3: Digital services", due=None):
    return services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title=title,
        kind=DeliverableKind.CHAPTER,
        due_date=due or TODAY + datetime.timedelta(days=60),
    )


@pytest.fixture
def deliverable(product, owner):
    return new_deliverable(product, owner)


@pytest.fixture
def in_review(deliverable, owner):
    """A deliverable in review on version 1 (no reviewer yet)."""
    services.fire_transition(owner, deliverable, "start_drafting")
    services.upload_version(owner, deliverable, pdf(), notes="First full draft")
    services.fire_transition(owner, deliverable, "submit_for_review")
    deliverable.refresh_from_db()
    return deliverable


@pytest.fixture
def assigned(in_review, owner, reviewer, second_reviewer):
    """In review with two CEPA members invited; returns (deliverable, assignment A, B)."""
    first, second = services.assign_reviewers(
        owner, in_review, [reviewer, second_reviewer], TODAY + datetime.timedelta(days=14)
    )
    mail.outbox.clear()
    return in_review, first, second


def state_of(deliverable) -> str:
    return Deliverable.objects.get(pk=deliverable.pk).state


def download_url(deliverable, number=1) -> str:
    return f"/deliverables/{deliverable.pk}/versions/{number}/download/"


# --- navigation ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_navigation_offers_my_reviews_and_deliverables_by_role(
    client, cepa_member, staff, secretariat_admin, focal_point
):
    pages = {}
    for user in (cepa_member, staff, secretariat_admin, focal_point):
        client.force_login(user)
        pages[user.username] = html(client.get("/"))

    assert 'href="/reviews/"' in pages["amina"]
    assert 'href="/deliverables/"' not in pages["amina"]
    assert 'href="/reviews/"' not in pages["staff"]
    assert 'href="/deliverables/"' in pages["staff"]
    assert 'href="/deliverables/"' in pages["admin"]
    assert 'href="/reviews/"' not in pages["focal"]
    assert 'href="/deliverables/"' not in pages["focal"]


@pytest.mark.django_db
def test_navigation_offers_my_reviews_to_staff_once_asked_to_review(
    client, in_review, owner, colleague
):
    client.force_login(colleague)
    before = html(client.get("/"))
    services.assign_reviewers(owner, in_review, [colleague], TODAY + datetime.timedelta(days=7))

    after = html(client.get("/"))

    assert 'href="/reviews/"' not in before
    assert 'href="/reviews/"' in after


# --- the deliverables list -------------------------------------------------------------------


@pytest.mark.django_db
def test_deliverable_list_shows_only_what_each_person_may_see(
    client, assigned, product, owner, other_branch_staff, unassigned_reviewer, reviewer
):
    new_deliverable(product, owner, title="Chapter 4: Open data")

    seen = {}
    for user in (owner, reviewer, unassigned_reviewer, other_branch_staff):
        client.force_login(user)
        response = client.get("/deliverables/")
        seen[user.username] = [d.title for d in response.context["page"]]

    assert seen == {
        "staff": ["Chapter 3: Digital services", "Chapter 4: Open data"],
        "amina": ["Chapter 3: Digital services"],
        "chen": [],
        "pacb_staff": [],
    }


@pytest.mark.django_db
def test_deliverable_list_shows_state_as_text_due_date_and_owner(client, deliverable, owner):
    client.force_login(owner)

    page = html(client.get("/deliverables/"))

    assert '<strong class="tag tag--planned">Planned</strong>' in page
    assert (
        'Due <time datetime="2026-05-01">1 May 2026</time> <span class="due due--later">'
        "in 60 days</span>"
    ) in page
    assert f"Owner: {owner.get_full_name()}</p>" in page
    assert '<h2 id="deliverables-count">1 deliverable</h2>' in page


@pytest.mark.django_db
def test_deliverable_list_filters_by_product_state_owner_and_overdue(
    client, product, owner, colleague, chief
):
    late = new_deliverable(product, owner, title="Late", due=TODAY)
    # due yesterday: the services refuse a past due date, so the test back-dates it
    Deliverable.objects.filter(pk=late.pk).update(due_date=TODAY - datetime.timedelta(days=1))
    new_deliverable(product, colleague, title="Colleague's", due=TODAY)
    other_product = services.create_product(
        chief, branch=branch("e-govb"), kind=ProductKind.TOOLKIT, title="METER"
    )
    drafting = new_deliverable(other_product, owner, title="Drafting")
    services.fire_transition(owner, drafting, "start_drafting")
    client.force_login(owner)

    def titles(query: str) -> list[str]:
        return [d.title for d in client.get("/deliverables/?" + query).context["page"]]

    assert titles("owner=me") == ["Late", "Drafting"]
    assert titles("overdue=on") == ["Late"]
    assert titles("state=drafting") == ["Drafting"]
    assert titles(f"product={other_product.pk}") == ["Drafting"]
    assert titles("state=nonsense") == ["Late", "Colleague's", "Drafting"]
    assert late.state == S.PLANNED


@pytest.mark.django_db
def test_deliverable_list_pages_by_fifty(client, product, owner):
    Deliverable.objects.bulk_create(
        Deliverable(product=product, owner=owner, title=f"D{i:03}", kind="chapter", due_date=TODAY)
        for i in range(51)
    )
    client.force_login(owner)

    first = client.get("/deliverables/?state=planned")
    second = client.get("/deliverables/?state=planned&page=2")

    assert len(first.context["page"]) == 50
    assert [d.title for d in second.context["page"]] == ["D050"]
    assert 'href="?state=planned&amp;page=2"' in html(first)


def _seed_deliverables(product, owner, count: int) -> None:
    Deliverable.objects.bulk_create(
        Deliverable(
            product=product,
            owner=owner,
            title=f"Deliverable {i}",
            kind=DeliverableKind.CHAPTER,
            due_date=TODAY + datetime.timedelta(days=i - count // 2),
        )
        for i in range(count)
    )


@pytest.mark.django_db
def test_deliverable_list_runs_a_fixed_number_of_queries(
    client, product, owner, django_assert_num_queries
):
    client.force_login(owner)
    _seed_deliverables(product, owner, 10)
    with django_assert_num_queries(9):
        small = client.get("/deliverables/?overdue=on&owner=me")
    assert small.status_code == 200
    _seed_deliverables(product, owner, 190)

    with django_assert_num_queries(9):
        large = client.get("/deliverables/?overdue=on&owner=me")
    assert large.status_code == 200

    assert Deliverable.objects.count() == 200


@pytest.mark.django_db
def test_deliverable_list_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/deliverables/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/deliverables/"


# --- the deliverable page ------------------------------------------------------------------


@pytest.mark.django_db
def test_deliverable_page_is_404_for_those_who_may_not_see_it(
    client, assigned, other_branch_staff, unassigned_reviewer, focal_point, owner
):
    deliverable, _a, _b = assigned
    url = f"/deliverables/{deliverable.pk}/"
    client.force_login(owner)
    allowed = client.get(url)

    statuses = []
    for user in (other_branch_staff, unassigned_reviewer, focal_point):
        client.force_login(user)
        statuses.append(client.get(url).status_code)

    assert allowed.status_code == 200
    assert statuses == [404, 404, 404]


@pytest.mark.django_db
def test_deliverable_page_shows_versions_rounds_and_history_to_the_owner(
    client, assigned, owner, reviewer, second_reviewer
):
    deliverable, first, _second = assigned
    services.change_due_date(owner, deliverable, TODAY + datetime.timedelta(days=90), "Data late")
    client.force_login(owner)

    response = client.get(f"/deliverables/{deliverable.pk}/")
    page = html(response)

    assert response.status_code == 200
    assert f'href="{download_url(deliverable)}"' in page
    assert "First full draft" in page
    assert 'Round 1 on version 1 <strong class="tag tag--open">Open</strong>' in page
    assert f'href="/assignments/{first.pk}/withdraw/"' in page
    assert f'href="/deliverables/{deliverable.pk}/reviewers/"' in page
    by = owner.get_full_name()
    assert [
        (row.actor, row.action, row.from_state, row.to_state, row.summary, row.comment)
        for row in response.context["history"]
    ] == [
        (by, "State change", "Planned", "Drafting", "", ""),
        (by, "New version", "", "", "Version 1 uploaded.", ""),
        (by, "State change", "Drafting", "In review", "", ""),
        (by, "Reviewer assignment", "", "Invited", f"Review by {reviewer.get_full_name()}.", ""),
        (
            by,
            "Reviewer assignment",
            "",
            "Invited",
            f"Review by {second_reviewer.get_full_name()}.",
            "",
        ),
        (
            by,
            "Due date change",
            "",
            "",
            "Due date moved from 2026-05-01 to 2026-05-31.",
            "Data late",
        ),
    ]
    assert (
        f"<td>{by}</td>\n        <td>State change</td>\n"
        "        <td>from Drafting to In review</td>\n"
        "        <td></td>\n"
        "        <td></td>"
    ) in page
    assert (
        f"<td>{by}</td>\n        <td>Due date change</td>\n"
        "        <td></td>\n"
        "        <td>Due date moved from 2026-05-01 to 2026-05-31.</td>\n"
        "        <td>Data late</td>"
    ) in page
    assert page.count("<td>Review by ") == 2
    assert f'action="/deliverables/{deliverable.pk}/due-date/"' in page
    assert response.context["transition_forms"] == []  # in review: only the chief decides


@pytest.mark.django_db
def test_deliverable_page_offers_the_chief_one_decision_form_with_a_waiver_while_reviews_are_out(
    client, assigned, chief
):
    deliverable, _a, _b = assigned
    client.force_login(chief)

    response = client.get(f"/deliverables/{deliverable.pk}/")
    form = response.context["decision_form"]
    page = html(response)

    assert response.context["transition_forms"] == []
    assert list(form.fields) == ["step", "transition", "comment", "waiver_reason"]
    assert [value for value, _label in form.fields["transition"].choices] == [
        "approve",
        "return_for_revision",
    ]
    assert page.count('id="decision"') == 1
    assert page.count('class="button"') == 1  # one primary button: record the decision
    assert '<label for="id_decision_waiver_reason">' in page
    assert response.context["can_cancel"] is True  # on its own confirmation page
    assert f'class="button button--warning" href="/deliverables/{deliverable.pk}/cancel/"' in page


@pytest.mark.django_db
def test_deliverable_page_shows_a_reviewer_only_their_own_assignment(
    client, assigned, reviewer, second_reviewer
):
    deliverable, first, _second = assigned
    client.force_login(reviewer)

    response = client.get(f"/deliverables/{deliverable.pk}/")
    page = html(response)

    assert [a.pk for row in response.context["rounds"] for a in row.assignments] == [first.pk]
    assert second_reviewer.get_full_name() not in page
    # the deliverable's state changes and their own assignment, not the other reviewer's
    # (nor the version uploads)
    by = deliverable.owner.get_full_name()
    assert [
        (row.actor, row.action, row.from_state, row.to_state, row.summary, row.comment)
        for row in response.context["history"]
    ] == [
        (by, "State change", "Planned", "Drafting", "", ""),
        (by, "State change", "Drafting", "In review", "", ""),
        (by, "Reviewer assignment", "", "Invited", f"Review by {reviewer.get_full_name()}.", ""),
    ]
    assert response.context["transition_forms"] == []
    assert response.context["due_form"] is None
    assert "/reviewers/" not in page


@pytest.mark.django_db
def test_deliverable_page_keeps_reviews_blind_until_the_reviewer_submitted(
    client, assigned, reviewer, second_reviewer, owner
):
    deliverable, first, second = assigned
    services.save_review(
        second_reviewer,
        second,
        recommendation=Recommendation.MAJOR_REVISION,
        comments="Secret comments of Bruno",
        submit=True,
    )
    services.save_review(reviewer, first, recommendation="", comments="Draft of Amina")
    client.force_login(reviewer)
    before = html(client.get(f"/deliverables/{deliverable.pk}/"))

    services.save_review(
        reviewer, first, recommendation=Recommendation.READY, comments="Fine", submit=True
    )
    after = html(client.get(f"/deliverables/{deliverable.pk}/"))
    client.force_login(owner)
    owner_page = html(client.get(f"/deliverables/{deliverable.pk}/"))

    assert "Secret comments of Bruno" not in before
    assert "Draft of Amina" in before
    assert "draft, only you see it" in before
    assert "Secret comments of Bruno" in after
    assert "Review by another reviewer" in after
    assert second_reviewer.get_full_name() not in after
    assert "Secret comments of Bruno" in owner_page
    assert f"Review by {second_reviewer.get_full_name()}" in owner_page


def _seed_round_rows(deliverable, owner, count: int, start: int) -> None:
    """`count` more reviewers with submitted reviews in the open round, versions and
    timeline entries: every list of the deliverable page grows."""
    from django.contrib.auth import get_user_model

    round_ = ReviewRound.objects.get(deliverable=deliverable, state=RoundState.OPEN)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"r{start + i}", first_name="R", last_name=str(start + i))
        for i in range(count)
    )
    assignments = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=round_,
            deliverable=deliverable,
            reviewer=user,
            due_date=TODAY,
            state=AssignmentState.SUBMITTED,
            assigned_by=owner,
        )
        for user in users
    )
    Review.objects.bulk_create(
        Review(
            assignment=a,
            recommendation=Recommendation.READY,
            comments="ok",
            status=ReviewStatus.SUBMITTED,
            submitted_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
        )
        for a in assignments
    )
    DeliverableHistory.objects.bulk_create(
        DeliverableHistory(
            deliverable=deliverable,
            assignment=a,
            actor=a.reviewer,
            action=DeliverableAction.ASSIGNMENT,
            from_state=AssignmentState.INVITED,
            to_state=AssignmentState.SUBMITTED,
        )
        for a in assignments
    )
    Version.objects.bulk_create(
        Version(
            deliverable=deliverable,
            number=100 + start + i,
            file=f"deliverables/{deliverable.pk}/v{100 + start + i}/draft.pdf",
            original_name="draft.pdf",
            content_type="application/pdf",
            size=10,
            uploaded_by=owner,
        )
        for i in range(count)
    )


@pytest.mark.django_db
def test_deliverable_page_runs_a_fixed_number_of_queries(
    client, in_review, owner, chief, django_assert_num_queries
):
    client.force_login(chief)
    _seed_round_rows(in_review, owner, 10, 0)
    with django_assert_num_queries(26):
        small = client.get(f"/deliverables/{in_review.pk}/")
    assert small.status_code == 200
    _seed_round_rows(in_review, owner, 190, 10)

    with django_assert_num_queries(26):
        large = client.get(f"/deliverables/{in_review.pk}/")
    assert large.status_code == 200

    assert ReviewAssignment.objects.filter(deliverable=in_review).count() == 200
    # ... the owner's next reminder: its deadline, the reminder policies, those sent; what
    # it draws on (knowledge links, incorporated contributions); whether it waits for the
    # chief's decision (`awaiting_decision`); its discussion (who may be mentioned, the
    # deliverable thread's messages, the review threads); the reviews' scores, the comments
    # for the chief, the reviewers' declarations, the open round's criteria
    # (`workflows.review_forms`)


# --- firing transitions -------------------------------------------------------------------


@pytest.mark.django_db
def test_transition_by_the_chief_moves_the_deliverable_and_says_so(
    client, assigned, chief, django_capture_on_commit_callbacks
):
    deliverable, _a, _b = assigned
    client.force_login(chief)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/deliverables/{deliverable.pk}/transition/",
            {"transition": "approve", "comment": "Good", "waiver_reason": "Board meets Monday"},
            follow=True,
        )

    assert response.redirect_chain == [(f"/deliverables/{deliverable.pk}/", 302)]
    assert state_of(deliverable) == S.APPROVED
    assert "Chapter 3: Digital services is approved. Next: publish it." in html(response)
    entry = DeliverableHistory.objects.filter(action=DeliverableAction.TRANSITION).last()
    assert (entry.comment, entry.summary) == ("Good", "Waiver: Board meets Monday")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "amina@example.org",
        "bruno@example.org",
        "staff@example.org",
    ]


@pytest.mark.django_db
def test_transition_missing_waiver_rerenders_with_the_typed_comment(
    client, assigned, chief, django_capture_on_commit_callbacks
):
    deliverable, _a, _b = assigned
    client.force_login(chief)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            f"/deliverables/{deliverable.pk}/transition/",
            {"transition": "approve", "comment": "Strong chapter, approve", "waiver_reason": ""},
        )
    page = html(response)

    assert response.status_code == 400
    assert state_of(deliverable) == S.IN_REVIEW
    assert callbacks == []
    assert mail.outbox == []
    assert "\nStrong chapter, approve</textarea>" in page
    assert "2 reviews are outstanding: give a reason to approve without them." in page
    assert 'aria-describedby="id_approve_waiver_reason_error"' in page
    assert 'href="#id_approve_waiver_reason"' in page


@pytest.mark.django_db
def test_transition_return_without_a_reason_is_refused(client, assigned, chief):
    deliverable, _a, _b = assigned
    client.force_login(chief)

    response = client.post(
        f"/deliverables/{deliverable.pk}/transition/",
        {"transition": "return_for_revision", "comment": "   "},
    )

    assert response.status_code == 400
    assert "Give a reason." in html(response)
    assert state_of(deliverable) == S.IN_REVIEW


@pytest.mark.django_db
def test_transition_is_403_for_a_colleague_and_404_for_other_branch_staff(
    client, assigned, colleague, other_branch_staff, django_capture_on_commit_callbacks
):
    deliverable, _a, _b = assigned
    data = {"transition": "cancel", "comment": "Stop"}
    statuses = []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for user in (colleague, other_branch_staff):
            client.force_login(user)
            statuses.append(
                client.post(f"/deliverables/{deliverable.pk}/transition/", data).status_code
            )

    assert statuses == [403, 404]
    assert state_of(deliverable) == S.IN_REVIEW
    assert DeliverableHistory.objects.filter(to_state=S.CANCELLED).count() == 0
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_transition_no_longer_possible_shows_a_clear_conflict_message(
    client, assigned, chief, django_capture_on_commit_callbacks
):
    deliverable, _a, _b = assigned
    services.fire_transition(chief, deliverable, "return_for_revision", comment="Rework")
    client.force_login(chief)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            f"/deliverables/{deliverable.pk}/transition/",
            {"transition": "approve", "comment": "", "waiver_reason": "x"},
            follow=True,
        )

    assert response.redirect_chain == [(f"/deliverables/{deliverable.pk}/", 302)]
    assert "“Approve” is not possible: the deliverable is now revising." in html(response)
    assert state_of(deliverable) == S.REVISING
    assert callbacks == []


@pytest.mark.django_db
def test_transition_page_is_post_only(client, assigned, chief):
    deliverable, _a, _b = assigned
    client.force_login(chief)

    response = client.get(f"/deliverables/{deliverable.pk}/transition/")

    assert response.status_code == 405


# --- due date ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_date_change_by_the_owner_is_audited(client, deliverable, owner):
    client.force_login(owner)

    response = client.post(
        f"/deliverables/{deliverable.pk}/due-date/",
        {"due_date": "2026-06-30", "reason": "Waiting for data"},
    )

    entry = DeliverableHistory.objects.get(action=DeliverableAction.DUE_DATE)
    assert response.status_code == 302
    assert Deliverable.objects.get(pk=deliverable.pk).due_date == datetime.date(2026, 6, 30)
    assert (entry.old_due_date, entry.new_due_date, entry.comment) == (
        datetime.date(2026, 5, 1),
        datetime.date(2026, 6, 30),
        "Waiting for data",
    )


@pytest.mark.django_db
def test_due_date_errors_keep_what_was_typed(client, deliverable, owner):
    client.force_login(owner)

    same_date = client.post(
        f"/deliverables/{deliverable.pk}/due-date/",
        {"due_date": "2026-05-01", "reason": "Nothing really"},
    )
    no_reason = client.post(
        f"/deliverables/{deliverable.pk}/due-date/", {"due_date": "2026-07-01", "reason": ""}
    )

    assert same_date.status_code == 400
    assert "That is already the due date." in html(same_date)
    assert "\nNothing really</textarea>" in html(same_date)
    assert no_reason.status_code == 400
    assert 'value="2026-07-01"' in html(no_reason)
    assert DeliverableHistory.objects.filter(action=DeliverableAction.DUE_DATE).count() == 0


@pytest.mark.django_db
def test_due_date_is_403_for_a_colleague_404_for_other_branch(
    client, deliverable, colleague, other_branch_staff
):
    statuses = []
    for user in (colleague, other_branch_staff):
        client.force_login(user)
        statuses.append(
            client.post(
                f"/deliverables/{deliverable.pk}/due-date/",
                {"due_date": "2026-06-30", "reason": "Mine"},
            ).status_code
        )

    assert statuses == [403, 404]
    assert Deliverable.objects.get(pk=deliverable.pk).due_date == datetime.date(2026, 5, 1)


# --- versions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_version_upload_by_the_owner_stores_the_file(client, deliverable, owner, settings):
    client.force_login(owner)

    response = client.post(
        f"/deliverables/{deliverable.pk}/versions/new/",
        {"file": pdf("My Draft.pdf"), "notes": "Ready for comments"},
    )

    version = Version.objects.get(deliverable=deliverable)
    assert response.status_code == 302
    assert (version.number, version.notes, version.content_type) == (
        1,
        "Ready for comments",
        "application/pdf",
    )
    assert (settings.MEDIA_ROOT / version.file.name).read_bytes() == PDF_BYTES


@pytest.mark.django_db
def test_version_upload_errors_are_shown_in_the_form_with_the_notes_kept(
    client, deliverable, owner, settings
):
    settings.UPLOAD_MAX_BYTES = 20
    client.force_login(owner)
    fake = SimpleUploadedFile("report.pdf", b"just text", content_type="application/pdf")

    wrong_type = client.post(
        f"/deliverables/{deliverable.pk}/versions/new/", {"file": fake, "notes": "Typed notes"}
    )
    too_large = client.post(f"/deliverables/{deliverable.pk}/versions/new/", {"file": pdf()})

    assert wrong_type.status_code == 400
    assert "This file is not a PDF, DOCX, ODT, XLSX or PPTX document (checked by content)." in html(
        wrong_type
    )
    assert "\nTyped notes</textarea>" in html(wrong_type)
    assert 'aria-describedby="id_upload_file_helptext id_upload_file_error"' in html(wrong_type)
    assert too_large.status_code == 400
    assert (
        "This upload is over the limit of 0 MB (all its files together); it was not received."
    ) in html(too_large)
    assert Version.objects.count() == 0


@pytest.mark.django_db
def test_version_upload_is_403_for_a_colleague_404_for_other_branch(
    client, deliverable, colleague, other_branch_staff
):
    statuses = []
    for user in (colleague, other_branch_staff):
        client.force_login(user)
        statuses.append(
            client.post(
                f"/deliverables/{deliverable.pk}/versions/new/", {"file": pdf()}
            ).status_code
        )

    assert statuses == [403, 404]
    assert Version.objects.count() == 0


@pytest.mark.django_db
def test_version_upload_in_review_gives_a_clear_message(client, in_review, owner):
    client.force_login(owner)

    response = client.post(
        f"/deliverables/{in_review.pk}/versions/new/", {"file": pdf()}, follow=True
    )

    assert (
        "A new version can be uploaded while planned, drafting or revising, not in review."
        in html(response)
    )
    assert Version.objects.filter(deliverable=in_review).count() == 1


@pytest.mark.django_db
def test_version_download_by_the_assigned_reviewer_is_an_attachment(client, assigned, reviewer):
    deliverable, _a, _b = assigned
    client.force_login(reviewer)

    response = client.get(download_url(deliverable))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="chapter-3-digital-services-v1.pdf"'
    )
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_version_download_is_404_for_unassigned_reviewer_and_other_branch_staff(
    client, assigned, unassigned_reviewer, other_branch_staff, focal_point, owner
):
    deliverable, _a, _b = assigned
    client.force_login(owner)
    allowed = client.get(download_url(deliverable))

    statuses = []
    for user in (unassigned_reviewer, other_branch_staff, focal_point):
        client.force_login(user)
        statuses.append(client.get(download_url(deliverable)).status_code)

    assert allowed.status_code == 200
    assert statuses == [404, 404, 404]


@pytest.mark.django_db
def test_version_download_is_404_once_the_assignment_is_withdrawn(
    client, assigned, reviewer, owner
):
    deliverable, first, _second = assigned
    client.force_login(reviewer)
    before = client.get(download_url(deliverable))
    services.withdraw_assignment(owner, first, reason="Changed plan")

    after = client.get(download_url(deliverable))

    assert before.status_code == 200
    assert after.status_code == 404


# --- choosing reviewers ----------------------------------------------------------------------


@pytest.fixture
def reviewer_pool(db):
    """Four CEPA members: an expert, a region expert, one away, one at their limit."""
    africa = Region.objects.get(code="africa")
    expert = person(Role.CEPA_MEMBER, username="expert", country="KEN")
    ReviewerProfile.objects.create(user=expert, themes="digital services, cybersecurity")
    regional = person(Role.CEPA_MEMBER, username="regional", country="SEN")
    ReviewerProfile.objects.create(user=regional, themes="open data").regions.add(africa)
    away = person(Role.CEPA_MEMBER, username="away", country="FRA")
    ReviewerProfile.objects.create(user=away, themes="digital services")
    AwayPeriod.objects.create(reviewer=away, start=TODAY - datetime.timedelta(days=1), end=TODAY)
    busy = person(Role.CEPA_MEMBER, username="busy", country="IND")
    ReviewerProfile.objects.create(user=busy, themes="digital services", max_assignments=0)
    return expert, regional, away, busy


@pytest.mark.django_db
def test_suggest_reviewers_ranks_by_expertise_then_load_and_marks_the_unavailable(
    in_review, owner, reviewer_pool, cepa_member, colleague
):
    suggestions = suggest_reviewers(in_review, today=TODAY)

    assert [s.user.username for s in suggestions] == [
        "expert",
        "regional",
        "amina",
        "colleague",
        "away",
        "busy",
    ]
    assert [(s.score, s.matched_themes, s.matched_regions) for s in suggestions[:2]] == [
        (2, ("digital services",), ()),
        (1, (), ("Africa",)),
    ]
    assert [(s.away, s.at_limit) for s in suggestions[-2:]] == [(True, False), (False, True)]
    assert owner not in [s.user for s in suggestions]


@pytest.mark.django_db
def test_suggest_reviewers_counts_load_and_leaves_out_those_already_assigned(
    in_review, owner, product, reviewer_pool, cepa_member, django_assert_num_queries
):
    expert, regional, _away, _busy = reviewer_pool
    other = new_deliverable(product, owner, title="Chapter 5")
    services.fire_transition(owner, other, "start_drafting")
    services.upload_version(owner, other, pdf())
    services.fire_transition(owner, other, "submit_for_review")
    services.assign_reviewers(owner, other, [regional], TODAY + datetime.timedelta(days=5))
    services.assign_reviewers(owner, in_review, [expert], TODAY + datetime.timedelta(days=5))

    loaded = Deliverable.objects.select_related("product").get(pk=in_review.pk)

    # the people, their profiles' regions, their away periods before the due date
    with django_assert_num_queries(3):
        suggestions = suggest_reviewers(loaded, today=TODAY)

    by_name = {s.user.username: s for s in suggestions}
    assert "expert" not in by_name
    assert (by_name["regional"].open_assignments, by_name["regional"].max_assignments) == (1, 3)
    assert by_name["amina"].open_assignments == 0


@pytest.mark.django_db
def test_assign_reviewers_page_lists_suggestions_with_marks(
    client, in_review, owner, reviewer_pool
):
    client.force_login(owner)

    response = client.get(f"/deliverables/{in_review.pk}/reviewers/")
    page = html(response)

    assert response.status_code == 200
    assert "<legend>Reviewers</legend>" in page
    assert page.count('type="checkbox" name="reviewers"') == 4
    assert '<strong class="tag tag--neutral">Away today</strong>' in page
    assert '<strong class="tag tag--at-risk">At their limit</strong>' in page
    assert "Themes: digital services" in page
    assert 'value="2026-03-23"' in page


def _seed_cepa_members(count: int, start: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"m{start + i}", first_name="M", last_name=str(start + i))
        for i in range(count)
    )
    group = Group.objects.get(name=Role.CEPA_MEMBER)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=u.pk, group_id=group.pk) for u in users
    )
    ReviewerProfile.objects.bulk_create(
        ReviewerProfile(user=u, themes="digital services, open data") for u in users
    )


@pytest.mark.django_db
def test_assign_reviewers_page_runs_a_fixed_number_of_queries(
    client, in_review, owner, django_assert_num_queries
):
    client.force_login(owner)
    _seed_cepa_members(10, 0)
    # ... and the chooser's search: its themes and regions, the people's away periods
    with django_assert_num_queries(13):
        small = client.get(f"/deliverables/{in_review.pk}/reviewers/")
    assert small.status_code == 200
    _seed_cepa_members(190, 10)

    with django_assert_num_queries(13):
        large = client.get(f"/deliverables/{in_review.pk}/reviewers/")
    assert large.status_code == 200


@pytest.mark.django_db
def test_assign_reviewers_page_assigns_several_at_once_and_mails_each(
    client, in_review, owner, reviewer_pool, django_capture_on_commit_callbacks
):
    expert, regional, _away, _busy = reviewer_pool
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/deliverables/{in_review.pk}/reviewers/",
            {"reviewers": [expert.pk, regional.pk], "due_date": "2026-03-20"},
        )

    assert response.status_code == 302
    assert sorted(
        ReviewAssignment.objects.filter(deliverable=in_review).values_list(
            "reviewer__username", "due_date"
        )
    ) == [("expert", datetime.date(2026, 3, 20)), ("regional", datetime.date(2026, 3, 20))]
    assert sorted(m.to[0] for m in mail.outbox) == ["expert@example.org", "regional@example.org"]


@pytest.mark.django_db
def test_assign_reviewers_errors_keep_the_choices_and_the_date(
    client, in_review, owner, reviewer_pool
):
    expert, _regional, _away, _busy = reviewer_pool
    client.force_login(owner)

    none_chosen = client.post(
        f"/deliverables/{in_review.pk}/reviewers/", {"due_date": "2026-03-20"}
    )
    past = client.post(
        f"/deliverables/{in_review.pk}/reviewers/",
        {"reviewers": [expert.pk], "due_date": "2026-03-01"},
    )

    assert none_chosen.status_code == 400
    assert "Choose at least one reviewer." in html(none_chosen)
    assert 'value="2026-03-20"' in html(none_chosen)
    assert past.status_code == 400
    assert "The due date is in the past." in html(past)
    assert f'value="{expert.pk}" id="id_reviewers_0" checked' in html(past)
    assert ReviewAssignment.objects.count() == 0


@pytest.mark.django_db
def test_assign_reviewers_is_403_for_a_colleague_404_for_other_branch(
    client,
    in_review,
    colleague,
    other_branch_staff,
    reviewer_pool,
    django_capture_on_commit_callbacks,
):
    expert, _regional, _away, _busy = reviewer_pool
    statuses = []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for user in (colleague, other_branch_staff):
            client.force_login(user)
            statuses.append(
                client.post(
                    f"/deliverables/{in_review.pk}/reviewers/",
                    {"reviewers": [expert.pk], "due_date": "2026-03-20"},
                ).status_code
            )

    assert statuses == [403, 404]
    assert ReviewAssignment.objects.count() == 0
    assert callbacks == []


@pytest.mark.django_db
def test_assign_reviewers_outside_review_redirects_with_a_message(client, deliverable, owner):
    client.force_login(owner)

    response = client.get(f"/deliverables/{deliverable.pk}/reviewers/", follow=True)

    assert response.redirect_chain == [(f"/deliverables/{deliverable.pk}/", 302)]
    assert "Reviewers are assigned while the deliverable is in review." in html(response)


@pytest.mark.django_db
def test_assignment_withdraw_by_the_owner_and_not_by_the_reviewer(
    client, assigned, owner, reviewer, unassigned_reviewer, django_capture_on_commit_callbacks
):
    _deliverable, first, second = assigned
    statuses = []

    with django_capture_on_commit_callbacks(execute=True):
        for user in (reviewer, unassigned_reviewer):
            client.force_login(user)
            statuses.append(client.post(f"/assignments/{first.pk}/withdraw/").status_code)
        denied_mail = list(mail.outbox)
        client.force_login(owner)
        allowed = client.post(f"/assignments/{second.pk}/withdraw/", {"reason": "Too busy"})

    assert statuses == [403, 404]
    assert denied_mail == []
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED
    assert allowed.status_code == 302
    assert ReviewAssignment.objects.get(pk=second.pk).state == AssignmentState.WITHDRAWN
    assert [m.to[0] for m in mail.outbox] == ["bruno@example.org"]


# --- my reviews ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_reviews_lists_overdue_first_then_by_due_date(
    client, product, owner, reviewer, second_reviewer
):
    due_dates = {"Soon": 10, "Late": -3, "Later": 30}
    for title, days in due_dates.items():
        d = new_deliverable(product, owner, title=title)
        services.fire_transition(owner, d, "start_drafting")
        services.upload_version(owner, d, pdf())
        services.fire_transition(owner, d, "submit_for_review")
        with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
            services.assign_reviewers(
                owner, d, [reviewer, second_reviewer], TODAY + datetime.timedelta(days=days)
            )
    client.force_login(reviewer)

    response = client.get("/reviews/")
    page = html(response)

    assert [a.deliverable.title for a in response.context["assignments"]] == [
        "Late",
        "Soon",
        "Later",
    ]
    assert {a.reviewer_id for a in response.context["assignments"]} == {reviewer.pk}
    assert page.count('<strong class="tag tag--overdue">Overdue</strong>') == 1
    assert page.count('<span class="due due--overdue">3 days overdue</span>') == 1
    assert page.count(">Accept</a>") == 3


@pytest.mark.django_db
def test_my_reviews_offers_download_only_while_the_reviewer_has_access(
    client, assigned, reviewer, owner
):
    deliverable, first, _second = assigned
    client.force_login(reviewer)
    before = html(client.get("/reviews/"))
    services.withdraw_assignment(owner, first)

    after = html(client.get("/reviews/"))

    assert f'href="{download_url(deliverable)}"' in before
    assert f'href="{download_url(deliverable)}"' not in after
    assert '<strong class="tag tag--withdrawn">Withdrawn</strong>' in after


def _seed_assignments(product, owner, reviewer, count: int, start: int) -> None:
    deliverables = Deliverable.objects.bulk_create(
        Deliverable(
            product=product,
            owner=owner,
            title=f"Deliverable {start + i}",
            kind=DeliverableKind.CHAPTER,
            due_date=TODAY,
        )
        for i in range(count)
    )
    versions = Version.objects.bulk_create(
        Version(
            deliverable=d,
            number=1,
            file=f"deliverables/{d.pk}/v1/draft.pdf",
            original_name="draft.pdf",
            content_type="application/pdf",
            size=10,
            uploaded_by=owner,
        )
        for d in deliverables
    )
    rounds = ReviewRound.objects.bulk_create(
        ReviewRound(deliverable=v.deliverable, version=v, number=1, opened_by=owner)
        for v in versions
    )
    states = list(AssignmentState)
    assignments = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=r,
            deliverable=r.deliverable,
            reviewer=reviewer,
            due_date=TODAY + datetime.timedelta(days=i % 7 - 3),
            state=states[i % len(states)],
            assigned_by=owner,
        )
        for i, r in enumerate(rounds)
    )
    Review.objects.bulk_create(
        Review(assignment=a, recommendation="ready", comments="x", status=ReviewStatus.DRAFT)
        for a in assignments[::2]
    )


@pytest.mark.django_db
def test_my_reviews_runs_a_fixed_number_of_queries(
    client, product, owner, reviewer, django_assert_num_queries
):
    client.force_login(reviewer)
    _seed_assignments(product, owner, reviewer, 10, 0)
    # ... and the viewer's profile, for their time zone.
    with django_assert_num_queries(8):
        small = client.get("/reviews/")
    assert small.status_code == 200
    _seed_assignments(product, owner, reviewer, 190, 10)

    with django_assert_num_queries(8):
        large = client.get("/reviews/")
    assert large.status_code == 200

    assert ReviewAssignment.objects.filter(reviewer=reviewer).count() == 200
    # session, user, roles, the header's unread count, the page's count and its rows, the
    # deadlines of the outstanding assignments (the seeded ones have none; with deadlines, the
    # reminder policies and the reminders sent make two more, whatever the count:
    # tests/notifications/test_next_reminder)


@pytest.mark.django_db
def test_my_reviews_is_paginated_overdue_first(client, product, owner, reviewer):
    client.force_login(reviewer)
    _seed_assignments(product, owner, reviewer, 60, 0)

    first = client.get("/reviews/")
    second = client.get("/reviews/?page=2")

    assert len(first.context["assignments"]) == 50
    assert len(second.context["assignments"]) == 10
    assert "Page 1 of 2" in first.content.decode()


# --- the review form ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_form_is_404_for_anyone_but_the_assigned_reviewer(
    client, assigned, owner, second_reviewer, unassigned_reviewer, other_branch_staff, reviewer
):
    _deliverable, first, _second = assigned
    client.force_login(reviewer)
    allowed = client.get(f"/reviews/{first.pk}/")

    statuses = []
    for user in (owner, second_reviewer, unassigned_reviewer, other_branch_staff):
        client.force_login(user)
        statuses.append(
            client.post(
                f"/reviews/{first.pk}/",
                {"recommendation": "ready", "comments": "Hijack", "action": "submit"},
            ).status_code
        )

    assert allowed.status_code == 200
    assert "<legend>Recommendation</legend>" in html(allowed)
    assert statuses == [404, 404, 404, 404]
    assert Review.objects.count() == 0
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED


@pytest.mark.django_db
def test_review_form_saves_a_draft_then_submits_and_shows_it_read_only(
    client, assigned, reviewer, django_capture_on_commit_callbacks
):
    _deliverable, first, _second = assigned
    client.force_login(reviewer)
    url = f"/reviews/{first.pk}/"

    client.post(url, {"recommendation": "", "comments": "Half done", "action": "save"})
    draft_page = html(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(
            url,
            {
                "recommendation": Recommendation.MINOR_REVISION,
                "comments": "All done",
                "annotated_file": pdf("notes.pdf"),
                "action": "submit",
            },
            follow=True,
        )

    review = Review.objects.get(assignment=first)
    assert "\nHalf done</textarea>" in draft_page
    assert submitted.redirect_chain == [(url, 302)]
    assert (review.status, review.recommendation, review.comments) == (
        ReviewStatus.SUBMITTED,
        Recommendation.MINOR_REVISION,
        "All done",
    )
    assert 'name="comments"' not in html(submitted)  # the discussion keeps its own textarea
    assert "<dd>Minor revision</dd>" in html(submitted)
    assert [m.to[0] for m in mail.outbox] == ["staff@example.org"]


@pytest.mark.django_db
def test_review_form_submission_errors_keep_everything_typed(client, assigned, reviewer):
    _deliverable, first, _second = assigned
    client.force_login(reviewer)

    response = client.post(
        f"/reviews/{first.pk}/",
        {"recommendation": Recommendation.NOT_READY, "comments": "   ", "action": "submit"},
    )
    bad_file = client.post(
        f"/reviews/{first.pk}/",
        {
            "recommendation": "",
            "comments": "My long comments",
            "annotated_file": SimpleUploadedFile("x.pdf", b"not a pdf"),
            "action": "save",
        },
    )
    page = html(response)

    assert response.status_code == 400
    assert "Write your comments before submitting." in page
    assert 'value="not_ready" id="id_recommendation_3" checked' in page
    assert bad_file.status_code == 400
    assert "\nMy long comments</textarea>" in html(bad_file)
    assert "choose the annotated file again" in html(bad_file)
    assert Review.objects.count() == 0
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED


@pytest.mark.django_db
def test_review_form_after_withdrawal_is_read_only(client, assigned, reviewer, owner):
    _deliverable, first, _second = assigned
    services.withdraw_assignment(owner, first)
    client.force_login(reviewer)

    response = client.post(
        f"/reviews/{first.pk}/",
        {"recommendation": "ready", "comments": "Late", "action": "submit"},
        follow=True,
    )

    assert "The assignment is withdrawn: the review can no longer change." in html(response)
    assert Review.objects.count() == 0


# --- accepting and declining ---------------------------------------------------------------------


NO_CONFLICT = {"declaration": "none"}


@pytest.mark.django_db
def test_assignment_accept_by_the_reviewer_only(
    client, assigned, reviewer, second_reviewer, unassigned_reviewer, owner
):
    _deliverable, first, _second = assigned
    statuses = []
    for user in (second_reviewer, unassigned_reviewer, owner):
        client.force_login(user)
        statuses.append(client.post(f"/reviews/{first.pk}/accept/", NO_CONFLICT).status_code)
    unchanged = ReviewAssignment.objects.get(pk=first.pk).state
    client.force_login(reviewer)

    accepted = client.post(f"/reviews/{first.pk}/accept/", NO_CONFLICT, follow=True)
    again = client.post(f"/reviews/{first.pk}/accept/", NO_CONFLICT, follow=True)

    assert statuses == [404, 404, 403]
    assert unchanged == AssignmentState.INVITED
    assert accepted.redirect_chain == [(f"/reviews/{first.pk}/", 302)]
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.ACCEPTED
    assert "The assignment is now accepted." in html(again)


@pytest.mark.django_db
def test_assignment_decline_form_keeps_input_then_declines_with_a_conflict(
    client, assigned, reviewer, django_capture_on_commit_callbacks
):
    deliverable, first, _second = assigned
    client.force_login(reviewer)
    url = f"/reviews/{first.pk}/decline/"

    form_page = html(client.get(url))
    missing = client.post(url, {"reason": "", "conflict_of_interest": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        declined = client.post(
            url, {"reason": "I advised the author", "conflict_of_interest": "on"}
        )

    assignment = ReviewAssignment.objects.get(pk=first.pk)
    assert '<label for="id_conflict_of_interest">I have a conflict of interest</label>' in form_page
    assert missing.status_code == 400
    assert 'name="conflict_of_interest" id="id_conflict_of_interest" checked' in html(missing)
    assert declined.status_code == 302
    assert (assignment.state, assignment.decline_reason, assignment.conflict_of_interest) == (
        AssignmentState.DECLINED,
        "I advised the author",
        True,
    )
    assert [m.to[0] for m in mail.outbox] == ["staff@example.org"]
    assert client.get(download_url(deliverable)).status_code == 404


@pytest.mark.django_db
def test_assignment_decline_is_404_for_another_reviewer(
    client, assigned, second_reviewer, unassigned_reviewer, django_capture_on_commit_callbacks
):
    _deliverable, first, _second = assigned
    statuses = []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for user in (second_reviewer, unassigned_reviewer):
            client.force_login(user)
            statuses.append(
                client.post(f"/reviews/{first.pk}/decline/", {"reason": "No"}).status_code
            )

    assert statuses == [404, 404]
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED
    assert callbacks == []


# --- annotated files ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_annotated_download_follows_the_blind_rules(
    client, assigned, reviewer, second_reviewer, owner, other_branch_staff
):
    _deliverable, first, second = assigned
    services.save_review(
        reviewer,
        first,
        recommendation=Recommendation.READY,
        comments="See file",
        annotated_file=pdf("marked.pdf"),
        submit=True,
    )
    url = f"/reviews/{first.pk}/annotated/"
    results = {}
    for user in (reviewer, owner, second_reviewer, other_branch_staff):
        client.force_login(user)
        results[user.username] = client.get(url).status_code
    services.save_review(
        second_reviewer, second, recommendation=Recommendation.READY, comments="Ok", submit=True
    )

    client.force_login(second_reviewer)
    after_own_review = client.get(url)

    assert results == {"amina": 200, "staff": 200, "bruno": 404, "pacb_staff": 404}
    assert after_own_review.status_code == 200
    assert after_own_review["Content-Disposition"] == (
        'attachment; filename="chapter-3-digital-services-annotated-review-v1.pdf"'
    )


@pytest.mark.django_db
def test_annotated_download_is_404_without_a_file_or_for_a_draft_seen_by_the_owner(
    client, assigned, reviewer, owner
):
    _deliverable, first, _second = assigned
    services.save_review(
        reviewer, first, recommendation="", comments="x", annotated_file=pdf("draft-notes.pdf")
    )
    client.force_login(owner)
    owner_status = client.get(f"/reviews/{first.pk}/annotated/").status_code
    client.force_login(reviewer)

    own = client.get(f"/reviews/{first.pk}/annotated/")
    missing = client.get("/reviews/999999/annotated/")

    assert owner_status == 404
    assert own.status_code == 200
    assert missing.status_code == 404


@pytest.mark.django_db
def test_round_state_is_closed_after_approval(client, assigned, chief):
    deliverable, _a, _b = assigned
    client.force_login(chief)

    client.post(
        f"/deliverables/{deliverable.pk}/transition/",
        {"transition": "approve", "comment": "", "waiver_reason": "Urgent"},
    )
    page = html(client.get(f"/deliverables/{deliverable.pk}/"))

    assert ReviewRound.objects.get(deliverable=deliverable).state == RoundState.CLOSED
    assert 'Round 1 on version 1 <strong class="tag tag--closed">Closed</strong>' in page
    assert "/withdraw/" not in page


# --- filters, and destructive actions on confirmation pages -------------------------------


@pytest.mark.django_db
def test_deliverable_list_leaves_the_filter_panel_out_for_a_single_row(client, product, owner):
    new_deliverable(product, owner, title="Only one")
    client.force_login(owner)

    alone = html(client.get("/deliverables/"))
    new_deliverable(product, owner, title="Second")
    two = html(client.get("/deliverables/"))
    filtered = client.get("/deliverables/?owner=me")

    assert '<details class="filter-panel"' not in alone
    assert '<details class="filter-panel">' in two
    assert '<details class="filter-panel" open>' in html(filtered)
    assert "<title>Deliverables" in html(filtered)  # ignored filters are no error


@pytest.mark.django_db
def test_deliverable_cancel_goes_through_a_confirmation_page(
    client, assigned, chief, django_capture_on_commit_callbacks
):
    deliverable, _a, _b = assigned
    client.force_login(chief)

    page = html(client.get(f"/deliverables/{deliverable.pk}/"))
    confirm = client.get(f"/deliverables/{deliverable.pk}/cancel/")
    no_reason = client.post(f"/deliverables/{deliverable.pk}/cancel/", {"transition": "cancel"})
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/deliverables/{deliverable.pk}/cancel/",
            {"transition": "cancel", "comment": "Merged into chapter 2"},
        )

    # the deliverable page only links to the confirmation page: no form fires it there
    assert f'href="/deliverables/{deliverable.pk}/cancel/"' in page
    assert 'name="transition" value="cancel"' not in page
    assert confirm.status_code == 200
    assert (
        '<button type="submit" class="button button--warning">Cancel the deliverable</button>'
        in html(confirm)
    )
    assert no_reason.status_code == 400
    assert "<title>Error: Cancel" in html(no_reason)
    assert "Give a reason." in html(no_reason)
    assert done.status_code == 302
    assert state_of(deliverable) == S.CANCELLED


@pytest.mark.django_db
def test_deliverable_cancel_is_refused_to_a_colleague_and_changes_nothing(
    client, assigned, colleague
):
    deliverable, _a, _b = assigned
    client.force_login(colleague)

    page = client.get(f"/deliverables/{deliverable.pk}/")
    confirm = client.get(f"/deliverables/{deliverable.pk}/cancel/")
    posted = client.post(
        f"/deliverables/{deliverable.pk}/cancel/", {"transition": "cancel", "comment": "No"}
    )

    assert page.context["can_cancel"] is False
    assert "/cancel/" not in html(page)
    assert [confirm.status_code, posted.status_code] == [403, 403]
    assert state_of(deliverable) == S.IN_REVIEW
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("final", ["approved", "published"])
def test_deliverable_cancel_is_not_offered_nor_accepted_once_approved(
    client, assigned, chief, final
):
    # given an approved (and then maybe published) deliverable: the decision stands
    deliverable, _a, _b = assigned
    services.fire_transition(chief, deliverable, "approve", waiver_reason="Urgent")
    if final == "published":
        services.fire_transition(chief, deliverable, "publish")
    client.force_login(chief)
    mail.outbox.clear()

    page = client.get(f"/deliverables/{deliverable.pk}/")
    confirm = client.get(f"/deliverables/{deliverable.pk}/cancel/", follow=True)
    posted = client.post(
        f"/deliverables/{deliverable.pk}/cancel/",
        {"transition": "cancel", "comment": "Too late"},
        follow=True,
    )

    assert page.context["can_cancel"] is False
    assert "/cancel/" not in html(page)
    assert page.context["decision_form"] is None
    assert confirm.redirect_chain == [(f"/deliverables/{deliverable.pk}/", 302)]
    assert f"“Cancel deliverable” is not possible: the deliverable is now {final}." in html(confirm)
    assert posted.redirect_chain == [(f"/deliverables/{deliverable.pk}/", 302)]
    assert state_of(deliverable) == final
    assert mail.outbox == []


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_assignment_withdraw_asks_for_confirmation_first(client, assigned, owner, reviewer):
    _deliverable, first, _second = assigned
    client.force_login(reviewer)
    refused = client.get(f"/assignments/{first.pk}/withdraw/")
    client.force_login(owner)

    confirm = client.get(f"/assignments/{first.pk}/withdraw/")

    assert refused.status_code == 403
    assert confirm.status_code == 200
    assert (
        f'<button type="submit" class="button button--warning">Withdraw '
        f"{reviewer.get_full_name()}</button>"
    ) in html(confirm)
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.INVITED
    assert mail.outbox == []
