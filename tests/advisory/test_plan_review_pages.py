"""The review of the plan of action and the request's history on the pages, from the outside
(Django's test client): the request page's "Review of the plan of action" and "History"
sections, the form that sends the plan to review, and the way back from the review's
deliverable page to the request."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from advisory import services as advisory
from advisory.enums import DocumentKind, RequestAction, RequestState
from advisory.models import AdvisoryRequest, RequestHistory
from cepa_collab.enums import Role
from cepa_collab.models import Profile
from tests.factories import person
from workflows import services as workflow
from workflows.enums import DeliverableKind, DeliverableState
from workflows.models import Deliverable

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = RequestState
SECRET = "Budget line still disputed with UNDP: do not show the Government."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail(adv: AdvisoryRequest) -> str:
    return f"/advisory-requests/{adv.pk}/"


def send_url(adv: AdvisoryRequest) -> str:
    return f"/advisory-requests/{adv.pk}/plan-review/"


def nothing_sent(adv: AdvisoryRequest) -> None:
    """No review deliverable, no history line about it: nothing half-written."""
    reloaded = AdvisoryRequest.objects.get(pk=adv.pk)
    assert reloaded.plan_review_id is None
    assert not Deliverable.objects.filter(kind=DeliverableKind.PLAN_OF_ACTION).exists()
    assert not reloaded.history.filter(action=RequestAction.PLAN_REVIEW).exists()
    assert not reloaded.documents.exclude(review_version=None).exists()


@pytest.fixture
def drafted(request_in, ira, chief) -> AdvisoryRequest:
    """Oman's request with its plan drafted; drafting came with an internal comment."""
    adv = request_in(S.ANALYSIS)
    advisory.fire_transition(ira, adv, "draft_plan", comment=SECRET)
    return AdvisoryRequest.objects.get(pk=adv.pk)


# --- sending the plan to review -------------------------------------------------------------


@pytest.mark.parametrize("who", ["ira", "chief"])
def test_the_lead_or_the_chief_sends_the_plan_and_lands_on_its_review_page(
    client, request, drafted, who
):
    client.force_login(request.getfixturevalue(who))

    response = client.post(send_url(drafted), {"due_date": _in(21).isoformat()})

    deliverable = AdvisoryRequest.objects.get(pk=drafted.pk).plan_review
    assert response.status_code == 302
    assert response["Location"] == f"/deliverables/{deliverable.pk}/"
    assert (deliverable.state, deliverable.due_date, deliverable.owner.username) == (
        DeliverableState.IN_REVIEW,
        _in(21),
        "ira",
    )
    assert [r.number for r in deliverable.rounds.all()] == [1]
    page = html_of(client, response["Location"])
    assert "The plan of action is in review. Choose its reviewers here" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("team_member", 403),
        ("staff", 403),
        ("focal_point", 403),
        ("cepa_member", 404),
        ("other_focal_point", 404),
        ("other_branch_staff", 404),
    ],
)
def test_nobody_else_sends_the_plan_to_review(client, request, drafted, who, status):
    client.force_login(request.getfixturevalue(who))

    response = client.post(send_url(drafted), {"due_date": _in(21).isoformat()})

    assert response.status_code == status
    nothing_sent(drafted)


def test_sending_needs_a_login(client, drafted):
    response = client.post(send_url(drafted), {"due_date": _in(21).isoformat()})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    nothing_sent(drafted)


@pytest.mark.parametrize(
    ("due_date", "message"),
    [
        ("", "Say when the reviewed plan should be final."),
        ((timezone.localdate() - datetime.timedelta(days=1)).isoformat(), "past"),
    ],
    ids=["missing", "past"],
)
def test_a_missing_or_past_due_date_is_a_form_error(client, ira, drafted, due_date, message):
    client.force_login(ira)
    if message == "past":
        message = "The due date is in the past."

    response = client.post(send_url(drafted), {"due_date": due_date})

    assert response.status_code == 400
    form = response.context["plan_review_form"]
    assert form.errors == {"due_date": [message]}
    html = response.content.decode()
    assert f'<a href="#id_plan_review_due_date">{message}</a>' in html
    assert f'<p class="error-message" id="id_plan_review_due_date_error">{message}</p>' in html
    assert f"<title>Error: {drafted.title} · CEPA Collab</title>" in html
    nothing_sent(drafted)


