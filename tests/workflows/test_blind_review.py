"""Blind review is a rule of the round, whoever reviews; the owner and the branch chief
never review; the page and the API accept exactly the same reviewers.

Checked from the outside, with the same request for the allowed and the forbidden person.
Besides the fixed cast (`cast`): a staff colleague of the owner who reviews, a staff
bystander who does not, advisers and chiefs of this and other branches, a former member.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from tests.factories import Cast, DeliverableFactory, PersonFactory, ProductFactory, pdf, person
from workflows import queries, services
from workflows.enums import DeliverableState, Recommendation
from workflows.models import Deliverable, Review, ReviewAssignment
from workflows.reviewers import eligible_reviewers, suggest_reviewers

TODAY = datetime.date(2026, 3, 2)
REVIEW_DUE = "2026-03-20"
API = "/api/v1"
SECRET = "Amina's secret comments"


@pytest.fixture(autouse=True)
def _today():
    with (
        time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False),
        translation.override("en"),
    ):
        yield


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- the cast and the world ---------------------------------------------------------------


@pytest.fixture
def owner(staff):
    return staff


@pytest.fixture
def colleague(db):
    """Branch staff asked to review a colleague's draft."""
    return person(
        Role.BRANCH_STAFF,
        username="colleague",
        first_name="Carla",
        last_name="Colleague",
        branch_code="e-govb",
    )


@pytest.fixture
def bystander(db):
    """Branch staff who reviews nothing: sees the branch's submitted reviews."""
    return person(
        Role.BRANCH_STAFF,
        username="bystander",
        first_name="Boris",
        last_name="Bystander",
        branch_code="e-govb",
    )


@pytest.fixture
def reviewer(cepa_member):
    cepa_member.first_name, cepa_member.last_name = "Amina", "Mensah"
    cepa_member.save(update_fields=["first_name", "last_name"])
    return cepa_member


@pytest.fixture
def product(chief):
    return ProductFactory(actor=chief, title="UN E-Government Survey")


def in_review(product, owner, title: str) -> Deliverable:
    deliverable = DeliverableFactory(
        product=product, owner=owner, title=title, state=DeliverableState.IN_REVIEW
    )
    return Deliverable.objects.select_related("product").get(pk=deliverable.pk)


@pytest.fixture
def deliverable(product, owner):
    return in_review(product, owner, "Chapter 3: Digital services")


@pytest.fixture
def round_(deliverable, owner, colleague, reviewer):
    """The staff colleague and the CEPA member review; the CEPA member has submitted (with
    an annotated file), the colleague has not: (colleague's assignment, Amina's)."""
    mine, amina = services.assign_reviewers(
        owner, deliverable, [colleague, reviewer], TODAY + datetime.timedelta(days=14)
    )
    services.save_review(
        reviewer,
        amina,
        recommendation=Recommendation.MAJOR_REVISION,
        comments=SECRET,
        annotated_file=pdf("annotated.pdf"),
        submit=True,
    )
    mail.outbox.clear()
    return mine, amina


def submit_colleague(colleague, assignment) -> Review:
    return services.save_review(
        colleague,
        assignment,
        recommendation=Recommendation.READY,
        comments="Carla's comments",
        submit=True,
    )


# --- a staff reviewer sees the others' reviews of the round only after submitting ----------


@pytest.mark.django_db
def test_staff_reviewer_sees_a_colleagues_review_on_the_page_only_after_submitting(
    client, deliverable, round_, colleague, bystander, owner, chief
):
    mine, _amina = round_
    url = f"/deliverables/{deliverable.pk}/"
    before = {}
    for user in (colleague, bystander, owner, chief):
        client.force_login(user)
        before[user.username] = html(client.get(url))

    submit_colleague(colleague, mine)
    client.force_login(colleague)
    after = html(client.get(url))

    assert [SECRET.replace("'", "&#x27;") in page for page in before.values()] == [
        False,
        True,
        True,
        True,
    ]
    assert "Reviews are blind" in before["colleague"]
    assert "Reviews are blind" not in before["bystander"]
    assert SECRET.replace("'", "&#x27;") in after
    assert "Reviews are blind" not in after


