"""The chief's decisions: "Ready for your decision" (when the last review of a round is in,
or by the beat once the missing ones are past due, once per round), the one decision form
of the deliverable page, cancelling never once approved, the step list, the actions not
possible yet and the plain-word messages after each action."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied

from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from notifications.enums import Delivery
from notifications.kinds import NOTIFICATION_KINDS
from notifications.models import Notification
from notifications.services import preferences_of, set_preferences
from tests.factories import branch, pdf, person
from workflows import services, tasks
from workflows.enums import DeliverableState, ProductKind, Recommendation
from workflows.models import Deliverable, ReviewRound
from workflows.notices import WorkflowNotice

pytestmark = pytest.mark.django_db

S = DeliverableState
TODAY = datetime.date(2026, 3, 2)
DUE = TODAY + datetime.timedelta(days=14)
READY = WorkflowNotice.DECISION_READY


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def chief(db):
    return person(
        Role.BRANCH_CHIEF,
        username="chief",
        first_name="Vincenzo",
        last_name="Aquaro",
        branch_code="e-govb",
    )


@pytest.fixture
def owner(db):
    return person(
        Role.BRANCH_STAFF,
        username="elena",
        first_name="Elena",
        last_name="Marchetti",
        branch_code="e-govb",
    )


@pytest.fixture
def amina(db):
    return person(
        Role.CEPA_MEMBER, username="amina", first_name="Amina", last_name="Mensah", country="GHA"
    )


@pytest.fixture
def bruno(db):
    return person(
        Role.CEPA_MEMBER, username="bruno", first_name="Bruno", last_name="Costa", country="BRA"
    )


@pytest.fixture
def other_chief(db):
    return person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb")


@pytest.fixture
def deliverable(chief, owner):
    product = services.create_product(
        chief, branch=branch("e-govb"), kind=ProductKind.SURVEY, title="Survey", edition="2026"
    )
    return services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title="Methodology annex",
        kind="chapter",
        due_date=TODAY + datetime.timedelta(days=60),
    )


@pytest.fixture
def in_review(deliverable, owner):
    services.fire_transition(owner, deliverable, "start_drafting")
    services.upload_version(owner, deliverable, pdf())
    services.fire_transition(owner, deliverable, "submit_for_review")
    return Deliverable.objects.get(pk=deliverable.pk)


@pytest.fixture
def assigned(in_review, owner, amina, bruno):
    first, second = services.assign_reviewers(owner, in_review, [amina, bruno], DUE)
    return in_review, first, second


def submit(reviewer, assignment, recommendation=Recommendation.READY):
    return services.save_review(
        reviewer, assignment, recommendation=recommendation, comments="Comments.", submit=True
    )


def ready_notices() -> list[tuple[str, str, str]]:
    return [
        (n.user.username, n.subject, n.body)
        for n in Notification.objects.filter(kind=READY).select_related("user").order_by("pk")
    ]


# --- the notification kind ---------------------------------------------------------------


def test_ready_for_your_decision_is_a_kind_people_choose_how_it_reaches_them(chief):
    set_preferences(chief, {READY: Delivery.DIGEST})

    assert NOTIFICATION_KINDS.label(READY) == "Ready for your decision"
    assert preferences_of(chief)[READY] == Delivery.DIGEST


# --- when the last review is in ----------------------------------------------------------


def test_last_review_submitted_tells_the_chief_with_names_and_recommendations(
    assigned, amina, bruno, other_chief, django_capture_on_commit_callbacks
):
    _deliverable, first, second = assigned
    submit(amina, first, Recommendation.READY)
    after_first = ready_notices()

    with django_capture_on_commit_callbacks(execute=True):
        submit(bruno, second, Recommendation.MINOR_REVISION)

    assert after_first == []
    assert ready_notices() == [
        (
            "chief",
            "Ready for your decision: Methodology annex",
            "Every review of “Methodology annex” (round 1) is in. Approve it or return it for "
            "revision.\n\n– Bruno Costa: Minor revision\n– Amina Mensah: Ready",
        )
    ]
    assert [m.subject for m in mail.outbox if m.to == ["chief@example.org"]] == [
        "Ready for your decision: Methodology annex"
    ]
    assert ReviewRound.objects.get().decision_requested_at == at(TODAY)


def test_owner_is_told_who_submitted_and_what_they_recommend(assigned, amina):
    _deliverable, first, _second = assigned

    submit(amina, first, Recommendation.MAJOR_REVISION)

    notice = Notification.objects.get(kind=WorkflowNotice.REVIEW_SUBMITTED)
    assert (notice.user.username, notice.body) == (
        "elena",
        "Amina Mensah submitted their review of “Methodology annex”. "
        "Recommendation: Major revision.",
    )


@pytest.mark.parametrize("drops_out", ["declines", "is withdrawn"])
def test_the_last_reviewer_dropping_out_tells_the_chief_at_once(
    assigned, amina, bruno, owner, drops_out
):
    _deliverable, first, second = assigned
    submit(amina, first, Recommendation.READY)
    assert ready_notices() == []

    if drops_out == "declines":
        services.decline_assignment(bruno, second, "No time this month.")
    else:
        services.withdraw_assignment(owner, second, "Enough reviews.")

    assert [(user, subject) for user, subject, _body in ready_notices()] == [
        ("chief", "Ready for your decision: Methodology annex")
    ]
    assert "Amina Mensah: Ready" in ready_notices()[0][2]


def test_ready_notice_is_written_in_the_chiefs_language(assigned, amina, bruno, chief):
    chief.profile.language = "fr"
    chief.profile.save()
    _deliverable, first, second = assigned
    submit(amina, first)

    submit(bruno, second, Recommendation.NOT_READY)

    (notice,) = Notification.objects.filter(kind=READY)
    assert notice.subject == "Prêt pour votre décision\u00a0: Methodology annex"
    assert notice.body.endswith("– Bruno Costa\u00a0: Pas prêt\n– Amina Mensah\u00a0: Prêt")


# --- the beat: missing reviews past due ----------------------------------------------------


def test_sweep_tells_the_chief_once_the_missing_reviews_are_past_due_and_only_once(
    clock, assigned, amina, bruno
):
    _deliverable, first, second = assigned
    submit(amina, first, Recommendation.READY)

    clock.move_to(at(DUE, 23))
    on_the_due_date = tasks.request_decisions()
    clock.move_to(at(DUE + datetime.timedelta(days=1), 0))
    past_due = tasks.request_decisions()
    again = tasks.request_decisions()
    submit(bruno, second, Recommendation.NOT_READY)  # late, after the chief was told
    clock.move_to(at(DUE + datetime.timedelta(days=2)))
    next_day = tasks.request_decisions()

    assert [on_the_due_date, past_due, again, next_day] == [0, 1, 0, 0]
    assert ready_notices() == [
        (
            "chief",
            "Ready for your decision: Methodology annex",
            "Reviews of “Methodology annex” (round 1) are missing past their due date. Decide "
            "without them (give your reason), or give the reviewers more time.\n\n"
            "– Bruno Costa: no review (it was due 16 March 2026)\n– Amina Mensah: Ready",
        )
    ]


def test_sweep_skips_rounds_without_reviewers_and_deliverables_not_in_review(
    clock, in_review, deliverable
):
    clock.move_to(at(DUE + datetime.timedelta(days=30)))

    assert services.request_decisions() == 0
    assert ready_notices() == []


def test_a_new_round_is_announced_again(clock, assigned, amina, bruno, chief, owner):
    deliverable, first, second = assigned
    submit(amina, first)
    submit(bruno, second)
    services.fire_transition(chief, deliverable, "return_for_revision", comment="Tighten it.")
    services.upload_version(owner, deliverable, pdf())
    services.fire_transition(owner, deliverable, "submit_for_review")
    (again,) = services.assign_reviewers(owner, deliverable, [amina], DUE)

    submit(amina, again)

    assert [subject for _user, subject, _body in ready_notices()] == [
        "Ready for your decision: Methodology annex"
    ] * 2


# --- cancelling: never once approved -----------------------------------------------------


def test_cancel_is_refused_once_approved_and_changes_nothing(
    assigned, chief, django_capture_on_commit_callbacks
):
    deliverable, _first, _second = assigned
    services.fire_transition(chief, deliverable, "approve", waiver_reason="Board on Monday")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceConflict) as exc:
        services.fire_transition(chief, deliverable, "cancel", comment="Changed my mind")

    assert exc.value.message == (
        "“Cancel deliverable” is not possible: the deliverable is now approved."
    )
    assert Deliverable.objects.get(pk=deliverable.pk).state == S.APPROVED
    assert mail.outbox == []


# --- the deliverable page: one decision form ----------------------------------------------


def test_decision_form_is_the_chiefs_only_after_the_reviews(client, assigned, chief, owner):
    deliverable, _first, _second = assigned
    url = f"/deliverables/{deliverable.pk}/"
    client.force_login(owner)
    owners = client.get(url)
    client.force_login(chief)
    chiefs = client.get(url).content.decode()

    assert owners.context["decision_form"] is None
    assert 'id="decision"' not in owners.content.decode()
    assert chiefs.count('id="decision"') == 1
    assert chiefs.index('id="decision-heading"') < chiefs.index('id="decision"')
    assert chiefs.index('id="decision"') < chiefs.index('id="versions-heading"')
    assert chiefs.index('id="decision"') < chiefs.index("button--warning")


def test_decision_summary_lists_recommendations_and_missing_reviews(client, assigned, chief, amina):
    deliverable, first, _second = assigned
    submit(amina, first, Recommendation.MINOR_REVISION)
    client.force_login(chief)

    response = client.get(f"/deliverables/{deliverable.pk}/")

    assert response.context["recommendations"] == [
        ("Minor revision", ["Amina Mensah"]),
        ("No review yet", ["Bruno Costa"]),
    ]


@pytest.mark.parametrize("who", ["owner", "other_chief", "amina"])
def test_decision_post_is_refused_to_anyone_but_the_chief_and_changes_nothing(
    client, request, assigned, who, django_capture_on_commit_callbacks
):
    deliverable, _first, _second = assigned
    client.force_login(request.getfixturevalue(who))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/deliverables/{deliverable.pk}/transition/",
            {"step": "decision", "transition": "approve", "waiver_reason": "Because"},
        )

    assert response.status_code == {"owner": 403, "other_chief": 404, "amina": 403}[who]
    assert Deliverable.objects.get(pk=deliverable.pk).state == S.IN_REVIEW
    assert mail.outbox == []


def test_decision_return_needs_a_reason(client, assigned, chief):
    deliverable, _first, _second = assigned
    client.force_login(chief)

    response = client.post(
        f"/deliverables/{deliverable.pk}/transition/",
        {"step": "decision", "transition": "return_for_revision", "comment": " "},
    )

    assert response.status_code == 400
    assert response.context["decision_form"].errors == {"comment": ["Give a reason."]}
    assert Deliverable.objects.get(pk=deliverable.pk).state == S.IN_REVIEW


def test_decision_without_a_choice_says_so(client, assigned, chief):
    deliverable, _first, _second = assigned
    client.force_login(chief)

    response = client.post(
        f"/deliverables/{deliverable.pk}/transition/", {"step": "decision", "comment": "Hm"}
    )

    assert response.status_code == 400
    assert response.context["decision_form"].errors == {
        "transition": ["Choose: approve, or return for revision."]
    }
    assert "\nHm</textarea>" in response.content.decode()


def test_decision_return_moves_it_back_and_says_so_in_plain_words(
    client, assigned, chief, amina, bruno
):
    deliverable, first, second = assigned
    submit(amina, first)
    submit(bruno, second, Recommendation.MAJOR_REVISION)
    client.force_login(chief)

    response = client.post(
        f"/deliverables/{deliverable.pk}/transition/",
        {"step": "decision", "transition": "return_for_revision", "comment": "See Bruno."},
        follow=True,
    )

    assert Deliverable.objects.get(pk=deliverable.pk).state == S.REVISING
    assert [str(m) for m in response.context["messages"]] == [
        "Methodology annex was returned to Elena Marchetti for revision. They are told your reason."
    ]


def test_decision_approve_with_every_review_in_needs_no_waiver(
    client, assigned, chief, amina, bruno
):
    deliverable, first, second = assigned
    submit(amina, first)
    submit(bruno, second)
    client.force_login(chief)
    page = client.get(f"/deliverables/{deliverable.pk}/")

    response = client.post(
        f"/deliverables/{deliverable.pk}/transition/",
        {"step": "decision", "transition": "approve"},
        follow=True,
    )

    assert "waiver_reason" not in page.context["decision_form"].fields
    assert Deliverable.objects.get(pk=deliverable.pk).state == S.APPROVED
    assert [str(m) for m in response.context["messages"]] == [
        "Methodology annex is approved. Next: publish it."
    ]


def test_approved_page_says_why_cancelling_is_not_offered(client, assigned, chief):
    deliverable, _first, _second = assigned
    services.fire_transition(chief, deliverable, "approve", waiver_reason="Urgent")
    client.force_login(chief)

    response = client.get(f"/deliverables/{deliverable.pk}/")

    assert [(b.label, b.reason) for b in response.context["blocked"]] == [
        ("Cancel deliverable", "An approved deliverable can no longer be cancelled.")
    ]
    assert "/cancel/" not in response.content.decode()


# --- actions not possible yet, the step list, messages ---------------------------------


def test_submit_without_a_draft_says_upload_a_draft_first(client, deliverable, owner):
    services.fire_transition(owner, deliverable, "start_drafting")
    client.force_login(owner)

    response = client.get(f"/deliverables/{deliverable.pk}/")

    assert [(b.label, b.reason) for b in response.context["blocked"]] == [
        ("Submit for review", "Upload a draft first.")
    ]
    assert "<strong>Submit for review</strong>: Upload a draft first." in (
        response.content.decode()
    )


def test_step_list_follows_the_review(client, assigned, owner, amina):
    deliverable, first, _second = assigned
    client.force_login(owner)
    submit(amina, first)

    response = client.get(f"/deliverables/{deliverable.pk}/")

    assert [(s.label, s.status, s.note) for s in response.context["steps"]] == [
        ("Draft uploaded", "done", "Version 1"),
        ("Reviewers chosen", "done", "2 reviewers"),
        ("Reviews in", "current", "1 of 2 in"),
        ("Decision", "todo", ""),
    ]
    assert 'class="step-list"' in response.content.decode()


def test_step_list_for_a_new_deliverable_asks_for_a_draft(client, deliverable, owner):
    client.force_login(owner)

    response = client.get(f"/deliverables/{deliverable.pk}/")

    assert [(s.label, s.status) for s in response.context["steps"]] == [
        ("Draft uploaded", "current"),
        ("Reviewers chosen", "todo"),
        ("Reviews in", "todo"),
        ("Decision", "todo"),
    ]


def test_step_list_shows_the_chiefs_turn(client, assigned, chief, amina, bruno):
    deliverable, first, second = assigned
    submit(amina, first)
    submit(bruno, second)
    client.force_login(chief)

    response = client.get(f"/deliverables/{deliverable.pk}/")

    assert [(s.status, s.note) for s in response.context["steps"]][2:] == [
        ("done", "2 of 2 in"),
        ("current", "Waiting for the chief's decision"),
    ]


def test_messages_are_plain_words(client, deliverable, owner, amina, bruno):
    client.force_login(owner)
    base = f"/deliverables/{deliverable.pk}/"

    def said(response) -> list[str]:
        return [str(m) for m in response.context["messages"]]

    started = client.post(f"{base}transition/", {"transition": "start_drafting"}, follow=True)
    uploaded = client.post(f"{base}versions/new/", {"file": pdf()}, follow=True)
    submitted = client.post(f"{base}transition/", {"transition": "submit_for_review"}, follow=True)
    one = client.post(
        f"{base}reviewers/", {"reviewers": [amina.pk], "due_date": DUE.isoformat()}, follow=True
    )

    assert said(started) == ["Methodology annex is now being drafted. Next: upload a draft."]
    assert said(uploaded) == [
        "Version 1 of Methodology annex is uploaded. Next: submit it for review."
    ]
    assert said(submitted) == ["Methodology annex is now in review. Next: choose reviewers."]
    assert said(one) == ["Amina Mensah is invited to review and told so."]


def test_message_after_inviting_several_reviewers_counts_them(client, in_review, owner, amina):
    bruno = person(
        Role.CEPA_MEMBER, username="bruno", first_name="Bruno", last_name="Costa", country="BRA"
    )
    client.force_login(owner)

    response = client.post(
        f"/deliverables/{in_review.pk}/reviewers/",
        {"reviewers": [amina.pk, bruno.pk], "due_date": DUE.isoformat()},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "2 reviewers are invited and told so: Amina Mensah, Bruno Costa."
    ]


def test_service_refuses_a_decision_by_the_owner(assigned, owner):
    deliverable, _first, _second = assigned

    with pytest.raises(PermissionDenied):
        services.fire_transition(owner, deliverable, "approve", waiver_reason="Mine")

    assert Deliverable.objects.get(pk=deliverable.pk).state == S.IN_REVIEW


def test_beat_runs_the_decision_sweep_on_the_sweeps_queue(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "workflows.request_decisions" in scheduled
    assert settings.CELERY_TASK_ROUTES["workflows.request_decisions"] == {"queue": "sweeps"}