def test_without_a_plan_the_error_says_to_upload_it(client, request_in, ira, pdf_file):
    # given a request in analysis whose plan is not uploaded yet
    adv = request_in(S.MISSION_COMPLETED)
    advisory.fire_transition(ira, adv, "start_analysis")
    client.force_login(ira)
    assert "Send the plan of action to review" not in html_of(client, detail(adv))

    response = client.post(send_url(adv), {"due_date": _in(21).isoformat()})

    assert response.status_code == 400
    assert response.context["errors"][0].non_field_errors() == ["Upload the plan of action first."]
    nothing_sent(adv)


def test_sending_when_the_state_does_not_allow_it_says_why(client, request_in, ira):
    adv = request_in(S.MISSION_COMPLETED)
    client.force_login(ira)

    response = client.post(send_url(adv), {"due_date": _in(21).isoformat()}, follow=True)

    assert response.redirect_chain == [(detail(adv), 302)]
    assert (
        "The plan of action goes to review during analysis or once drafted, not while "
        "mission completed." in response.content.decode()
    )
    nothing_sent(adv)


def test_sending_again_while_in_review_is_a_conflict_not_a_second_round(client, ira, drafted):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    client.force_login(ira)

    response = client.post(send_url(drafted), {"due_date": _in(30).isoformat()}, follow=True)

    assert response.redirect_chain == [(detail(drafted), 302)]
    assert "The plan of action is already in review." in response.content.decode()
    deliverable.refresh_from_db()
    assert (deliverable.due_date, deliverable.rounds.count()) == (_in(21), 1)


def test_after_a_return_a_new_version_goes_to_round_2_keeping_the_due_date(
    client, ira, chief, drafted, pdf_file
):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    workflow.fire_transition(chief, deliverable, "return_for_revision", comment="Costs missing.")
    advisory.upload_document(ira, drafted, DocumentKind.PLAN_OF_ACTION, pdf_file("plan-v2.pdf"))
    client.force_login(ira)
    form = html_of(client, detail(drafted))
    # the form is offered again, with the current due date and nothing required
    assert f'value="{_in(21).isoformat()}"' in form
    assert "required" not in form.split('id="id_plan_review_due_date"')[0].rsplit("<input", 1)[1]

    response = client.post(send_url(drafted), {"due_date": ""})

    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.state, deliverable.due_date) == (DeliverableState.IN_REVIEW, _in(21))
    assert list(deliverable.rounds.values_list("number", flat=True)) == [1, 2]


# --- the section on the request page ----------------------------------------------------------


@pytest.mark.parametrize(("who", "has_form"), [("ira", True), ("chief", True), ("staff", False)])
def test_the_form_is_offered_to_the_lead_and_the_chief_only(
    client, request, drafted, who, has_form
):
    client.force_login(request.getfixturevalue(who))

    html = html_of(client, detail(drafted))

    assert "Review of the plan of action" in html
    assert "The plan of action has not been sent to review." in html
    assert (f'action="{send_url(drafted)}"' in html) is has_form


def test_before_the_analysis_there_is_no_plan_review_section(client, request_in, chief):
    adv = request_in(S.MISSION_COMPLETED)
    client.force_login(chief)

    html = html_of(client, detail(adv))

    assert "Review of the plan of action" not in html
    assert 'id="history-heading"' in html


def test_the_section_shows_where_the_review_stands(
    client, ira, chief, drafted, cepa_member, pdf_file
):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    second = person(Role.CEPA_MEMBER, username="lars", country="SWE")
    first, _other = workflow.assign_reviewers(ira, deliverable, [cepa_member, second], _in(10))
    workflow.accept_assignment(cepa_member, first)
    workflow.save_review(
        cepa_member, first, recommendation="minor_revision", comments="Add costs.", submit=True
    )
    client.force_login(chief)

    html = html_of(client, detail(drafted))

    section = html.split('id="plan-review-heading"')[1].split("</section>")[0]
    assert (
        '<dt>State of the review</dt><dd><strong class="tag tag--in_review">In review</strong>'
        in section
    )
    assert "<dt>Round</dt><dd>Round 1, open</dd>" in section
    assert "<dt>Reviewers</dt><dd>2 assigned, 1 submitted</dd>" in section
    assert (
        f'<time datetime="{_in(21).isoformat()}">{_in(21):%-d %B %Y}</time> '
        '<span class="due due--later">in 21 days</span>'
    ) in section
    assert f'href="/deliverables/{deliverable.pk}/"' in section
    # in review: nothing to send
    assert "Send the plan of action to review" not in section