@pytest.mark.django_db
def test_staff_reviewer_sees_a_colleagues_review_in_the_api_only_after_submitting(
    deliverable, round_, colleague, bystander, reviewer
):
    mine, amina = round_
    amina_review = Review.objects.get(assignment=amina)
    api, other = api_as(colleague), api_as(bystander)

    list_before = ids(api.get(f"{API}/reviews/"))
    detail_before = api.get(f"{API}/reviews/{amina_review.pk}/").status_code
    by_deliverable_before = ids(api.get(f"{API}/reviews/", {"deliverable": deliverable.pk}))
    bystander_sees = ids(other.get(f"{API}/reviews/"))
    own = submit_colleague(colleague, mine)
    list_after = ids(api.get(f"{API}/reviews/"))
    detail_after = api.get(f"{API}/reviews/{amina_review.pk}/")

    assert (list_before, detail_before, by_deliverable_before) == ([], 404, [])
    assert bystander_sees == [amina_review.pk]
    assert sorted(list_after) == sorted([own.pk, amina_review.pk])
    assert detail_after.status_code == 200
    assert detail_after.json()["comments"] == SECRET


@pytest.mark.django_db
def test_staff_reviewer_sees_the_others_assignments_of_the_round_only_after_submitting(
    deliverable, round_, colleague, bystander
):
    mine, amina = round_
    api = api_as(colleague)
    listing = f"{API}/review-assignments/"

    list_before = ids(api.get(listing, {"deliverable": deliverable.pk}))
    detail_before = api.get(f"{listing}{amina.pk}/").status_code
    bystander_sees = ids(api_as(bystander).get(listing, {"deliverable": deliverable.pk}))
    submit_colleague(colleague, mine)
    list_after = ids(api.get(listing, {"deliverable": deliverable.pk}))
    detail_after = api.get(f"{listing}{amina.pk}/").status_code

    assert (list_before, detail_before) == ([mine.pk], 404)
    assert sorted(bystander_sees) == sorted([mine.pk, amina.pk])
    assert (sorted(list_after), detail_after) == (sorted([mine.pk, amina.pk]), 200)


@pytest.mark.django_db
def test_staff_reviewer_sees_a_colleagues_review_in_the_timeline_only_after_submitting(
    client, deliverable, round_, colleague, bystander
):
    mine, _amina = round_
    url = f"/deliverables/{deliverable.pk}/"

    def reviewers_in_timeline(user) -> list[str]:
        # The page shows the history lines of queries.visible_history, one row each.
        client.force_login(user)
        rows = client.get(url).context["history"]
        entries = list(queries.visible_history(user, deliverable))
        assert len(rows) == len(entries)
        return sorted(
            {entry.assignment.reviewer.get_full_name() for entry in entries if entry.assignment}
        )

    before = reviewers_in_timeline(colleague)
    bystander_sees = reviewers_in_timeline(bystander)
    submit_colleague(colleague, mine)
    after = reviewers_in_timeline(colleague)

    assert before == ["Carla Colleague"]
    assert bystander_sees == ["Amina Mensah", "Carla Colleague"]
    assert after == ["Amina Mensah", "Carla Colleague"]
    assert list(queries.visible_history(colleague, deliverable)) == list(
        queries.visible_history(bystander, deliverable)
    )


@pytest.mark.django_db
def test_staff_reviewer_gets_a_colleagues_annotated_file_and_export_only_after_submitting(
    client, deliverable, round_, colleague, bystander
):
    mine, amina = round_
    annotated = f"/reviews/{amina.pk}/annotated/"
    export = "/dashboard/export.csv"

    def fetch(user) -> tuple[int, str]:
        client.force_login(user)
        response = client.get(export)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return client.get(annotated).status_code, "\n".join(",".join(row) for row in rows)

    status_before, export_before = fetch(colleague)
    bystander_status, bystander_export = fetch(bystander)
    submit_colleague(colleague, mine)
    status_after, export_after = fetch(colleague)

    assert (status_before, bystander_status, status_after) == (404, 200, 200)
    # The export lists the deliverables, never a review or a recommendation: the same for all.
    assert export_before == bystander_export == export_after
    assert "Chapter 3: Digital services" in export_before
    assert SECRET not in export_before
    assert "Major revision" not in export_before


