"""The admin shows every workflows record, never edits a deliverable's state, and moves
deliverables only through the same service as the pages and the API."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from notifications.models import Deadline
from tests.factories import PDF_BYTES, branch, person
from workflows import services
from workflows.deadlines import WorkflowDeadline
from workflows.enums import (
    AssignmentState,
    DeliverableAction,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
)
from workflows.models import (
    AwayPeriod,
    Deliverable,
    DeliverableHistory,
    Product,
    ReviewAssignment,
    ReviewerProfile,
)

S = DeliverableState
MODELS = [
    "product",
    "deliverable",
    "version",
    "reviewround",
    "reviewassignment",
    "review",
    "deliverablehistory",
    "reviewerprofile",
    "awayperiod",
]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(staff, chief, cepa_member):
    """A deliverable in review with a version, a round, a submitted review and a reviewer
    profile with an away period: one object of every workflows model."""
    product = services.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
    )
    deliverable = services.create_deliverable(
        staff,
        product=product,
        owner=staff,
        title="Chapter 3",
        kind=DeliverableKind.CHAPTER,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.fire_transition(staff, deliverable, "start_drafting")
    upload = SimpleUploadedFile("draft.pdf", PDF_BYTES, content_type="application/pdf")
    version = services.upload_version(staff, deliverable, upload)
    services.fire_transition(staff, deliverable, "submit_for_review")
    due = timezone.localdate() + datetime.timedelta(days=14)
    (assignment,) = services.assign_reviewers(staff, deliverable, [cepa_member], due)
    review = services.save_review(
        cepa_member,
        assignment,
        recommendation=Recommendation.READY,
        comments="Fine.",
        submit=True,
    )
    profile = ReviewerProfile.objects.create(user=cepa_member, themes="open data")
    away = AwayPeriod.objects.create(reviewer=cepa_member, start=due, end=due)
    return {
        "product": product,
        "deliverable": Deliverable.objects.get(pk=deliverable.pk),
        "version": version,
        "reviewround": assignment.round,
        "reviewassignment": assignment,
        "review": review,
        "deliverablehistory": DeliverableHistory.objects.filter(deliverable=deliverable).first(),
        "reviewerprofile": profile,
        "awayperiod": away,
    }


def logged_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def state_of(deliverable) -> str:
    return Deliverable.objects.values_list("state", flat=True).get(pk=deliverable.pk)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def run_action(client, action: str, objects, **extra):
    model = objects[0]._meta.model_name
    return client.post(
        reverse(f"admin:workflows_{model}_changelist"),
        {
            "action": action,
            helpers.ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects],
            "index": "0",
            **extra,
        },
        follow=True,
    )


# --- who opens what ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "secretariat_admin"])
@pytest.mark.parametrize("model", MODELS)
def test_admin_pages_open_for_admins(request, client, world, who, model):
    # given an admin logged in
    logged_in(client, request.getfixturevalue(who))
    obj = world[model]

    # when they open the list and the object's page
    listing = client.get(reverse(f"admin:workflows_{model}_changelist"))
    page = client.get(reverse(f"admin:workflows_{model}_change", args=[obj.pk]))

    # then both answer 200
    assert (listing.status_code, page.status_code) == (200, 200)


def test_admin_deliverable_page_has_no_state_field_and_links_no_file(client, world, superuser):
    logged_in(client, superuser)

    response = client.get(
        reverse("admin:workflows_deliverable_change", args=[world["deliverable"].pk])
    )

    form = response.context["adminform"].form
    assert "state" not in form.fields
    assert "due_date" not in form.fields
    assert sorted(form.fields) == ["description", "kind", "owner", "product", "title"]
    assert "draft.pdf" in response.content.decode()
    assert world["version"].file.url not in response.content.decode()


def test_admin_records_written_by_services_cannot_be_added_or_changed(client, world, superuser):
    logged_in(client, superuser)

    for model in ["version", "reviewround", "review", "deliverablehistory", "reviewassignment"]:
        assert client.get(reverse(f"admin:workflows_{model}_add")).status_code == 403


def test_admin_changelists_are_refused_to_branch_staff(client, world, staff):
    logged_in(client, staff)

    response = client.get(reverse("admin:workflows_deliverable_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- state is never edited directly ---------------------------------------------------------


def change_form_data(response) -> dict:
    """What the admin's change form would post as it stands (fields and inline formsets)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def test_admin_post_setting_state_directly_changes_nothing_but_the_fields(client, world, superuser):
    # given the deliverable in review, and its change form
    deliverable = world["deliverable"]
    logged_in(client, superuser)
    url = reverse("admin:workflows_deliverable_change", args=[deliverable.pk])
    data = change_form_data(client.get(url))
    audit_before = DeliverableHistory.objects.filter(deliverable=deliverable).count()

    # when a POST tries to set the state (and due date) and edits the title
    data.update(
        title="Chapter 3 (renamed)",
        state=S.PUBLISHED,
        due_date="2031-01-01",
        _save="Save",
    )
    response = client.post(url, data)

    # then the title changed, the state and due date did not, and the only history line
    # is the edit (no state or due date change), by the superuser
    assert response.status_code == 302
    stored = Deliverable.objects.get(pk=deliverable.pk)
    assert (stored.title, stored.state, stored.due_date) == (
        "Chapter 3 (renamed)",
        S.IN_REVIEW,
        deliverable.due_date,
    )
    added = [
        (line.action, line.actor_id, line.from_state, line.to_state, line.comment, line.summary)
        for line in DeliverableHistory.objects.filter(deliverable=deliverable).order_by("pk")[
            audit_before:
        ]
    ]
    # what changed is a note, read in each reader's language
    assert added == [(DeliverableAction.EDITED, superuser.pk, "", "", "", "Changed: title.")]