@pytest.mark.parametrize("who", ["ira", "chief", "staff", "team_member", "secretariat_admin"])
def test_internal_viewers_see_the_history_with_the_transition_comments(
    client, request, ira, drafted, who
):
    advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    client.force_login(request.getfixturevalue(who))

    html = html_of(client, detail(drafted))

    history = html.split('id="history-heading"')[1].split("</section>")[0]
    assert SECRET in history
    assert "from Analysis to Plan of action drafted" in history
    assert "<p>Plan of action, version 1, sent to review (round 1).</p>" in history


def test_the_focal_point_sees_neither_the_review_nor_the_history(client, ira, focal_point, drafted):
    advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    client.force_login(focal_point)

    html = html_of(client, detail(drafted))

    # the plan itself is theirs to read, not its review nor the request's history
    assert "Plan of action drafted" in html
    assert "Review of the plan of action" not in html
    assert 'id="history-heading"' not in html
    assert SECRET not in html
    assert "/deliverables/" not in html
    assert "sent to review" not in html


def test_history_rows_say_when_in_the_viewer_time_zone_who_and_what(
    client, request_in, ira, staff, chief
):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        adv = request_in(S.ACCEPTED)
    Profile.objects.filter(user=ira).update(time_zone="Asia/Muscat")
    client.force_login(ira)

    html = html_of(client, detail(adv))

    timeline = html.split('id="history-heading"')[1].split("</ol>")[0]
    items = timeline.split('<li class="timeline__item">')[1:]
    whens = [item.split('<p class="timeline__when">')[1].split("</p>")[0] for item in items]
    whats = [item.split('<p class="timeline__what">')[1].split("</p>")[0] for item in items]
    assert "(times in Asia/Muscat)" in html
    assert whats == [
        f"<strong>Recorded</strong>: Received — {staff.get_full_name()}",
        f"<strong>State change</strong>: from Received to Accepted — {chief.get_full_name()}",
        f"<strong>Lead and team</strong> — {chief.get_full_name()}",
        f"<strong>Lead and team</strong> — {chief.get_full_name()}",
    ]
    assert [when.split('">', 1)[1] for when in whens] == ["2 March 2026, 13:00</time>"] * 4


def _add_history(adv: AdvisoryRequest, count: int) -> None:
    actors = [
        person(Role.CEPA_MEMBER, username=f"actor{adv.history.count() + i}") for i in range(count)
    ]
    RequestHistory.objects.bulk_create(
        RequestHistory(request=adv, actor=actor, action=RequestAction.MILESTONE, comment="Moved.")
        for actor in actors
    )


# Session, user, roles, profile, the request (with the plan's review deliverable), then what
# the page shows (documents, team, mission, milestones, comments, knowledge links, the
# branch's people for the forms, the header). The plan's review (its latest round with its
# counts) and the history (with its actors) are one query each, for internal viewers only;
# whether the viewer is on the team comes with the request (the rules ask it for free).
@pytest.mark.parametrize(("who", "queries"), [("chief", 20), ("focal_point", 13)])
def test_request_page_runs_a_fixed_number_of_queries_whatever_the_history(
    client, request, ira, drafted, who, queries, django_assert_num_queries
):
    advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    client.force_login(request.getfixturevalue(who))
    base = drafted.history.count()
    _add_history(drafted, 2)
    with django_assert_num_queries(queries):
        small = client.get(detail(drafted))
    assert small.status_code == 200
    _add_history(drafted, 10)

    with django_assert_num_queries(queries):
        large = client.get(detail(drafted))
    assert large.status_code == 200

    assert drafted.history.count() == base + 12


# --- the way back from the deliverable page -----------------------------------------------------


def test_the_review_page_links_back_to_the_request_for_the_chief(client, ira, chief, drafted):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    client.force_login(chief)

    html = html_of(client, f"/deliverables/{deliverable.pk}/")

    assert (
        f'<a href="/advisory-requests/{drafted.pk}/">Plan of action of the advisory request '
        "E-government assessment (OMN) (Oman)</a>"
    ) in html