@pytest.mark.django_db
def test_admin_who_reviews_is_blind_in_the_admin_until_they_submit(
    client, deliverable, owner, reviewer
):
    # given a superuser who is also a CEPA member, asked to review with Amina
    admin_reviewer = person(
        Role.CEPA_MEMBER, username="root", is_superuser=True, is_staff=True, country="SWE"
    )
    theirs, amina = services.assign_reviewers(
        owner, deliverable, [admin_reviewer, reviewer], TODAY + datetime.timedelta(days=14)
    )
    services.save_review(
        reviewer, amina, recommendation=Recommendation.READY, comments=SECRET, submit=True
    )
    amina_review = Review.objects.get(assignment=amina)
    client.force_login(admin_reviewer)

    listing_before = client.get("/admin/workflows/review/")
    change_before = client.get(f"/admin/workflows/review/{amina_review.pk}/change/")
    api_before = ids(api_as(admin_reviewer).get(f"{API}/reviews/"))
    submit_colleague(admin_reviewer, theirs)
    listing_after = client.get("/admin/workflows/review/")

    assert listing_before.context["cl"].result_count == 0
    assert change_before.status_code == 302  # the admin's "no such object" redirect
    assert api_before == []
    assert listing_after.context["cl"].result_count == 2


# --- mails that sum up reviews never reach someone still reviewing ---------------------------


