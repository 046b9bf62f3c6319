"""The contribution pages, from the outside: the list and its filters, proposing each kind,
the contribution's page and its actions, editing a draft, files, and the admin."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from contributions import services
from contributions.enums import ContributionKind, ContributionState
from contributions.models import Attachment, Contribution
from knowledge import services as knowledge
from notifications.models import Notification
from tests.contributions.contribution_fixtures import (
    NOW,
    PDF_BYTES,
    accepted,
    case_study,
    compendium,
    country,
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
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the list -----------------------------------------------------------------------------------


def titles(client, query: str = "") -> list[str]:
    response = client.get("/contributions/" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return sorted(c.title for c in response.context["page"])


def test_list_filters_by_kind_state_country_category_and_mine(client, people):
    author, staff = people["author"], people["staff"]
    case_study(author, title="Ghana draft")
    accepted(case_study(author, title="Oman case", iso3="OMN"), staff)
    accepted(repository_entry(author, title="Ghana legal", category="legal"), staff)
    accepted(case_study(people["other_member"], title="Lars case", iso3="SWE"), staff)
    login(client, author)

    assert titles(client) == ["Ghana draft", "Ghana legal", "Lars case", "Oman case"]
    assert titles(client, "kind=case_study&state=accepted") == ["Lars case", "Oman case"]
    assert titles(client, "country=OMN") == ["Oman case"]
    assert titles(client, "category=legal") == ["Ghana legal"]
    assert titles(client, "mine=on") == ["Ghana draft", "Ghana legal", "Oman case"]
    assert titles(client, "state=nonsense") == titles(client)


def test_list_offers_mine_and_proposing_to_cepa_members_only(client, people):
    submitted(case_study(people["author"], title="First"))
    submitted(case_study(people["author"], title="Second"))
    page_for_member = html(login(client, people["author"]).get("/contributions/"))
    page_for_staff = html(login(client, people["staff"]).get("/contributions/"))

    assert '<details class="filter-panel">' in page_for_staff
    assert 'name="mine"' in page_for_member
    assert 'href="/contributions/new/?kind=case_study"' in page_for_member
    assert 'name="mine"' not in page_for_staff
    assert "/contributions/new/" not in page_for_staff


def test_list_hides_the_filters_for_a_single_row_but_not_once_filtered(client, people):
    case_study(people["author"], title="Only one")
    login(client, people["author"])

    single = html(client.get("/contributions/"))
    filtered = html(client.get("/contributions/?kind=written_input"))

    assert "Only one" in single
    assert 'class="filter-panel"' not in single
    assert '<details class="filter-panel" open>' in filtered
    assert '<p class="empty">No contributions match these filters.</p>' in filtered


def test_list_shows_the_state_and_the_review_due_with_its_distance(client, people):
    contribution = submitted(case_study(people["author"], title="Sent in"))
    due = contribution.review_due
    theirs = case_study(people["other_member"], title="Theirs", iso3="OMN")
    other = accepted(theirs, people["staff"])
    login(client, people["author"])

    page = html(client.get("/contributions/"))

    row = page.split("Sent in</a></th>")[1].split("</tr>")[0]
    other_row = page.split("Theirs</a></th>")[1].split("</tr>")[0]
    days = (due - NOW.date()).days
    assert '<td><strong class="tag tag--submitted">Submitted</strong></td>' in row
    assert (
        f'<td><time datetime="{due.isoformat()}">{due:%-d %B %Y}</time> '
        f'<span class="due due--later">in {days} days</span></td>'
    ) in row
    # Another member's contribution: its review is not theirs to see.
    assert "<td>—</td>" in other_row
    assert other.review_due is not None


def test_list_shows_branch_staff_their_branchs_contributions_but_not_drafts(client, people):
    author = people["author"]
    case_study(author, title="Still a draft")
    submitted(case_study(author, title="Sent in"))
    product, _report = pacb_report(people["other_branch_staff"])
    submitted(written_input(author, product, title="For PACB"))

    assert titles(login(client, people["staff"])) == ["Sent in"]
    assert titles(login(client, people["other_branch_staff"])) == ["For PACB"]


def test_list_is_paginated_by_fifty(client, people):
    seed(people["author"], 51)
    login(client, people["author"])

    first = client.get("/contributions/?kind=case_study")
    second = client.get("/contributions/?kind=case_study&page=2")

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 1
    assert 'href="?kind=case_study&amp;page=2"' in html(first)


def test_list_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/contributions/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/contributions/"


def seed(author, count: int) -> None:
    Contribution.objects.bulk_create(
        Contribution(
            author=author,
            kind=ContributionKind.CASE_STUDY,
            branch=branch("e-govb"),
            country=country("GHA"),
            title=f"Case {n:03}",
            state=S.ACCEPTED if n % 2 else S.DRAFT,
        )
        for n in range(count)
    )


# session, user, roles, profile, the country filtered on, count, the countries of the filter,
# rows; for staff also whether they have reviews to do (the navigation).
@pytest.mark.parametrize(("who", "queries"), [("author", 9), ("staff", 10)])
def test_list_runs_a_fixed_number_of_queries(
    client, people, who, queries, django_assert_num_queries
):
    login(client, people[who])
    seed(people["author"], 10)
    with django_assert_num_queries(queries):
        small = client.get("/contributions/?kind=case_study&country=GHA")
    assert small.status_code == 200
    seed(people["author"], 190)

    with django_assert_num_queries(queries):
        large = client.get("/contributions/?kind=case_study&country=GHA")
    assert large.status_code == 200

    assert Contribution.objects.count() == 200


# --- proposing --------------------------------------------------------------------------------


def test_propose_without_a_kind_offers_the_three_kinds(client, people):
    response = login(client, people["author"]).get("/contributions/new/")

    assert response.status_code == 200
    for value, label in ContributionKind.choices:
        assert f'href="/contributions/new/?kind={value}">{label}</a>' in html(response)


@pytest.mark.parametrize(
    ("kind", "labels", "absent"),
    [
        (
            "case_study",
            [
                "Country",
                "Title",
                "Summary",
                "What is innovative",
                "Why it is transferable and adaptable",
                "Links",
                "Attach files",
            ],
            ["Repository category", "Product", "Year"],
        ),
        (
            "repository_entry",
            ["Country", "Repository category", "Title", "Year", "Document address", "Attach files"],
            ["What is innovative", "Product", "Links"],
        ),
        (
            "written_input",
            ["Product", "Deliverable (optional)", "Title", "Your input", "Attach files"],
            ["Country", "What is innovative", "Year"],
        ),
    ],
)
def test_propose_page_asks_for_the_fields_of_the_kind(client, people, kind, labels, absent):
    response = login(client, people["author"]).get(f"/contributions/new/?kind={kind}")
    page = html(response)

    fields = response.context["form"].fields
    assert response.status_code == 200
    assert [str(field.label) for field in fields.values()] == labels
    for label in absent:
        assert f">{label}</label>" not in page


@pytest.mark.parametrize("who", ["staff", "chief", "focal_point"])
def test_propose_page_is_for_cepa_members_only(client, people, who):
    login(client, people[who])

    get = client.get("/contributions/new/?kind=case_study")
    post = client.post("/contributions/new/?kind=case_study", {"title": "Mine", "save": "1"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert Contribution.objects.count() == 0


def test_propose_case_study_saves_a_draft_with_its_files(client, people):
    login(client, people["author"])

    response = client.post(
        "/contributions/new/?kind=case_study",
        {
            "country": country("GHA").pk,
            "title": "Ghana Card",
            "summary": "One card.",
            "links": "https://nia.gov.gh/\n",
            "attachments": [pdf("one.pdf"), pdf("two.pdf")],
            "save": "1",
        },
    )

    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contributions/{contribution.pk}/"
    assert (contribution.state, contribution.kind, contribution.title) == (
        S.DRAFT,
        "case_study",
        "Ghana Card",
    )
    assert sorted(a.original_name for a in contribution.attachments.all()) == [
        "one.pdf",
        "two.pdf",
    ]
    assert texts(response) == ["Your draft was saved. Only you can see it until you submit it."]


def test_propose_and_submit_an_incomplete_case_study_names_what_is_missing(client, people):
    login(client, people["author"])

    response = client.post(
        "/contributions/new/?kind=case_study",
        {"title": "Ghana Card", "summary": "One card.", "submit": "1"},
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {name: list(messages) for name, messages in errors.items()} == {
        "country": ["This field is required before submitting."],
        "innovation": ["This field is required before submitting."],
        "transferability": ["This field is required before submitting."],
    }
    assert 'href="#id_innovation"' in html(response)
    # all or nothing: the typed values are on the page, nothing was saved
    assert 'value="Ghana Card"' in html(response)
    assert Contribution.objects.count() == 0


def test_propose_and_submit_a_complete_case_study(client, people):
    login(client, people["author"])

    response = client.post(
        "/contributions/new/?kind=case_study",
        {
            "country": country("GHA").pk,
            "title": "Ghana Card",
            "summary": "One card.",
            "innovation": "At birth.",
            "transferability": "Any civil register.",
            "submit": "1",
        },
    )

    assert response.status_code == 302
    assert Contribution.objects.get().state == S.SUBMITTED
    assert texts(response) == [
        "Your contribution was submitted: the branch's staff will review it."
    ]


def test_propose_with_a_file_that_is_not_a_document_saves_nothing(client, people):
    login(client, people["author"])
    fake = SimpleUploadedFile("case.pdf", b"MZ not a pdf", content_type="application/pdf")

    response = client.post(
        "/contributions/new/?kind=case_study",
        {"title": "Ghana Card", "attachments": [fake], "save": "1"},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["attachments"]
    assert "choose the files again" in html(response)
    assert (Contribution.objects.count(), Attachment.objects.count()) == (0, 0)


def test_propose_written_input_offers_products_and_only_visible_deliverables(client, people):
    product = compendium(people["chief"])
    hidden = volume(people["chief"], people["staff"], product, title="Volume 4")
    shown = volume(people["chief"], people["staff"], product, title="Volume 5")
    workflows.fire_transition(people["staff"], shown, "start_drafting")
    workflows.upload_version(people["staff"], shown, pdf())
    workflows.fire_transition(people["staff"], shown, "submit_for_review")
    workflows.assign_reviewers(
        people["staff"], shown, [people["author"]], datetime.date(2026, 4, 1)
    )
    login(client, people["author"])

    form = client.get("/contributions/new/?kind=written_input").context["form"]
    offered = list(form.fields["deliverable"].queryset)
    posted = client.post(
        "/contributions/new/?kind=written_input",
        {"product": product.pk, "deliverable": hidden.pk, "title": "Input", "save": "1"},
    )

    assert list(form.fields["product"].queryset) == [product]
    assert offered == [shown]
    assert posted.status_code == 400
    assert list(posted.context["form"].errors) == ["deliverable"]
    assert Contribution.objects.count() == 0


def test_propose_repository_entry_requires_its_category(client, people):
    login(client, people["author"])

    response = client.post(
        "/contributions/new/?kind=repository_entry",
        {"country": country("GHA").pk, "title": "Ghana ICT4AD", "save": "1"},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["category"]


# --- the contribution's page -------------------------------------------------------------------


def action_names(response) -> list[str]:
    """The transitions offered: as forms on the page, or as links to their confirmation."""
    forms = [form.name for form in response.context["transition_forms"]]
    return forms + response.context["confirmed_transitions"]


def test_detail_shows_the_fields_files_and_state(client, people):
    contribution = case_study(people["author"])
    attachment = services.attach(people["author"], contribution, pdf("Ghana card.pdf"))
    login(client, people["author"])

    response = client.get(f"/contributions/{contribution.pk}/")
    page = html(response)

    assert response.status_code == 200
    assert "<h1>Ghana&#x27;s national digital identity</h1>" in page
    assert '<dt>State</dt><dd><strong class="tag tag--draft">Draft</strong></dd>' in page
    assert "<dt>Country</dt><dd>Ghana</dd>" in page
    assert "Issued at birth registration." in page
    assert '<a href="https://nia.gov.gh/" rel="noopener noreferrer">' in page
    assert f'href="/contributions/{contribution.pk}/attachments/{attachment.pk}/"' in page
    assert f'href="/contributions/{contribution.pk}/edit/"' in page
    assert action_names(response) == ["submit", "withdraw"]


@pytest.mark.parametrize(
    ("state", "who", "actions"),
    [
        (S.SUBMITTED, "author", ["withdraw"]),
        (S.SUBMITTED, "staff", ["start_review"]),
        (S.SUBMITTED, "chief", ["start_review"]),
        (S.SUBMITTED, "advisor", []),
        (S.UNDER_REVIEW, "staff", ["accept", "return_for_revision"]),
        (S.UNDER_REVIEW, "author", ["withdraw"]),
        (S.ACCEPTED, "author", []),
        (S.ACCEPTED, "other_member", []),
        (S.ACCEPTED, "staff", []),
    ],
)
def test_detail_offers_the_actions_of_the_person(client, people, state, who, actions):
    contribution = case_study(people["author"])
    if state == S.SUBMITTED:
        submitted(contribution)
    elif state == S.UNDER_REVIEW:
        under_review(contribution, people["staff"])
    else:
        accepted(contribution, people["staff"])
    login(client, people[who])

    response = client.get(f"/contributions/{contribution.pk}/")

    assert action_names(response) == actions
    assert ("Incorporate into a deliverable" in html(response)) == (
        state == S.ACCEPTED and who == "staff"
    )


def test_withdraw_goes_through_a_confirmation_page(client, people):
    contribution = submitted(case_study(people["author"]))
    login(client, people["author"])
    url = f"/contributions/{contribution.pk}/transition/withdraw/"

    page = html(client.get(f"/contributions/{contribution.pk}/"))
    confirm = html(client.get(url))
    response = client.post(
        f"/contributions/{contribution.pk}/transition/",
        {"transition": "withdraw", "confirmed": "1"},
    )

    assert 'value="withdraw"' not in page
    assert f'<a class="button button--secondary" href="{url}">Withdraw the contribution</a>' in page
    assert "<h1>Withdraw this contribution?</h1>" in confirm
    assert 'name="transition" value="withdraw"' in confirm
    assert (
        '<button type="submit" class="button button--warning">Withdraw the contribution</button>'
        in confirm
    )
    assert response.status_code == 302
    assert Contribution.objects.get(pk=contribution.pk).state == S.WITHDRAWN


def test_withdraw_posted_without_confirmation_asks_first_and_changes_nothing(client, people):
    contribution = submitted(case_study(people["author"]))
    login(client, people["author"])

    response = client.post(
        f"/contributions/{contribution.pk}/transition/", {"transition": "withdraw"}
    )

    assert response.status_code == 200
    assert "<h1>Withdraw this contribution?</h1>" in html(response)
    assert Contribution.objects.get(pk=contribution.pk).state == S.SUBMITTED


@pytest.mark.parametrize(
    ("who", "name", "status"),
    [("staff", "withdraw", 403), ("author", "submit", 404), ("author", "nonsense", 404)],
)
def test_confirmation_page_is_refused_to_others_and_for_other_actions(
    client, people, who, name, status
):
    contribution = submitted(case_study(people["author"]))
    login(client, people[who])

    response = client.get(f"/contributions/{contribution.pk}/transition/{name}/")

    assert response.status_code == status
    assert Contribution.objects.get(pk=contribution.pk).state == S.SUBMITTED


def test_confirmation_page_of_a_withdrawn_contribution_says_so(client, people):
    contribution = submitted(case_study(people["author"]))
    services.fire_transition(people["author"], contribution, "withdraw")
    login(client, people["author"])

    response = client.get(f"/contributions/{contribution.pk}/transition/withdraw/", follow=True)

    assert response.redirect_chain == [(f"/contributions/{contribution.pk}/", 302)]
    assert "is not possible: the contribution is now withdrawn." in html(response)


def test_return_without_a_comment_is_refused_on_the_page(client, people):
    contribution = under_review(case_study(people["author"]), people["staff"])
    login(client, people["staff"])

    response = client.post(
        f"/contributions/{contribution.pk}/transition/",
        {"transition": "return_for_revision", "comment": ""},
    )

    assert response.status_code == 400
    assert "Say what should change." in html(response)
    assert Contribution.objects.get(pk=contribution.pk).state == S.UNDER_REVIEW
    assert Notification.objects.count() == 0


def test_return_with_comments_shows_them_to_the_author(client, people):
    contribution = under_review(case_study(people["author"]), people["staff"])
    login(client, people["staff"])

    response = client.post(
        f"/contributions/{contribution.pk}/transition/",
        {"transition": "return_for_revision", "comment": "Add the 2025 figures."},
    )
    page = html(login(client, people["author"]).get(f"/contributions/{contribution.pk}/"))
    edit = html(client.get(f"/contributions/{contribution.pk}/edit/"))

    assert response.status_code == 302
    assert texts(response) == ["Done: Return for revision."]
    assert "Add the 2025 figures." in page
    assert "What the reviewer asked you to change" in edit
    assert "Add the 2025 figures." in edit


def test_review_comments_are_not_shown_to_other_members(client, people):
    contribution = accepted(case_study(people["author"]), people["staff"], comment="Internal.")

    page = html(login(client, people["other_member"]).get(f"/contributions/{contribution.pk}/"))

    assert "Internal." not in page
    assert "Reviewer&#x27;s comments" not in page


def test_submit_of_an_incomplete_draft_on_its_page_says_what_is_missing(client, people):
    draft = case_study(people["author"], innovation="", transferability="")
    login(client, people["author"])

    response = client.post(f"/contributions/{draft.pk}/transition/", {"transition": "submit"})

    assert response.status_code == 400
    assert response.context["bound_transition"].non_field_errors() == [
        "Before you submit it, complete the draft:",
        "what is innovative: This field is required before submitting.",
        "why it is transferable and adaptable: This field is required before submitting.",
    ]
    assert Contribution.objects.get(pk=draft.pk).state == S.DRAFT


def test_transition_from_a_stale_page_is_a_message_not_an_error(client, people):
    contribution = submitted(case_study(people["author"]))
    services.fire_transition(people["chief"], contribution, "start_review")
    login(client, people["staff"])

    response = client.post(
        f"/contributions/{contribution.pk}/transition/", {"transition": "start_review"}
    )

    assert response.status_code == 302
    assert texts(response) == [
        "“Start review” is not possible: the contribution is now under review."
    ]


# --- incorporation and citations -------------------------------------------------------------


def test_incorporate_offers_the_branchs_deliverables_and_records_the_choice(client, people):
    product = compendium(people["chief"])
    vol = volume(people["chief"], people["staff"], product)
    pacb_report(people["other_branch_staff"])
    contribution = accepted(case_study(people["author"]), people["staff"])
    login(client, people["staff"])

    form = client.get(f"/contributions/{contribution.pk}/").context["incorporate_form"]
    response = client.post(
        f"/contributions/{contribution.pk}/incorporate/", {"deliverable": vol.pk}
    )

    assert list(form.fields["deliverable"].queryset) == [vol]
    assert response.status_code == 302
    assert Contribution.objects.get(pk=contribution.pk).incorporated_into == vol
    assert texts(response) == [
        "Recorded: the contribution was incorporated into “Compendium, volume 4”."
    ]


def test_incorporate_into_another_branchs_deliverable_is_refused(client, people):
    _product, report = pacb_report(people["other_branch_staff"])
    contribution = accepted(case_study(people["author"]), people["staff"])
    login(client, people["staff"])

    response = client.post(
        f"/contributions/{contribution.pk}/incorporate/", {"deliverable": report.pk}
    )

    assert response.status_code == 400
    assert list(response.context["incorporate_form"].errors) == ["deliverable"]
    assert Contribution.objects.get(pk=contribution.pk).incorporated_into is None


@pytest.mark.parametrize("who", ["author", "other_member", "advisor"])
def test_incorporate_by_others_is_forbidden(client, people, who):
    vol = volume(people["chief"], people["staff"], compendium(people["chief"]))
    contribution = accepted(case_study(people["author"]), people["staff"])
    login(client, people[who])

    response = client.post(
        f"/contributions/{contribution.pk}/incorporate/", {"deliverable": vol.pk}
    )

    assert response.status_code == 403
    assert Contribution.objects.get(pk=contribution.pk).incorporated_into is None


def test_detail_shows_where_it_went_and_who_cites_it_as_each_may_see(client, people):
    product = compendium(people["chief"])
    vol = volume(people["chief"], people["staff"], product)
    contribution = accepted(case_study(people["author"]), people["staff"])
    services.incorporate(people["staff"], contribution, vol)
    knowledge.link_contribution(people["staff"], vol, contribution, "Case 12")

    staff_page = html(login(client, people["staff"]).get(f"/contributions/{contribution.pk}/"))
    author_page = html(login(client, people["author"]).get(f"/contributions/{contribution.pk}/"))
    other_page = html(
        login(client, people["other_member"]).get(f"/contributions/{contribution.pk}/")
    )

    link = f'<a href="/deliverables/{vol.pk}/">Compendium, volume 4</a>'
    assert staff_page.count(link) == 2
    assert "Case 12" in staff_page
    # the author is told the titles (not links: they may not open the volume)
    assert link not in author_page
    assert "<dt>Incorporated into</dt><dd>Compendium, volume 4</dd>" in author_page
    assert "Compendium, volume 4 — Case 12" in author_page
    assert "Compendium, volume 4" not in other_page
    assert "No deliverable cites it yet." in other_page


# --- editing and files ------------------------------------------------------------------------


def test_edit_page_changes_the_draft_and_adds_files(client, people):
    draft = case_study(people["author"])
    login(client, people["author"])

    form = client.get(f"/contributions/{draft.pk}/edit/").context["form"]
    response = client.post(
        f"/contributions/{draft.pk}/edit/",
        {
            "country": country("SEN").pk,
            "title": "Senegal's e-ID",
            "summary": "s",
            "innovation": "i",
            "transferability": "t",
            "attachments": [pdf("senegal.pdf")],
            "save": "1",
        },
    )

    saved = Contribution.objects.get(pk=draft.pk)
    assert form.initial["title"] == "Ghana's national digital identity"
    assert response.status_code == 302
    assert (saved.title, saved.country.iso3, saved.state) == ("Senegal's e-ID", "SEN", S.DRAFT)
    assert [a.original_name for a in saved.attachments.all()] == ["senegal.pdf"]


def test_edit_and_resubmit_a_returned_contribution(client, people):
    contribution = returned(case_study(people["author"]), people["staff"])
    login(client, people["author"])

    response = client.post(
        f"/contributions/{contribution.pk}/edit/",
        {
            "country": country("GHA").pk,
            "title": "With figures",
            "summary": "s",
            "innovation": "i",
            "transferability": "t",
            "submit": "1",
        },
    )

    saved = Contribution.objects.get(pk=contribution.pk)
    assert response.status_code == 302
    assert (saved.title, saved.state) == ("With figures", S.SUBMITTED)


def test_edit_and_submit_with_one_bad_file_saves_nothing_and_keeps_no_file(
    client, people, settings
):
    contribution = returned(case_study(people["author"]), people["staff"])
    login(client, people["author"])
    fake = SimpleUploadedFile("figures.pdf", b"MZ not a pdf", content_type="application/pdf")

    response = client.post(
        f"/contributions/{contribution.pk}/edit/",
        {
            "country": country("GHA").pk,
            "title": "With figures",
            "summary": "s",
            "innovation": "i",
            "transferability": "t",
            "attachments": [pdf("good.pdf"), fake],
            "submit": "1",
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["attachments"]
    assert 'value="With figures"' in html(response)
    saved = Contribution.objects.get(pk=contribution.pk)
    assert (saved.title, saved.state, saved.attachments.count()) == (
        "Ghana's national digital identity",
        S.RETURNED,
        0,
    )
    assert [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()] == []


def test_edit_of_a_submitted_contribution_sends_back_to_its_page(client, people):
    contribution = submitted(case_study(people["author"]))
    login(client, people["author"])

    response = client.get(f"/contributions/{contribution.pk}/edit/")

    assert response.status_code == 302
    assert response["Location"] == f"/contributions/{contribution.pk}/"
    assert texts(response) == ["A contribution is edited while it is a draft or returned."]


def test_attachment_download_gives_the_file_privately(client, people):
    draft = case_study(people["author"])
    attachment = services.attach(people["author"], draft, pdf("Ghana card.pdf"))
    login(client, people["author"])

    response = client.get(f"/contributions/{draft.pk}/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Ghana-card.pdf\"; filename*=UTF-8''Ghana%20card.pdf"
    )
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_attachment_of_another_contribution_is_not_found(client, people):
    first = case_study(people["author"])
    second = case_study(people["author"], title="Second")
    attachment = services.attach(people["author"], second, pdf())
    login(client, people["author"])

    response = client.get(f"/contributions/{first.pk}/attachments/{attachment.pk}/")

    assert response.status_code == 404


def test_attachment_remove_by_the_author_of_a_draft(client, people):
    draft = case_study(people["author"])
    attachment = services.attach(people["author"], draft, pdf())
    login(client, people["author"])

    url = f"/contributions/{draft.pk}/attachments/{attachment.pk}/remove/"
    edit = html(client.get(f"/contributions/{draft.pk}/edit/"))
    confirm = html(client.get(url))

    response = client.post(url, {"confirmed": "1"})

    assert f'<a href="{url}">Remove case.pdf</a>' in edit
    assert "<h1>Remove “case.pdf”?</h1>" in confirm
    warning = '<button type="submit" class="button button--warning">Remove the file</button>'
    assert warning in confirm
    assert response.status_code == 302
    assert Attachment.objects.count() == 0


def test_attachment_remove_posted_without_confirmation_asks_first(client, people):
    draft = case_study(people["author"])
    attachment = services.attach(people["author"], draft, pdf())
    login(client, people["author"])

    response = client.post(f"/contributions/{draft.pk}/attachments/{attachment.pk}/remove/")

    assert response.status_code == 200
    assert "<h1>Remove “case.pdf”?</h1>" in html(response)
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_attachment_remove_by_another_is_forbidden(client, people, method):
    contribution = returned(case_study(people["author"]), people["staff"])
    attachment = services.attach(people["author"], contribution, pdf())
    login(client, people["staff"])
    url = f"/contributions/{contribution.pk}/attachments/{attachment.pk}/remove/"

    response = getattr(client, method)(url, {"confirmed": "1"} if method == "post" else {})

    assert response.status_code == 403
    assert Attachment.objects.count() == 1


# --- navigation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("author", True),
        ("staff", True),
        ("advisor", True),
        ("secretariat_admin", True),
        ("focal_point", False),
    ],
)
def test_navigation_offers_contributions_by_role(client, people, who, shown):
    page = html(login(client, people[who]).get("/"))

    assert ('href="/contributions/">Contributions</a>' in page) == shown


def test_navigation_marks_the_contributions_page_current(client, people):
    page = html(login(client, people["author"]).get("/contributions/"))

    assert '<a href="/contributions/" aria-current="page">Contributions</a>' in page
    assert '<a href="/meetings/" aria-current="page">' not in page


# --- admin ------------------------------------------------------------------------------------


def run_action(client, action: str, objects, **extra):
    return client.post(
        reverse("admin:contributions_contribution_changelist"),
        {
            "action": action,
            helpers.ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects],
            "index": "0",
            **extra,
        },
        follow=True,
    )


def test_admin_lists_and_shows_contributions_read_only(client, people, superuser):
    contribution = case_study(people["author"])
    services.attach(people["author"], contribution, pdf("card.pdf"))
    submitted(contribution)
    login(client, superuser)

    listing = client.get("/admin/contributions/contribution/")
    change = client.get(f"/admin/contributions/contribution/{contribution.pk}/change/")
    add = client.get("/admin/contributions/contribution/add/")

    assert listing.status_code == 200
    assert "Ghana&#x27;s national digital identity" in html(listing)
    assert change.status_code == 200
    assert 'name="title"' not in html(change)
    assert "card.pdf" in html(change)
    assert "/media/" not in html(change)
    assert add.status_code == 403


def test_admin_actions_fire_the_transitions_through_the_service(client, people, superuser):
    first = submitted(case_study(people["author"]))
    second = case_study(people["author"], title="Draft")
    login(client, superuser)

    response = run_action(client, "fire_start_review", [first, second])

    assert Contribution.objects.get(pk=first.pk).state == S.UNDER_REVIEW
    assert Contribution.objects.get(pk=second.pk).state == S.DRAFT
    assert texts(response) == [
        "Draft: “Start review” is not possible: the contribution is now draft.",
        "Start review: 1 contribution done.",
    ]


def test_admin_return_needs_the_comment(client, people, superuser):
    contribution = under_review(case_study(people["author"]), people["staff"])
    login(client, superuser)

    refused = run_action(client, "fire_return_for_revision", [contribution])
    done = run_action(client, "fire_return_for_revision", [contribution], comment="More data.")

    assert texts(refused)[0] == f"{contribution.title}: Say what should change."
    assert texts(done) == ["Return for revision: 1 contribution done."]
    assert Contribution.objects.get(pk=contribution.pk).review_comment == "More data."


def test_admin_for_the_secretariat_is_view_only(client, people):
    contribution = submitted(case_study(people["author"]))
    login(client, people["secretariat_admin"])

    listing = client.get("/admin/contributions/contribution/")
    files = client.get("/admin/contributions/attachment/")
    run_action(client, "fire_start_review", [contribution])

    assert (listing.status_code, files.status_code) == (200, 200)
    assert 'name="action"' not in html(listing)
    assert Contribution.objects.get(pk=contribution.pk).state == S.SUBMITTED