def test_admin_change_form_refuses_an_owner_from_another_branch(
    client, world, superuser, other_branch_staff
):
    deliverable = world["deliverable"]
    logged_in(client, superuser)
    url = reverse("admin:workflows_deliverable_change", args=[deliverable.pk])
    data = change_form_data(client.get(url))

    audit_before = DeliverableHistory.objects.filter(deliverable=deliverable).count()
    data.update(owner=other_branch_staff.pk, title="Chapter 3 (theirs)", _save="Save")
    response = client.post(url, data)

    # the hand-over check of the service refuses it, with its message, and nothing changes
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "owner": ["The owner must be a member of the product's branch."]
    }
    stored = Deliverable.objects.get(pk=deliverable.pk)
    assert (stored.owner, stored.title) == (world["deliverable"].owner, "Chapter 3")
    assert DeliverableHistory.objects.filter(deliverable=deliverable).count() == audit_before


def test_admin_hand_over_goes_through_the_service_with_history(client, world, superuser, chief):
    # given the deliverable owned by the staff member
    deliverable = world["deliverable"]
    logged_in(client, superuser)
    url = reverse("admin:workflows_deliverable_change", args=[deliverable.pk])
    data = change_form_data(client.get(url))

    # when the superuser gives it to the chief of its branch
    data.update(owner=chief.pk, _save="Save")
    response = client.post(url, data)

    # then the chief owns it, the history says so, and the chief now owes it
    assert response.status_code == 302
    assert Deliverable.objects.get(pk=deliverable.pk).owner == chief
    entry = DeliverableHistory.objects.filter(deliverable=deliverable).last()
    assert (entry.action, entry.actor, entry.comment, entry.summary) == (
        DeliverableAction.EDITED,
        superuser,
        "",
        f"Handed over to {chief.get_full_name() or chief.username}.",
    )
    owes = Deadline.objects.filter(
        kind=WorkflowDeadline.DELIVERABLE, object_id=deliverable.pk, done_at__isnull=True
    )
    assert list(owes.values_list("user", flat=True)) == [chief.pk]


def test_admin_edit_by_an_admin_the_rules_refuse_changes_nothing(client, world):
    # given a staff admin user who is the chief of another branch
    deliverable = world["deliverable"]
    other_chief = person(
        Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb", is_staff=True
    )
    other_chief.user_permissions.add(Permission.objects.get(codename="change_deliverable"))
    logged_in(client, other_chief)
    url = reverse("admin:workflows_deliverable_change", args=[deliverable.pk])
    data = change_form_data(client.get(url))
    audit_before = DeliverableHistory.objects.filter(deliverable=deliverable).count()

    # when they rename a deliverable of the e-Government Branch
    data.update(title="Renamed elsewhere", _save="Save")
    response = client.post(url, data)

    # then the service's rule refuses it on the form, and nothing changed
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["Only the owner or the chief edits the deliverable."]
    }
    assert Deliverable.objects.get(pk=deliverable.pk).title == "Chapter 3"
    assert DeliverableHistory.objects.filter(deliverable=deliverable).count() == audit_before


def planned(owner, product, title: str) -> Deliverable:
    """A new deliverable nothing has happened to yet (the admin deletes only those: it never
    deletes the records written about one)."""
    return services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title=title,
        kind=DeliverableKind.CHAPTER,
        due_date=timezone.localdate() + datetime.timedelta(days=60),
    )