def test_a_cepa_reviewer_reads_where_the_plan_comes_from_without_a_link(
    client, ira, drafted, cepa_member
):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    workflow.assign_reviewers(ira, deliverable, [cepa_member], _in(10))
    client.force_login(cepa_member)

    html = html_of(client, f"/deliverables/{deliverable.pk}/")

    assert (
        '<p class="meta">Plan of action of the advisory request E-government assessment (OMN) '
        "(Oman)</p>"
    ) in html
    assert "/advisory-requests/" not in html
    # and the request itself stays out of their reach
    assert client.get(detail(drafted)).status_code == 404


def test_other_deliverable_pages_have_no_way_back(client, chief, drafted, ira):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    AdvisoryRequest.objects.filter(pk=drafted.pk).update(plan_review=None)
    client.force_login(chief)

    html = html_of(client, f"/deliverables/{deliverable.pk}/")

    assert "Plan of action of the advisory request" not in html


# Session, user, roles, profile, header, the deliverable, and what its page shows (whether
# it waits for the chief's decision included); the way back to the request costs one query
# (plans of action only).
def test_the_review_page_costs_one_query_for_the_way_back(
    client, ira, chief, drafted, django_assert_num_queries
):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    client.force_login(chief)
    with django_assert_num_queries(22 + 1):
        linked = client.get(f"/deliverables/{deliverable.pk}/")
    assert linked.status_code == 200
    Deliverable.objects.filter(pk=deliverable.pk).update(kind=DeliverableKind.REPORT)

    with django_assert_num_queries(22):
        unlinked = client.get(f"/deliverables/{deliverable.pk}/")
    assert unlinked.status_code == 200


# --- the admin --------------------------------------------------------------------------------


def test_admin_shows_the_history_and_the_plan_review_read_only(client, superuser, ira, drafted):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    client.force_login(superuser)

    response = client.get(f"/admin/advisory/advisoryrequest/{drafted.pk}/change/")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "plan_review" not in form.fields
    html = response.content.decode()
    assert f'href="/admin/workflows/deliverable/{deliverable.pk}/change/"' in html
    assert SECRET in html
    assert "Plan of action, version 1, sent to review (round 1)." in html
    (history,) = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.prefix == "history"
    ]
    assert not history.has_add_permission
    assert not history.has_delete_permission
    assert not history.has_change_permission


def test_admin_lists_the_history_but_never_writes_it(client, superuser, drafted):
    entry = drafted.history.order_by("pk").first()
    client.force_login(superuser)

    listed = client.get("/admin/advisory/requesthistory/")
    opened = client.get(f"/admin/advisory/requesthistory/{entry.pk}/change/")
    added = client.get("/admin/advisory/requesthistory/add/")
    changed = client.post(
        f"/admin/advisory/requesthistory/{entry.pk}/change/", {"comment": "Rewritten."}
    )
    deleted = client.post(f"/admin/advisory/requesthistory/{entry.pk}/delete/", {"post": "yes"})

    assert (listed.status_code, opened.status_code, added.status_code) == (200, 200, 403)
    assert (changed.status_code, deleted.status_code) == (403, 403)
    entry.refresh_from_db()
    assert entry.comment == ""
    assert drafted.history.filter(pk=entry.pk).exists()


def test_admin_shows_which_plan_version_went_to_review(client, superuser, ira, drafted):
    advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    plan = advisory.latest_plan(drafted)
    client.force_login(superuser)

    response = client.get(f"/admin/advisory/requestdocument/{plan.pk}/change/")

    assert response.status_code == 200
    assert f'href="/admin/workflows/version/{plan.review_version_id}/change/"' in (
        response.content.decode()
    )


def test_after_a_return_the_form_waits_for_a_new_plan_version(
    client, request_in, ira, chief, pdf_file
):
    drafted = request_in(S.PLAN_DRAFTED)
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(30))
    workflow.fire_transition(chief, deliverable, "return_for_revision", comment="Costs missing.")
    advisory.fire_transition(ira, drafted, "start_analysis")
    client.force_login(ira)
    action = f'action="{send_url(drafted)}"'

    reviewed_only = html_of(client, detail(drafted))
    advisory.upload_document(ira, drafted, DocumentKind.PLAN_OF_ACTION, pdf_file("plan-v2.pdf"))
    new_version = html_of(client, detail(drafted))

    assert action not in reviewed_only
    assert action in new_version