@pytest.mark.django_db
def test_mails_about_reviews_do_not_reach_a_reviewer_still_reviewing(
    deliverable,
    owner,
    chief,
    colleague,
    reviewer,
    django_capture_on_commit_callbacks,
):
    _mine, amina = services.assign_reviewers(
        owner, deliverable, [colleague, reviewer], TODAY + datetime.timedelta(days=14)
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.save_review(
            reviewer, amina, recommendation=Recommendation.READY, comments=SECRET, submit=True
        )
    on_submission = sorted((m.to[0], m.subject) for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.fire_transition(
            chief,
            deliverable,
            "approve",
            comment="Amina finds it ready.",
            waiver_reason="Carla is away.",
        )
    on_decision = sorted((m.to[0], m.subject) for m in mail.outbox)

    assert on_submission == [("staff@example.org", "Review submitted: Chapter 3: Digital services")]
    assert on_decision == [
        ("amina@example.org", "Chapter 3: Digital services: Approved"),
        ("colleague@example.org", "Review withdrawn: Chapter 3: Digital services"),
        ("staff@example.org", "Chapter 3: Digital services: Approved"),
    ]
    assert all("Amina finds it ready." not in m.body for m in mail.outbox if "colleague" in m.to[0])


# --- the owner and the branch chief never review their deliverable ----------------------------


@pytest.mark.parametrize("refused", ["owner", "chief"])
@pytest.mark.django_db
def test_service_refuses_the_owner_and_the_chief_as_reviewers_naming_the_field(
    request, deliverable, owner, refused, django_capture_on_commit_callbacks
):
    person_refused = request.getfixturevalue(refused)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as excinfo,
    ):
        services.assign_reviewers(owner, deliverable, [person_refused], TODAY)

    expected = {
        "owner": "The owner cannot review their own deliverable.",
        "chief": f"{person_refused.get_full_name()} is the branch chief, who decides on this "
        "deliverable: not a reviewer.",
    }[refused]
    assert excinfo.value.message_dict == {"reviewers": [expected]}
    assert ReviewAssignment.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.parametrize(("actor", "refused"), [("owner", "owner"), ("chief", "chief")])
@pytest.mark.django_db
def test_page_and_api_refuse_the_owner_and_the_chief_as_reviewers_naming_the_field(
    client, request, deliverable, actor, refused, django_capture_on_commit_callbacks
):
    acting, person_refused = request.getfixturevalue(actor), request.getfixturevalue(refused)
    client.force_login(acting)
    body = {"reviewers": [person_refused.pk], "due_date": REVIEW_DUE}

    chooser = html(client.get(f"/deliverables/{deliverable.pk}/reviewers/"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(f"/deliverables/{deliverable.pk}/reviewers/", body)
        api = api_as(acting).post(
            f"{API}/deliverables/{deliverable.pk}/reviewers/", body, format="json"
        )

    assert f'value="{person_refused.pk}"' not in chooser
    assert page.status_code == 400
    assert list(page.context["form"].errors) == ["reviewers"]
    assert "Not someone who may review this deliverable" in page.content.decode()
    assert api.status_code == 400
    assert list(api.json()) == ["reviewers"]
    assert ReviewAssignment.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


# --- the page and the API accept exactly the same reviewers ------------------------------------


# Besides the fixed cast: who else might be named, made by the factories.
OTHERS = {
    "branch_staff": lambda: PersonFactory(roles=[Role.BRANCH_STAFF], branch="e-govb"),
    "branch_advisor": lambda: PersonFactory(roles=[Role.INTER_REGIONAL_ADVISOR], branch="e-govb"),
    "other_branch_advisor": lambda: PersonFactory(
        roles=[Role.INTER_REGIONAL_ADVISOR], branch="dmb"
    ),
    "other_branch_chief": lambda: PersonFactory(roles=[Role.BRANCH_CHIEF], branch="pacb"),
    "former_cepa_member": lambda: PersonFactory(
        roles=[Role.CEPA_MEMBER], country="PER", is_active=False
    ),
}
# May they review an e-Government Branch deliverable?
MAY_REVIEW = {
    "owner": False,
    "chief": False,
    "other_branch_staff": False,
    "assigned_reviewer": True,  # a CEPA member (assigned to another deliverable)
    "unassigned_reviewer": True,  # a CEPA member
    "focal_point_elsewhere": False,
    "secretariat_admin": False,
    "branch_staff": True,
    "branch_advisor": True,
    "other_branch_advisor": False,
    "other_branch_chief": False,
    "former_cepa_member": False,
}


def test_the_parametrized_people_are_the_cast_and_the_others():
    assert set(MAY_REVIEW) == (set(Cast.PEOPLE) - {"anonymous"}) | set(OTHERS)


@pytest.mark.parametrize(("who", "may_review"), list(MAY_REVIEW.items()))
@pytest.mark.django_db
def test_page_and_api_accept_exactly_the_same_reviewers(
    client, cast, who, may_review, django_capture_on_commit_callbacks
):
    candidate = OTHERS[who]() if who in OTHERS else cast[who]
    owner, product = cast.owner, cast.deliverable.product
    on_page = in_review(product, owner, "Chapter 4 (page)")
    on_api = in_review(product, owner, "Chapter 4 (API)")
    before = ReviewAssignment.objects.count()
    mail.outbox.clear()
    client.force_login(owner)
    body = {"reviewers": [candidate.pk], "due_date": REVIEW_DUE}

    offered = candidate in [s.user for s in suggest_reviewers(on_page, today=TODAY)]
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/deliverables/{on_page.pk}/reviewers/", body)
        api = api_as(owner).post(f"{API}/deliverables/{on_api.pk}/reviewers/", body, format="json")

    assert (page.status_code, api.status_code) == ((302, 201) if may_review else (400, 400))
    assert offered is may_review
    assert (candidate in eligible_reviewers(on_page)) is may_review
    assigned = sorted(
        ReviewAssignment.objects.filter(
            reviewer=candidate, deliverable__in=[on_page, on_api]
        ).values_list("deliverable", flat=True)
    )
    assert assigned == (sorted([on_page.pk, on_api.pk]) if may_review else [])
    assert ReviewAssignment.objects.count() == before + len(assigned)
    assert len(mail.outbox) == len(assigned)
    if not may_review:
        assert list(page.context["form"].errors) == ["reviewers"]
        assert list(api.json()) == ["reviewers"]


# --- another reviewer is "another reviewer", in the pages and the API alike ----------------


@pytest.mark.django_db
def test_a_reviewer_reads_the_others_reviews_without_their_names_in_page_and_api(
    client, deliverable, owner, reviewer, bystander
):
    second = person(Role.CEPA_MEMBER, username="tesfaye", first_name="Tesfaye", last_name="Bekele")
    amina, tesfaye = services.assign_reviewers(
        owner, deliverable, [reviewer, second], TODAY + datetime.timedelta(days=14)
    )
    for who, assignment, text in ((reviewer, amina, SECRET), (second, tesfaye, "Tesfaye's")):
        services.save_review(
            who, assignment, recommendation=Recommendation.READY, comments=text, submit=True
        )
    amina_review = Review.objects.get(assignment=amina)

    as_tesfaye = api_as(second).get(f"{API}/reviews/{amina_review.pk}/").json()
    as_staff = api_as(bystander).get(f"{API}/reviews/{amina_review.pk}/").json()
    client.force_login(second)
    page = client.get(f"/deliverables/{deliverable.pk}/").content.decode()

    # Tesfaye reads Amina's review (both submitted) but not who wrote it
    assert as_tesfaye["comments"] == SECRET
    assert (as_tesfaye["reviewer"], as_tesfaye["reviewer_name"]) == (None, "another reviewer")
    assert "Amina Mensah" not in page
    assert "another reviewer" in page
    # the branch's staff see the whole deliverable, names included
    assert (as_staff["reviewer"], as_staff["reviewer_name"]) == (reviewer.pk, "Amina Mensah")