def test_admin_delete_goes_through_the_service(client, world, superuser, staff, monkeypatch):
    # given a planned deliverable, owed by its owner
    deliverable = planned(staff, world["product"], "Chapter 7")
    calls = []
    delete = services.delete_deliverable

    def spy(actor, target):
        calls.append((actor, target.pk))
        return delete(actor, target)

    monkeypatch.setattr(services, "delete_deliverable", spy)
    logged_in(client, superuser)

    # when the superuser deletes it in the admin
    response = client.post(
        reverse("admin:workflows_deliverable_delete", args=[deliverable.pk]), {"post": "yes"}
    )

    # then the service deleted it and nothing of it is owed any more
    assert response.status_code == 302
    assert calls == [(superuser, deliverable.pk)]
    assert not Deliverable.objects.filter(pk=deliverable.pk).exists()
    assert not Deadline.objects.filter(
        kind=WorkflowDeadline.DELIVERABLE, object_id=deliverable.pk, done_at__isnull=True
    ).exists()


def test_delete_of_a_deliverable_with_review_rounds_is_a_conflict(world, superuser):
    deliverable = world["deliverable"]

    with pytest.raises(ServiceConflict) as caught:
        services.delete_deliverable(superuser, deliverable)

    assert caught.value.message == (
        "Records depend on this deliverable (review rounds, contributions): it cannot be "
        "deleted. Cancel it instead."
    )
    assert Deliverable.objects.filter(pk=deliverable.pk).exists()


def test_admin_delete_is_not_offered_to_an_admin_the_rules_refuse(client, world):
    deliverable = world["deliverable"]
    other_chief = person(
        Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb", is_staff=True
    )
    other_chief.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_deliverable", "delete_deliverable"])
    )
    logged_in(client, other_chief)
    url = reverse("admin:workflows_deliverable_delete", args=[deliverable.pk])

    page = client.get(reverse("admin:workflows_deliverable_change", args=[deliverable.pk]))
    response = client.post(url, {"post": "yes"})

    assert page.context["has_delete_permission"] is False
    assert response.status_code == 403
    assert Deliverable.objects.filter(pk=deliverable.pk).exists()


def test_admin_bulk_delete_asks_the_rule_for_each_deliverable(client, world, staff, monkeypatch):
    # given an admin allowed to delete deliverables of the e-Government Branch only
    deliverable = planned(staff, world["product"], "Chapter 7")
    admin_chief = person(
        Role.BRANCH_CHIEF, username="egov_chief", branch_code="e-govb", is_staff=True
    )
    admin_chief.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_deliverable", "delete_deliverable"])
    )
    pacb_product = services.create_product(
        person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb"),
        branch=branch("pacb"),
        kind=ProductKind.GUIDELINE,
        title="Public service guidelines",
    )
    pacb_staff = person(Role.BRANCH_STAFF, username="pacb_staff", branch_code="pacb")
    elsewhere = planned(pacb_staff, pacb_product, "Guideline 1")
    logged_in(client, admin_chief)

    # when they delete both with the admin's bulk action: refused as a whole
    refused = run_action(client, "delete_selected", [deliverable, elsewhere], post="yes")
    titles_after_refusal = sorted(Deliverable.objects.values_list("title", flat=True))
    # and their own branch's alone: deleted through the service
    done = run_action(client, "delete_selected", [deliverable], post="yes")

    assert refused.status_code == 403
    assert titles_after_refusal == ["Chapter 3", "Chapter 7", "Guideline 1"]
    assert done.status_code == 200
    assert texts(done) == ["Successfully deleted 1 deliverable."]
    assert sorted(Deliverable.objects.values_list("title", flat=True)) == [
        "Chapter 3",
        "Guideline 1",
    ]


