"""Review rounds that build on each other (issue 16, items 3 and 4): the owner's response,
earlier rounds in view under the blind rule, reviews grouped by round, re-inviting the
previous round's reviewers. Checked from the outside: pages, API and services."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from demo.review_rounds import CHAPTER_5, CHAPTER_6, seed_review_rounds
from tests.factories import DeliverableFactory, ProductFactory, pdf, person
from tests.workflows.test_rounds_world import (
    AMINA_R1,
    BRUNO_R1,
    DUE,
    REPLY_AMINA,
    RESPONSE,
    review,
    round_one,
    round_two,
)
from workflows import planning, queries, responses, services
from workflows.enums import AssignmentState, DeliverableState
from workflows.models import Deliverable, OwnerResponse, ReviewAssignment

API = "/api/v1"


@pytest.fixture(autouse=True)
def _today():
    with (
        time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False),
        translation.override("en"),
    ):
        yield


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def esc(text: str) -> str:
    return text.replace("'", "&#x27;")


@pytest.fixture
def world(chief, staff):
    return round_two(round_one(chief, staff))


# --- the blind rule across rounds -----------------------------------------------------------


def comments(user, deliverable) -> list[str]:
    return sorted(r.comments for r in queries.visible_reviews(user, deliverable))


@pytest.mark.django_db
def test_new_round_two_reviewer_reads_earlier_reviews_only_after_submitting(world):
    before = comments(world.carla, world.deliverable)
    review(world.carla, world.r2_carla, "Carla on version 2")
    after = comments(world.carla, world.deliverable)

    assert before == []
    assert after == sorted([AMINA_R1, BRUNO_R1, "Carla on version 2"])


@pytest.mark.django_db
def test_reviewer_of_both_rounds_reads_round_one_again_once_round_two_is_in(world):
    # Amina submitted in round 1 and is invited again: round 2 is judged afresh, so Bruno's
    # round-1 review is hidden from her until her round-2 review is in.
    before = comments(world.amina, world.deliverable)
    review(world.amina, world.r2_amina, "Amina on version 2")
    after = comments(world.amina, world.deliverable)

    assert before == [AMINA_R1]
    assert BRUNO_R1 in after


@pytest.mark.django_db
def test_round_one_reviewer_sees_nothing_of_round_two(world):
    review(world.amina, world.r2_amina, "Amina on version 2")

    assert comments(world.bruno, world.deliverable) == sorted([AMINA_R1, BRUNO_R1])
    assert [v.number for v in queries.visible_versions(world.bruno, world.deliverable)] == [1]
    assert responses.visible_responses(world.bruno, world.deliverable) == {}


@pytest.mark.django_db
def test_round_two_reviewer_sees_the_earlier_versions(world):
    numbers = [v.number for v in queries.visible_versions(world.carla, world.deliverable)]
    rounds = [r.number for r in queries.visible_rounds(world.carla, world.deliverable)]

    assert numbers == [1, 2]
    assert rounds == [2, 1]


@pytest.mark.django_db
def test_staff_reviewing_round_two_is_blind_to_round_one_until_they_submit(
    chief, staff, colleague_factory
):
    colleague = colleague_factory()
    world = round_two(round_one(chief, staff), reviewers=[colleague])
    assignment = ReviewAssignment.objects.get(reviewer=colleague)

    before_reviews = comments(colleague, world.deliverable)
    before_assignments = [
        a.reviewer_id for a in queries.visible_assignments(colleague, world.deliverable)
    ]
    review(colleague, assignment, "Colleague on version 2")
    after_assignments = sorted(
        a.reviewer_id for a in queries.visible_assignments(colleague, world.deliverable)
    )

    assert before_reviews == []
    assert before_assignments == [colleague.pk]
    assert comments(colleague, world.deliverable) == sorted(
        [AMINA_R1, BRUNO_R1, "Colleague on version 2"]
    )
    assert after_assignments == sorted([world.amina.pk, world.bruno.pk, colleague.pk])


@pytest.fixture
def colleague_factory(db):
    def make():
        return person(
            Role.BRANCH_STAFF, username="colleague", first_name="Carla", branch_code="e-govb"
        )

    return make


@pytest.mark.django_db
def test_api_reviews_follow_the_blind_rule_across_rounds(world):
    api = api_as(world.carla)
    before = api.get(f"{API}/reviews/").json()["results"]
    review(world.carla, world.r2_carla, "Carla on version 2")
    after = api.get(f"{API}/reviews/").json()["results"]

    assert before == []
    assert sorted(row["comments"] for row in after) == sorted(
        [AMINA_R1, BRUNO_R1, "Carla on version 2"]
    )


@pytest.mark.django_db
def test_annotated_file_of_an_earlier_round_follows_the_rule(client, chief, staff):
    world = round_two(round_one(chief, staff))
    client.force_login(world.carla)
    url = f"/reviews/{world.r1_bruno.assignment_id}/annotated/"

    assert client.get(url).status_code == 404


# --- the pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_page_shows_earlier_versions_response_and_own_earlier_review(client, world):
    html = page(client, world.amina, f"/reviews/{world.r2_amina.pk}/")

    assert "Earlier rounds" in html
    assert f"/deliverables/{world.deliverable.pk}/versions/1/download/" in html
    assert RESPONSE in html
    assert REPLY_AMINA in html
    assert "Your review" in html
    assert AMINA_R1 in html


@pytest.mark.django_db
def test_review_page_of_a_new_reviewer_hides_others_earlier_reviews_until_submitted(client, world):
    url = f"/reviews/{world.r2_carla.pk}/"
    before = page(client, world.carla, url)
    review(world.carla, world.r2_carla, "Carla on version 2")
    after = page(client, world.carla, url)

    assert RESPONSE in before
    assert (AMINA_R1 in before, BRUNO_R1 in before) == (False, False)
    assert "once you have submitted yours" in before
    assert (AMINA_R1 in after, BRUNO_R1 in after) == (True, True)
    assert "Mensah" not in after  # the others stay anonymous to a reviewer
    assert "Review by another reviewer" in after


@pytest.mark.django_db
def test_deliverable_page_groups_reviews_by_round_with_the_response(client, world):
    review(world.amina, world.r2_amina, "Amina on version 2")
    html = page(client, world.chief, f"/deliverables/{world.deliverable.pk}/")

    round2, round1 = html.index("Round 2 on version 2"), html.index("Round 1 on version 1")
    assert round2 < html.index("Amina on version 2") < round1 < html.index(AMINA_R1)
    assert html.index(AMINA_R1) < html.index(RESPONSE)
    assert "The owner's response to the reviews of round 1" in html
    assert REPLY_AMINA in html


@pytest.mark.django_db
def test_deliverable_page_of_a_round_two_reviewer_shows_round_one(client, world):
    html = page(client, world.carla, f"/deliverables/{world.deliverable.pk}/")

    assert "Round 1 on version 1" in html
    assert RESPONSE in html
    assert f"/deliverables/{world.deliverable.pk}/versions/1/download/" in html
    assert AMINA_R1 not in html


@pytest.mark.django_db
def test_owner_writes_the_response_on_its_page(client, chief, staff):
    world = round_one(chief, staff)
    url = f"/deliverables/{world.deliverable.pk}/response/"
    deliverable_page = page(client, staff, f"/deliverables/{world.deliverable.pk}/")
    form = page(client, staff, url)
    response = client.post(
        url, {"text": "Changed a lot.", f"reply_{world.r1_bruno.pk}": "Data of 2025 now."}
    )

    saved = OwnerResponse.objects.get(round__deliverable=world.deliverable)
    assert url in deliverable_page
    assert BRUNO_R1 in form  # the reviews answered, to hand
    assert response.status_code == 302
    assert saved.text == "Changed a lot."
    assert [(p.review_id, p.text) for p in saved.points.all()] == [
        (world.r1_bruno.pk, "Data of 2025 now.")
    ]


@pytest.mark.django_db
def test_response_page_refuses_an_empty_response(client, chief, staff):
    world = round_one(chief, staff)
    client.force_login(staff)
    response = client.post(f"/deliverables/{world.deliverable.pk}/response/", {"text": " "})

    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()
    assert not OwnerResponse.objects.exists()


@pytest.mark.django_db
def test_send_for_review_asks_for_the_response_and_stores_it(client, chief, staff):
    world = round_one(chief, staff)
    url = f"/deliverables/{world.deliverable.pk}/send-for-review/"
    form = page(client, staff, url)

    response = client.post(
        url,
        {
            "file": pdf("v2.pdf"),
            "notes": "",
            "reviewers": [world.carla.pk],
            "due_date": DUE.isoformat(),
            "response": "Answered in the text.",
            f"reply_{world.r1_amina.pk}": "Thanks.",
        },
    )

    saved = OwnerResponse.objects.get()
    assert 'name="response"' in form
    assert f'name="reply_{world.r1_amina.pk}"' in form
    assert response.status_code == 302
    assert (saved.round.number, saved.text) == (1, "Answered in the text.")
    assert world.fresh().state == DeliverableState.IN_REVIEW


@pytest.mark.django_db
def test_first_send_for_review_does_not_ask_for_a_response(client, chief, staff):
    deliverable = DeliverableFactory(
        product=ProductFactory(actor=chief), owner=staff, state=DeliverableState.DRAFTING
    )
    form = page(client, staff, f"/deliverables/{deliverable.pk}/send-for-review/")

    assert 'name="response"' not in form


# --- the response: rules ----------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_owner_or_chief_responds(chief, staff):
    world = round_one(chief, staff)

    for user in (world.amina, world.bystander):
        with pytest.raises(PermissionDenied):
            responses.save_response(user, world.deliverable.pk, text="No.")
    responses.save_response(chief, world.deliverable.pk, text="By the chief.")

    assert list(OwnerResponse.objects.values_list("text", flat=True)) == ["By the chief."]


@pytest.mark.django_db
def test_response_is_frozen_once_the_next_round_opens(world):
    with pytest.raises(ServiceConflict):
        responses.save_response(world.owner, world.deliverable.pk, text="Too late.")

    assert OwnerResponse.objects.get().text == RESPONSE


@pytest.mark.django_db
def test_replies_only_to_the_reviews_of_the_round_answered(world, chief, staff):
    other = round_one(chief, staff, tag="2")

    with pytest.raises(ValidationError) as error:
        responses.save_response(
            other.owner, other.deliverable.pk, text="x", replies={world.r1_amina.pk: "no"}
        )

    assert list(error.value.message_dict) == ["replies"]


@pytest.mark.django_db
def test_response_shown_to_the_chief_and_next_round_only(world):
    readers = {
        name: bool(responses.visible_responses(user, world.deliverable))
        for name, user in [
            ("owner", world.owner),
            ("chief", world.chief),
            ("bystander", world.bystander),
            ("amina", world.amina),
            ("carla", world.carla),
            ("bruno", world.bruno),
        ]
    }

    assert readers == {
        "owner": True,
        "chief": True,
        "bystander": True,
        "amina": True,
        "carla": True,
        "bruno": False,
    }


@pytest.mark.django_db
def test_reply_labels_name_reviewers_only_for_who_sees_all(world):
    chief_view = responses.visible_responses(world.chief, world.deliverable)
    amina_view = responses.visible_responses(world.amina, world.deliverable)
    carla_view = responses.visible_responses(world.carla, world.deliverable)

    [chief_point] = next(iter(chief_view.values())).points
    [amina_point] = next(iter(amina_view.values())).points
    [carla_point] = next(iter(carla_view.values())).points
    assert chief_point.label == "Review by Amina Mensah"
    assert amina_point.label == "Your review"
    assert carla_point.label == "Review 1"


# --- re-inviting the previous round's reviewers ---------------------------------------------


@pytest.mark.django_db
def test_reinvite_invites_the_previous_reviewers_and_says_who_was_skipped(
    chief, staff, django_capture_on_commit_callbacks
):
    world = round_two(round_one(chief, staff), reviewers=[round_one_first(chief)])
    world.bruno.is_active = False
    world.bruno.save(update_fields=["is_active"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = responses.reinvite_previous(world.owner, world.deliverable.pk, DUE)

    assert [a.reviewer_id for a in result.created] == [world.amina.pk]
    assert [a.state for a in result.created] == [AssignmentState.INVITED]
    assert result.skipped == [
        "Bruno Silva cannot review this deliverable: reviewers are CEPA members and the "
        "staff and advisers of its branch."
    ]
    assert [m.to for m in mail.outbox] == [[world.amina.email]]


def round_one_first(chief):
    """A reviewer for round 2 who was not in round 1."""
    return person(Role.CEPA_MEMBER, username="dora", first_name="Dora", last_name="Diaz")


@pytest.mark.django_db
def test_reinvite_skips_who_is_already_invited(world):
    result = responses.reinvite_previous(world.owner, world.deliverable.pk, DUE)

    assert [a.reviewer_id for a in result.created] == [world.bruno.pk]
    assert result.skipped == ["Amina Mensah is already invited in this round."]


@pytest.mark.django_db
def test_reinvite_with_nobody_left_changes_nothing(world):
    responses.reinvite_previous(world.owner, world.deliverable.pk, DUE)
    count = ReviewAssignment.objects.count()

    with pytest.raises(ValidationError) as error:
        responses.reinvite_previous(world.owner, world.deliverable.pk, DUE)

    assert list(error.value.message_dict) == ["reviewers"]
    assert ReviewAssignment.objects.count() == count


@pytest.mark.django_db
def test_reinvite_is_refused_in_round_one_and_to_reviewers(chief, staff):
    world = round_one(chief, staff)
    with pytest.raises(ServiceConflict):
        responses.reinvite_previous(world.owner, world.deliverable.pk, DUE)
    world = round_two(world)
    with pytest.raises(PermissionDenied):
        responses.reinvite_previous(world.carla, world.deliverable.pk, DUE)


@pytest.mark.django_db
def test_reinvite_page_and_button(client, world):
    url = f"/deliverables/{world.deliverable.pk}/reinvite/"
    owner_page = page(client, world.owner, f"/deliverables/{world.deliverable.pk}/")
    form = page(client, world.owner, url)
    response = client.post(url, {"due_date": DUE.isoformat()}, follow=True)

    assert url in owner_page
    assert "Amina Mensah — not invited: already invited in this round" in form
    assert response.status_code == 200
    assert "1 reviewer of the previous round was invited again" in response.content.decode()
    assert ReviewAssignment.objects.filter(reviewer=world.bruno).count() == 2


@pytest.mark.django_db
def test_reinvite_page_is_forbidden_to_a_reviewer(client, world):
    client.force_login(world.carla)

    assert client.get(f"/deliverables/{world.deliverable.pk}/reinvite/").status_code == 403
    assert client.post(f"/deliverables/{world.deliverable.pk}/reinvite/", {}).status_code == 403
    assert ReviewAssignment.objects.filter(reviewer=world.bruno).count() == 1


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_responses_read_by_the_next_round_not_the_previous(world):
    url = f"{API}/deliverables/{world.deliverable.pk}/responses/"
    carla = api_as(world.carla).get(url)
    bruno = api_as(world.bruno).get(url)

    assert carla.status_code == 200
    assert [(row["round"], row["text"]) for row in carla.json()] == [(1, RESPONSE)]
    assert [p["label"] for p in carla.json()[0]["points"]] == ["Review 1"]
    assert bruno.json() == []


@pytest.mark.django_db
def test_api_writes_the_response(chief, staff):
    world = round_one(chief, staff)
    url = f"{API}/deliverables/{world.deliverable.pk}/responses/"
    refused = api_as(world.amina).post(url, {"text": "no"}, format="json")
    bad = api_as(staff).post(
        url, {"text": "ok", "replies": [{"review": 999999, "text": "x"}]}, format="json"
    )
    done = api_as(staff).post(
        url,
        {"text": "Done.", "replies": [{"review": world.r1_bruno.pk, "text": "Updated."}]},
        format="json",
    )

    assert refused.status_code == 403
    assert (bad.status_code, list(bad.json())) == (400, ["replies"])
    assert done.status_code == 200
    assert done.json()["points"] == [{"label": "Review by Bruno Silva", "text": "Updated."}]
    assert OwnerResponse.objects.get().text == "Done."


@pytest.mark.django_db
def test_api_reinvite(world):
    url = f"{API}/deliverables/{world.deliverable.pk}/reinvite/"
    refused = api_as(world.carla).post(url, {"due_date": DUE.isoformat()}, format="json")
    missing = api_as(world.owner).post(url, {}, format="json")
    done = api_as(world.owner).post(url, {"due_date": DUE.isoformat()}, format="json")

    assert refused.status_code == 403
    assert (missing.status_code, list(missing.json())) == (400, ["due_date"])
    assert done.status_code == 201
    assert [row["reviewer"] for row in done.json()["assignments"]] == [world.bruno.pk]
    assert done.json()["skipped"] == ["Amina Mensah is already invited in this round."]


# --- the demo --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_has_responses_read_by_the_second_round(demo):
    chapter6 = Deliverable.objects.select_related("product").get(title=CHAPTER_6)
    claire = get_user_model().objects.get(username="claire")
    palesa = get_user_model().objects.get(username="palesa")
    chapter5 = Deliverable.objects.select_related("product").get(title=CHAPTER_5)

    assert [v.round.number for v in responses.visible_responses(claire, chapter6).values()] == [1]
    assert OwnerResponse.objects.filter(round__deliverable=chapter5).count() == 1
    assert responses.visible_responses(palesa, chapter5) == {}  # round 1 only
    assert seed_review_rounds() == 0  # idempotent


# --- query counts: the earlier rounds do not cost a query each ---------------------------------


def another_round(world, number: int, reviewers) -> list[ReviewAssignment]:
    """Round `number - 1` reviewed by `reviewers`, returned, answered; round `number` opens
    with Carla."""
    for assignment in ReviewAssignment.objects.filter(
        deliverable=world.deliverable, round__number=number - 1, reviewer__in=reviewers
    ):
        review(assignment.reviewer, assignment, f"Round {number - 1} by {assignment.reviewer}")
    services.fire_transition(
        world.chief, world.deliverable.pk, "return_for_revision", comment="Again."
    )
    responses.save_response(world.owner, world.deliverable.pk, text=f"Answer {number - 1}")
    return planning.send_for_review(
        world.owner,
        world.deliverable.pk,
        upload=pdf(f"v{number}.pdf"),
        reviewers=[world.carla, world.bruno],
        due_date=DUE,
    )


@pytest.mark.django_db
def test_review_and_deliverable_pages_run_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    review(world.carla, world.r2_carla, "Carla on version 2")
    client.force_login(world.carla)
    with django_assert_num_queries(21):
        small = client.get(f"/reviews/{world.r2_carla.pk}/")
    client.force_login(world.chief)
    with django_assert_num_queries(28):
        client.get(f"/deliverables/{world.deliverable.pk}/")
    another_round(world, 3, [world.amina])
    latest = another_round(world, 4, [world.carla, world.bruno])
    carla_latest = next(a for a in latest if a.reviewer_id == world.carla.pk)
    review(world.carla, carla_latest, "Carla on version 4")

    client.force_login(world.carla)
    with django_assert_num_queries(21):
        large = client.get(f"/reviews/{carla_latest.pk}/")
    client.force_login(world.chief)
    with django_assert_num_queries(28):
        client.get(f"/deliverables/{world.deliverable.pk}/")

    assert small.content.decode().count('class="card"') < large.content.decode().count(
        'class="card"'
    )
    assert "Answer 3" in large.content.decode()
