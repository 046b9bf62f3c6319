"""Planning in the pages: products and deliverables created and edited by a branch's staff
and chief, the hand-over, sending a draft for review in one step, the reviewer chooser.

From the outside, the same request for the allowed and the forbidden person (the fixed
cast: the owner, a colleague of the same branch, the chief, staff of another branch, a
CEPA member, anonymous); on every denial nothing changed and nothing was sent.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cepa_collab.enums import Role
from cepa_collab.models import Region
from tests.factories import (
    PDF_BYTES,
    AwayPeriodFactory,
    DeliverableFactory,
    ProductFactory,
    ReviewerProfileFactory,
    branch,
    person,
)
from workflows import planning, services
from workflows.enums import AssignmentState, DeliverableState, ProductKind, RoundState
from workflows.models import (
    Deliverable,
    DeliverableHistory,
    Product,
    ReviewAssignment,
    ReviewRound,
    Version,
)

pytestmark = pytest.mark.django_db

S = DeliverableState
TODAY = datetime.date(2026, 3, 2)
DUE = TODAY + datetime.timedelta(days=21)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def pdf(name: str = "draft.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def colleague(db):
    return person(Role.BRANCH_STAFF, username="colleague", branch_code="e-govb")


@pytest.fixture
def planned(cast):
    """A planned deliverable of the cast's product, owned by the cast's owner."""
    return DeliverableFactory(
        product=cast.deliverable.product, owner=cast.owner, title="Methodology annex", due_date=DUE
    )


def _as(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


def _state(deliverable) -> tuple:
    """What a refused request must leave alone."""
    fresh = Deliverable.objects.get(pk=deliverable.pk)
    return (
        fresh.state,
        fresh.owner_id,
        fresh.title,
        Version.objects.filter(deliverable=fresh).count(),
        ReviewRound.objects.filter(deliverable=fresh).count(),
        ReviewAssignment.objects.filter(deliverable=fresh).count(),
        DeliverableHistory.objects.filter(deliverable=fresh).count(),
    )


# --- who may open each page --------------------------------------------------------------

# who -> status of: product list, product page, new product, edit product,
# new deliverable of the product, edit the deliverable, hand it over, send it for review
PAGES = {
    "owner": (200, 200, 200, 200, 200, 200, 403, 200),
    "colleague": (200, 200, 200, 200, 200, 403, 403, 403),
    "chief": (200, 200, 200, 200, 200, 200, 200, 200),
    "other_branch_staff": (200, 404, 200, 404, 404, 404, 404, 404),
    "assigned_reviewer": (403, 404, 403, 404, 404, 404, 404, 404),
    "anonymous": (302, 302, 302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("who", list(PAGES))
def test_planning_pages_open_for_the_branch_and_no_one_else(client, cast, colleague, planned, who):
    user = colleague if who == "colleague" else cast[who]
    product = planned.product
    urls = [
        "/products/",
        f"/products/{product.pk}/",
        "/products/new/",
        f"/products/{product.pk}/edit/",
        f"/deliverables/new/?product={product.pk}",
        f"/deliverables/{planned.pk}/edit/",
        f"/deliverables/{planned.pk}/hand-over/",
        f"/deliverables/{planned.pk}/send-for-review/",
    ]

    statuses = tuple(_as(client, user).get(url).status_code for url in urls)

    assert statuses == PAGES[who]


def test_a_cepa_member_never_sees_a_planned_deliverable_of_a_branch(client, cast, planned):
    client.force_login(cast.assigned_reviewer)

    assert client.get(f"/deliverables/{planned.pk}/send-for-review/").status_code == 404


def test_the_assigned_reviewer_sees_the_deliverable_but_may_not_edit_or_hand_it_over(client, cast):
    client.force_login(cast.assigned_reviewer)
    deliverable = cast.deliverable

    statuses = [
        client.get(f"/deliverables/{deliverable.pk}/edit/").status_code,
        client.get(f"/deliverables/{deliverable.pk}/hand-over/").status_code,
        client.get(f"/deliverables/{deliverable.pk}/send-for-review/").status_code,
    ]

    assert statuses == [403, 403, 403]


def test_products_navigation_item_is_for_the_branches_people_only(client, cast):
    for user, shown in ((cast.owner, True), (cast.chief, True), (cast.assigned_reviewer, False)):
        client.force_login(user)
        page = html(client.get("/products/" if shown else "/reviews/"))
        assert ('href="/products/"' in page) is shown, user


# --- products ------------------------------------------------------------------------------


def test_product_list_shows_only_the_branchs_products_with_counts(client, cast, planned):
    ProductFactory(actor=cast.other_branch_staff, branch=branch("pacb"), title="PACB guide")
    client.force_login(cast.owner)

    page = html(client.get("/products/"))

    assert "UN E-Government Survey" in page
    assert "PACB guide" not in page
    assert "1 product</h2>" in page


def test_staff_create_a_product_of_their_branch(client, cast):
    client.force_login(cast.owner)

    response = client.post(
        "/products/new/",
        {"kind": ProductKind.TOOLKIT, "title": "Local e-government toolkit", "edition": "2027"},
        follow=True,
    )

    product = Product.objects.get(title="Local e-government toolkit")
    assert (product.branch.code, product.edition) == ("e-govb", "2027")
    assert response.redirect_chain == [(f"/products/{product.pk}/", 302)]
    assert "“Local e-government toolkit 2027” was created. Next: add its deliverables." in html(
        response
    )


def test_a_product_with_a_taken_title_is_refused_on_the_form(client, cast):
    client.force_login(cast.chief)
    before = Product.objects.count()

    response = client.post(
        "/products/new/",
        {"kind": ProductKind.SURVEY, "title": "UN E-Government Survey", "edition": "2026"},
    )

    assert response.status_code == 400
    assert "error-summary" in html(response)
    assert Product.objects.count() == before


def test_a_product_without_a_title_is_refused(client, cast):
    client.force_login(cast.owner)
    before = Product.objects.count()

    response = client.post("/products/new/", {"kind": ProductKind.SURVEY, "title": ""})

    assert response.status_code == 400
    assert Product.objects.count() == before


def test_a_cepa_member_may_not_create_a_product(client, cast):
    client.force_login(cast.assigned_reviewer)
    before = Product.objects.count()

    response = client.post("/products/new/", {"kind": ProductKind.SURVEY, "title": "Mine"})

    assert response.status_code == 403
    assert Product.objects.count() == before


def test_staff_edit_a_product_and_name_a_lead_of_the_branch(client, cast):
    product = cast.deliverable.product
    client.force_login(cast.owner)

    response = client.post(
        f"/products/{product.pk}/edit/",
        {
            "kind": ProductKind.SURVEY,
            "title": "UN E-Government Survey",
            "edition": "2028",
            "lead": cast.owner.pk,
        },
    )

    product.refresh_from_db()
    assert response.status_code == 302
    assert (product.edition, product.lead) == ("2028", cast.owner)


def test_a_lead_of_another_branch_is_refused_and_nothing_changes(client, cast):
    product = cast.deliverable.product
    client.force_login(cast.chief)

    response = client.post(
        f"/products/{product.pk}/edit/",
        {"kind": ProductKind.SURVEY, "title": "Renamed", "lead": cast.other_branch_staff.pk},
    )

    product.refresh_from_db()
    assert response.status_code == 400
    assert product.title == "UN E-Government Survey"


def test_update_product_refuses_another_branchs_staff(cast):
    product = cast.deliverable.product

    with pytest.raises(Exception) as refused:
        planning.update_product(cast.other_branch_staff, product, title="Taken over")

    assert refused.type.__name__ == "PermissionDenied"
    product.refresh_from_db()
    assert product.title == "UN E-Government Survey"


def test_product_list_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.chief)
    for n in range(3):
        ProductFactory(actor=cast.chief, title=f"Small {n}", lead=cast.chief)
    with django_assert_num_queries(8):
        small = client.get("/products/")
    assert small.status_code == 200
    for n in range(30):
        product = ProductFactory(actor=cast.chief, title=f"Large {n}", lead=cast.owner)
        DeliverableFactory(product=product, owner=cast.owner, due_date=DUE)

    with django_assert_num_queries(8):
        large = client.get("/products/")

    assert large.status_code == 200
    assert Product.objects.count() == 34


# --- deliverables --------------------------------------------------------------------------


def test_staff_add_a_deliverable_to_a_product(client, cast, colleague):
    product = cast.deliverable.product
    client.force_login(colleague)

    response = client.post(
        f"/deliverables/new/?product={product.pk}",
        {
            "product": product.pk,
            "title": "Regional annex",
            "kind": "chapter",
            "owner": colleague.pk,
            "due_date": "2026-09-30",
        },
        follow=True,
    )

    deliverable = Deliverable.objects.get(title="Regional annex")
    assert (deliverable.owner, deliverable.state) == (colleague, S.PLANNED)
    assert response.redirect_chain == [(f"/deliverables/{deliverable.pk}/", 302)]
    assert "“Regional annex” was added to UN E-Government Survey 2026. Next: upload a draft." in (
        html(response)
    )


def test_a_deliverable_due_in_the_past_is_refused(client, cast):
    product = cast.deliverable.product
    client.force_login(cast.chief)
    before = Deliverable.objects.count()

    response = client.post(
        f"/deliverables/new/?product={product.pk}",
        {
            "product": product.pk,
            "title": "Late annex",
            "kind": "chapter",
            "owner": cast.owner.pk,
            "due_date": "2026-01-01",
        },
    )

    assert response.status_code == 400
    assert "The due date is in the past." in html(response)
    assert Deliverable.objects.count() == before


def test_an_owner_outside_the_branch_is_refused(client, cast):
    product = cast.deliverable.product
    client.force_login(cast.chief)
    before = Deliverable.objects.count()

    response = client.post(
        f"/deliverables/new/?product={product.pk}",
        {
            "product": product.pk,
            "title": "Annex",
            "kind": "chapter",
            "owner": cast.other_branch_staff.pk,
            "due_date": "2026-09-30",
        },
    )

    assert response.status_code == 400
    assert Deliverable.objects.count() == before


def test_another_branchs_staff_may_not_add_to_the_product(client, cast):
    product = cast.deliverable.product
    client.force_login(cast.other_branch_staff)
    before = Deliverable.objects.count()

    response = client.post(
        f"/deliverables/new/?product={product.pk}",
        {
            "product": product.pk,
            "title": "Mine",
            "kind": "chapter",
            "owner": cast.other_branch_staff.pk,
            "due_date": "2026-09-30",
        },
    )

    assert response.status_code == 404
    assert Deliverable.objects.count() == before


def test_the_owner_edits_the_deliverable_with_one_history_line(client, cast, planned):
    client.force_login(cast.owner)
    lines = DeliverableHistory.objects.filter(deliverable=planned).count()

    response = client.post(
        f"/deliverables/{planned.pk}/edit/",
        {"title": "Methodology annex (revised)", "kind": "chapter", "description": "Scope."},
        follow=True,
    )

    planned.refresh_from_db()
    assert (planned.title, planned.description) == ("Methodology annex (revised)", "Scope.")
    assert DeliverableHistory.objects.filter(deliverable=planned).count() == lines + 1
    assert "Your changes to “Methodology annex” were saved." in html(response)


def test_the_owner_is_not_offered_to_move_the_deliverable(client, cast, planned):
    client.force_login(cast.owner)

    owner_form = html(client.get(f"/deliverables/{planned.pk}/edit/"))
    client.force_login(cast.chief)
    chief_form = html(client.get(f"/deliverables/{planned.pk}/edit/"))

    assert ('name="product"' in owner_form, 'name="product"' in chief_form) == (False, True)


def test_a_colleague_may_not_edit_and_nothing_changes(client, cast, colleague, planned):
    client.force_login(colleague)
    before = _state(planned)

    response = client.post(
        f"/deliverables/{planned.pk}/edit/", {"title": "Mine now", "kind": "chapter"}
    )

    assert response.status_code == 403
    assert _state(planned) == before


# --- the hand-over ------------------------------------------------------------------------


def test_the_chief_hands_a_deliverable_over(client, cast, colleague, planned):
    client.force_login(cast.chief)
    colleague.first_name, colleague.last_name = "Cora", "Lindqvist"
    colleague.save()

    response = client.post(
        f"/deliverables/{planned.pk}/hand-over/", {"owner": colleague.pk}, follow=True
    )

    planned.refresh_from_db()
    assert planned.owner == colleague
    assert "“Methodology annex” now belongs to Cora Lindqvist." in html(response)
    assert DeliverableHistory.objects.filter(deliverable=planned).last().params["owner"] == (
        "Cora Lindqvist"
    )


def test_the_owner_may_not_hand_over_and_nothing_changes(client, cast, colleague, planned):
    client.force_login(cast.owner)
    before = _state(planned)

    response = client.post(f"/deliverables/{planned.pk}/hand-over/", {"owner": colleague.pk})

    assert response.status_code == 403
    assert _state(planned) == before


def test_a_hand_over_outside_the_branch_is_refused_on_the_form(client, cast, planned):
    client.force_login(cast.chief)
    before = _state(planned)

    response = client.post(
        f"/deliverables/{planned.pk}/hand-over/", {"owner": cast.other_branch_staff.pk}
    )

    assert response.status_code == 400
    assert _state(planned) == before


def test_the_hand_over_page_offers_only_the_branchs_people(client, cast, colleague, planned):
    client.force_login(cast.chief)

    page = html(client.get(f"/deliverables/{planned.pk}/hand-over/"))

    assert f'value="{colleague.pk}"' in page
    assert f'value="{cast.other_branch_staff.pk}"' not in page
    assert f'value="{cast.owner.pk}"' not in page  # already theirs


# --- send a draft for review in one step ---------------------------------------------------


def _files(settings) -> set:
    root = settings.MEDIA_ROOT
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _send(client, deliverable, *, reviewers, due="2026-03-23", upload=None):
    return client.post(
        f"/deliverables/{deliverable.pk}/send-for-review/",
        {
            "file": upload or pdf(),
            "notes": "First full draft.",
            "reviewers": [r.pk for r in reviewers],
            "due_date": due,
        },
    )


def test_the_owner_sends_a_planned_draft_for_review_in_one_step(
    client, cast, planned, django_capture_on_commit_callbacks
):
    client.force_login(cast.owner)
    reviewer = cast.unassigned_reviewer

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, planned, reviewers=[reviewer])

    planned.refresh_from_db()
    round_ = ReviewRound.objects.get(deliverable=planned)
    assignment = ReviewAssignment.objects.get(deliverable=planned)
    assert response.status_code == 302
    assert response["Location"] == f"/deliverables/{planned.pk}/"
    assert planned.state == S.IN_REVIEW
    assert (round_.state, round_.version.number, round_.version.notes) == (
        RoundState.OPEN,
        1,
        "First full draft.",
    )
    assert (assignment.reviewer, assignment.due_date, assignment.state) == (
        reviewer,
        datetime.date(2026, 3, 23),
        AssignmentState.INVITED,
    )
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    page = html(client.get(f"/deliverables/{planned.pk}/"))
    assert (
        "“Methodology annex” is now in review: 1 reviewer was asked to review it by "
        "23 March 2026." in page
    )


def test_a_revising_draft_is_sent_again_with_two_reviewers(client, cast, colleague):
    deliverable = DeliverableFactory(
        product=cast.deliverable.product, owner=cast.owner, state=S.REVISING, due_date=DUE
    )
    client.force_login(cast.chief)

    response = _send(client, deliverable, reviewers=[cast.unassigned_reviewer, colleague])

    deliverable.refresh_from_db()
    assert response.status_code == 302
    assert deliverable.state == S.IN_REVIEW
    assert ReviewRound.objects.filter(deliverable=deliverable).count() == 2
    assert (
        ReviewAssignment.objects.filter(
            deliverable=deliverable, round__state=RoundState.OPEN
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("no reviewer", "reviewers"),
        ("past due", "due_date"),
        ("not a document", "file"),
        ("the chief as reviewer", "reviewers"),
    ],
)
def test_bad_input_saves_nothing_and_sends_nothing(
    client, cast, planned, case, field, django_capture_on_commit_callbacks
):
    client.force_login(cast.owner)
    before = _state(planned)
    reviewers = {"no reviewer": [], "the chief as reviewer": [cast.chief]}.get(
        case, [cast.unassigned_reviewer]
    )
    due = "2026-01-01" if case == "past due" else "2026-03-23"
    upload = (
        SimpleUploadedFile("draft.pdf", b"not a pdf", content_type="application/pdf")
        if case == "not a document"
        else None
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, planned, reviewers=reviewers, due=due, upload=upload)

    assert response.status_code == 400
    assert f'id="id_upload_{field}_error"' in html(response)
    assert _state(planned) == before
    assert mail.outbox == []


def test_send_for_review_is_all_or_nothing_when_a_late_step_fails(
    cast, planned, monkeypatch, settings
):
    """The last step (choosing reviewers) refuses after the draft was stored and the round
    opened: the version, its file, the round, the state and the history all go."""

    def refuse(*args, **kwargs):
        raise ValidationError({"reviewers": "Refused at the last step."})

    monkeypatch.setattr(services, "assign_reviewers", refuse)
    before = _state(planned)
    files_before = _files(settings)

    with pytest.raises(ValidationError):
        planning.send_for_review(
            cast.owner,
            planned,
            upload=pdf(),
            reviewers=[cast.unassigned_reviewer],
            due_date=datetime.date(2026, 3, 23),
        )

    assert _state(planned) == before
    assert _files(settings) == files_before
    assert mail.outbox == []


def test_send_for_review_refuses_someone_who_may_not_manage_and_changes_nothing(
    cast, colleague, planned
):
    before = _state(planned)

    with pytest.raises(Exception) as refused:
        planning.send_for_review(
            colleague,
            planned,
            upload=pdf(),
            reviewers=[cast.unassigned_reviewer],
            due_date=datetime.date(2026, 3, 23),
        )

    assert refused.type.__name__ == "PermissionDenied"
    assert _state(planned) == before


def test_a_colleague_posting_the_one_step_form_is_refused(client, cast, colleague, planned):
    client.force_login(colleague)
    before = _state(planned)

    response = _send(client, planned, reviewers=[cast.unassigned_reviewer])

    assert response.status_code == 403
    assert _state(planned) == before
    assert mail.outbox == []


def test_a_deliverable_in_review_is_not_sent_again(client, cast):
    client.force_login(cast.owner)

    response = client.get(f"/deliverables/{cast.deliverable.pk}/send-for-review/", follow=True)

    assert response.redirect_chain == [(f"/deliverables/{cast.deliverable.pk}/", 302)]
    assert "A new version can be uploaded while planned, drafting or revising" in html(response)


# --- the reviewer chooser --------------------------------------------------------------------


@pytest.fixture
def pool(db):
    """CEPA members with expertise, a region, an away period and a declared conflict."""
    africa = Region.objects.get(code="africa")
    ada = person(Role.CEPA_MEMBER, username="ada", first_name="Ada", last_name="Okafor")
    ReviewerProfileFactory(user=ada, themes="open data, cybersecurity", regions=["africa"])
    bo = person(Role.CEPA_MEMBER, username="bo", first_name="Bo", last_name="Nilsson")
    ReviewerProfileFactory(user=bo, themes="digital services", max_assignments=2)
    AwayPeriodFactory(
        reviewer=bo, start=TODAY + datetime.timedelta(days=10), end=TODAY + datetime.timedelta(30)
    )
    return {"ada": ada, "bo": bo, "africa": africa}


def _names(page: str, people) -> list[str]:
    return [p.username for p in people if f'value="{p.pk}"' in page]


def test_chooser_searches_by_name(client, cast, planned, pool):
    client.force_login(cast.owner)

    page = html(client.get(f"/deliverables/{planned.pk}/send-for-review/?name=okaf"))

    assert _names(page, [pool["ada"], pool["bo"], cast.unassigned_reviewer]) == ["ada"]


def test_chooser_filters_by_expertise_and_region(client, cast, planned, pool):
    client.force_login(cast.owner)
    url = f"/deliverables/{planned.pk}/send-for-review/"

    by_theme = html(client.get(f"{url}?theme=digital+services"))
    by_region = html(client.get(f"{url}?region=africa"))

    people = [pool["ada"], pool["bo"], cast.unassigned_reviewer]
    assert (_names(by_theme, people), _names(by_region, people)) == (["bo"], ["ada"])


def test_chooser_shows_load_and_away_periods_before_the_due_date(client, cast, planned, pool):
    client.force_login(cast.owner)
    url = f"/deliverables/{planned.pk}/send-for-review/?name=nilsson"

    before_away = html(client.get(f"{url}&due=2026-03-10"))
    during_away = html(client.get(f"{url}&due=2026-03-23"))

    away = '<time datetime="2026-03-12">12 March 2026</time> to <time datetime="2026-04-01">'
    assert "0 of at most 2" in during_away
    assert away not in before_away
    assert away in during_away
    assert 'value="2026-03-23"' in during_away  # the search's due date is the form's


def test_chooser_marks_a_declared_conflict_of_interest(client, cast, pool):
    deliverable = cast.deliverable
    ada = pool["ada"]
    assignment = services.assign_reviewers(cast.owner, deliverable, [ada], DUE)[0]
    services.decline_assignment(ada, assignment, "I advised on it.", conflict_of_interest=True)
    services.fire_transition(cast.chief, deliverable, "return_for_revision", comment="Revise.")
    client.force_login(cast.owner)

    page = html(client.get(f"/deliverables/{deliverable.pk}/send-for-review/?name=ada"))

    assert "Declared a conflict of interest on an earlier round." in page


def test_chooser_search_date_and_the_reviews_due_date_have_their_own_labels(client, cast, planned):
    client.force_login(cast.owner)

    page = html(client.get(f"/deliverables/{planned.pk}/send-for-review/"))

    assert page.count(">Reviews due<") == 1
    assert ">Show absences until<" in page


def test_chooser_shows_the_standing_conflicts_of_a_reviewer_profile(client, cast, planned, pool):
    profile = pool["ada"].reviewer_profile
    profile.conflicts = "Ministry of ICT of Ghana (adviser)"
    profile.save(update_fields=["conflicts"])
    client.force_login(cast.owner)

    page = html(client.get(f"/deliverables/{planned.pk}/send-for-review/?name=ada"))

    assert "Standing conflicts of interest: Ministry of ICT of Ghana (adviser)" in page


def test_chooser_says_why_someone_found_by_name_cannot_be_chosen(client, cast, planned):
    cast.chief.first_name = "Chidi"
    cast.chief.save()
    client.force_login(cast.owner)

    page = html(client.get(f"/deliverables/{planned.pk}/send-for-review/?name=chidi"))

    name = cast.chief.get_full_name()
    assert f"{name} is the branch chief, who decides on this deliverable: not a reviewer." in page
    assert f'name="reviewers" value="{cast.chief.pk}"' not in page


def test_assign_reviewers_page_has_the_same_search(client, cast, pool):
    client.force_login(cast.owner)

    page = html(client.get(f"/deliverables/{cast.deliverable.pk}/reviewers/?name=bo"))

    assert _names(page, [pool["ada"], pool["bo"]]) == ["bo"]
    assert 'id="find_name"' in page


def test_a_superuser_without_a_branch_chooses_the_products_branch(client, superuser):
    client.force_login(superuser)
    pacb = branch("pacb")

    form = client.get("/products/new/")
    response = client.post(
        "/products/new/", {"branch": pacb.pk, "kind": ProductKind.REPORT, "title": "Annual report"}
    )

    assert 'name="branch"' in html(form)
    assert response.status_code == 302
    assert Product.objects.get(title="Annual report").branch == pacb


def test_product_page_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    product = cast.deliverable.product
    client.force_login(cast.chief)
    # (one of them: the product's review form, `workflows.review_forms.form_of`)
    with django_assert_num_queries(10):
        small = client.get(f"/products/{product.pk}/")
    assert small.status_code == 200
    for _n in range(12):
        DeliverableFactory(product=product, owner=cast.owner, due_date=DUE)

    with django_assert_num_queries(10):
        large = client.get(f"/products/{product.pk}/")

    assert large.status_code == 200
    assert html(large).count('class="card deliverable-row"') == 13