def test_admin_add_deliverable_goes_through_the_service(client, world, superuser, staff):
    logged_in(client, superuser)

    response = client.post(
        reverse("admin:workflows_deliverable_add"),
        {
            "product": world["product"].pk,
            "title": "Chapter 4",
            "kind": DeliverableKind.CHAPTER,
            "owner": staff.pk,
            "due_date": "2031-06-30",
            "description": "",
            "state": S.PUBLISHED,
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "rounds-TOTAL_FORMS": "0",
            "rounds-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    created = Deliverable.objects.get(title="Chapter 4")
    assert (created.state, created.owner, created.due_date) == (
        S.PLANNED,
        staff,
        datetime.date(2031, 6, 30),
    )


# --- actions go through the service ---------------------------------------------------------


def test_admin_approve_action_fires_the_transition_and_audits_it(client, world, superuser):
    # given a deliverable in review whose only review is submitted
    deliverable = world["deliverable"]
    logged_in(client, superuser)

    # when the superuser (allowed to decide by rules.can_decide) approves it in the admin
    response = run_action(client, "fire_approve", [deliverable])

    # then it is approved, audited with the superuser as actor, and reported
    assert response.status_code == 200
    assert state_of(deliverable) == S.APPROVED
    entry = DeliverableHistory.objects.filter(
        deliverable=deliverable, action=DeliverableAction.TRANSITION
    ).last()
    assert (entry.from_state, entry.to_state, entry.actor) == (S.IN_REVIEW, S.APPROVED, superuser)
    assert texts(response) == ["Approve: 1 deliverable done."]


def test_admin_cancel_action_needs_a_comment_like_everywhere(client, world, superuser):
    deliverable = world["deliverable"]
    logged_in(client, superuser)

    refused = run_action(client, "fire_cancel", [deliverable])
    assert texts(refused) == ["Chapter 3: Give a reason."]
    assert state_of(deliverable) == S.IN_REVIEW

    done = run_action(client, "fire_cancel", [deliverable], comment="Out of scope.")
    assert texts(done) == ["Cancel deliverable: 1 deliverable done."]
    assert state_of(deliverable) == S.CANCELLED
    entry = DeliverableHistory.objects.filter(
        deliverable=deliverable, action=DeliverableAction.TRANSITION
    ).last()
    assert (entry.to_state, entry.comment) == (S.CANCELLED, "Out of scope.")


def test_admin_action_reports_each_object_that_cannot_move(client, world, superuser, staff):
    # given one deliverable in review and one still planned
    deliverable = world["deliverable"]
    planned = services.create_deliverable(
        staff,
        product=world["product"],
        owner=staff,
        title="Chapter 9",
        kind=DeliverableKind.CHAPTER,
        due_date=timezone.localdate() + datetime.timedelta(days=90),
    )
    logged_in(client, superuser)

    # when both are published
    response = run_action(client, "fire_publish", [deliverable, planned])

    # then neither moves and each gets its own error
    assert texts(response) == [
        "Chapter 3: “Publish” is not possible: the deliverable is now in review.",
        "Chapter 9: “Publish” is not possible: the deliverable is now planned.",
    ]
    assert (state_of(deliverable), state_of(planned)) == (S.IN_REVIEW, S.PLANNED)


def test_admin_action_refused_by_the_rules_changes_nothing(client, world):
    # given staff admin users who are chiefs of another branch
    deliverable = world["deliverable"]
    other_chief = person(
        Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb", is_staff=True
    )
    logged_in(client, other_chief)
    audit_before = DeliverableHistory.objects.filter(deliverable=deliverable).count()

    # when they approve a deliverable of the e-Government Branch in the admin
    response = run_action(client, "fire_approve", [deliverable])

    # then the service refuses, as it would on the pages
    assert texts(response) == ["Chapter 3: You may not “Approve” this deliverable."]
    assert state_of(deliverable) == S.IN_REVIEW
    assert DeliverableHistory.objects.filter(deliverable=deliverable).count() == audit_before


def test_admin_actions_are_not_offered_to_view_only_admins(client, world, secretariat_admin):
    logged_in(client, secretariat_admin)

    response = client.get(reverse("admin:workflows_deliverable_changelist"))

    assert response.context["action_form"] is None
    run_action(client, "fire_approve", [world["deliverable"]])
    assert state_of(world["deliverable"]) == S.IN_REVIEW


def test_admin_withdraw_action_goes_through_the_service(client, world, superuser, staff):
    # given an invited assignment in a fresh round
    deliverable = world["deliverable"]
    reviewer = person(Role.CEPA_MEMBER, username="bruno", country="BRA")
    due = timezone.localdate() + datetime.timedelta(days=7)
    (assignment,) = services.assign_reviewers(staff, deliverable, [reviewer], due)
    logged_in(client, superuser)

    # when the superuser withdraws it in the admin
    response = run_action(client, "withdraw_selected", [assignment], comment="Not needed.")

    # then it is withdrawn and the permission revoked, as in the pages
    assert texts(response) == ["1 assignment withdrawn."]
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == AssignmentState.WITHDRAWN
    assert not reviewer.has_perm("workflows.view_deliverable", deliverable)
    entry = DeliverableHistory.objects.filter(assignment=assignment).last()
    assert (entry.to_state, entry.comment, entry.actor) == (
        AssignmentState.WITHDRAWN,
        "Not needed.",
        superuser,
    )


def test_admin_product_can_be_edited(client, world, superuser):
    product = world["product"]
    logged_in(client, superuser)
    url = reverse("admin:workflows_product_change", args=[product.pk])
    data = change_form_data(client.get(url))

    data.update(edition="2028", _save="Save")
    response = client.post(url, data)

    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).edition == "2028"
