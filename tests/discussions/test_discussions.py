"""Writing in a thread: mentions tell those who may read it (as they prefer), and only them;
messages are plain text; a review's thread closes with the review; the pages and the API
say whom a mention did not reach; the pages run a fixed number of queries."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.names import display_name
from discussions import queries, services
from discussions.models import Message, Thread
from discussions.notices import DiscussionNotice
from notifications import services as notifications
from notifications.enums import Delivery, MailState
from notifications.models import Notification
from tests.factories import ReviewAssignmentFactory, person
from workflows.enums import AssignmentState
from workflows.models import ReviewAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    return person(Role.BRANCH_STAFF, username="colleague", branch_code="e-govb")


@pytest.fixture
def assignment(cast) -> ReviewAssignment:
    return ReviewAssignment.objects.select_related("deliverable__product", "reviewer").get(
        deliverable=cast.deliverable
    )


def _deliverable_thread(user, cast) -> Thread:
    return queries.get_deliverable_thread(user, cast.deliverable.pk)


def _mentions() -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(kind=DiscussionNotice.MENTION)
        .order_by("user__username")
        .values_list("user__username", "subject")
    )


# --- mentions ----------------------------------------------------------------------------


def test_a_mention_in_the_text_tells_who_may_read_the_thread(cast, colleague):
    thread = _deliverable_thread(cast.owner, cast)

    posted = services.post_message(cast.owner, thread, "@colleague, can you check section 2?")

    assert posted.notified == [colleague]
    assert posted.not_notified == []
    name = display_name(cast.owner)
    assert _mentions() == [("colleague", f"{name} mentioned you about “Chapter 2”")]
    assert list(posted.message.mentioned.all()) == [colleague]


def test_a_mention_of_someone_who_may_not_read_the_thread_tells_nobody_and_says_so(cast):
    thread = _deliverable_thread(cast.owner, cast)
    reviewer = cast.assigned_reviewer.username

    posted = services.post_message(
        cast.owner, thread, f"Ask @{reviewer} and @pacb_staff and @nobody-here."
    )

    assert posted.notified == []
    assert posted.not_notified == [f"@{reviewer}", "@pacb_staff", "@nobody-here"]
    assert _mentions() == []


def test_picked_people_are_told_and_an_address_or_a_repeat_is_no_mention(cast, colleague):
    thread = _deliverable_thread(cast.owner, cast)

    posted = services.post_message(
        cast.owner,
        thread,
        "Write to someone@colleague.org. @colleague @COLLEAGUE @owner",
        mentions=[cast.chief, colleague],
    )

    assert sorted(user.username for user in posted.notified) == ["chief", "colleague"]
    assert posted.not_notified == []
    assert [who for who, _subject in _mentions()] == ["chief", "colleague"]


def test_mentions_follow_each_persons_preference(
    cast, colleague, django_capture_on_commit_callbacks
):
    notifications.set_preferences(colleague, {DiscussionNotice.MENTION: Delivery.NONE})
    notifications.set_preferences(cast.chief, {DiscussionNotice.MENTION: Delivery.DIGEST})
    thread = _deliverable_thread(cast.owner, cast)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(cast.owner, thread, "@colleague @chief @owner: see the tables.")

    states = dict(
        Notification.objects.filter(kind=DiscussionNotice.MENTION).values_list(
            "user__username", "state"
        )
    )
    assert states == {"colleague": MailState.SKIPPED, "chief": MailState.DIGEST}
    assert mail.outbox == []


def test_a_mention_is_mailed_at_once_by_default(cast, django_capture_on_commit_callbacks):
    thread = queries.get_review_thread(cast.assigned_reviewer, _assignment_pk(cast))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(cast.assigned_reviewer, thread, "@owner: is table 3 final?")

    assert [message.to for message in mail.outbox] == [[cast.owner.email]]
    assert "is table 3 final?" in mail.outbox[0].body


def _assignment_pk(cast) -> int:
    return ReviewAssignment.objects.get(deliverable=cast.deliverable).pk


def test_one_reviewer_mentioning_another_tells_nobody(cast):
    thread = queries.get_review_thread(cast.assigned_reviewer, _assignment_pk(cast))
    other = ReviewAssignmentFactory(deliverable=cast.deliverable).reviewer

    posted = services.post_message(cast.assigned_reviewer, thread, f"Ask @{other.username}")

    assert posted.not_notified == [f"@{other.username}"]
    assert _mentions() == []


# --- rules -------------------------------------------------------------------------------


def test_staff_asked_to_review_the_deliverable_no_longer_see_its_thread(cast, colleague):
    ReviewAssignmentFactory(deliverable=cast.deliverable, reviewer=colleague)

    assert queries.deliverable_thread(colleague, cast.deliverable) is None
    assert colleague not in queries.participants(_deliverable_thread(cast.owner, cast))


def test_a_declined_review_closes_its_thread_but_keeps_it_readable(cast):
    assignment = ReviewAssignmentFactory(
        deliverable=cast.deliverable, state=AssignmentState.DECLINED
    )
    thread = queries.get_review_thread(assignment.reviewer, assignment.pk)

    with pytest.raises(ServiceConflict, match="closed: the review was declined"):
        services.post_message(cast.owner, thread, "Thank you anyway.")
    page = _client(assignment.reviewer).get(reverse("discussions:review", args=[assignment.pk]))

    assert Message.objects.count() == 0
    assert page.status_code == 200
    assert "This discussion is closed: the review was declined." in page.content.decode()
    assert "<textarea" not in page.content.decode()


def test_an_empty_or_too_long_message_is_refused_naming_the_text(cast):
    thread = _deliverable_thread(cast.owner, cast)

    with pytest.raises(ValidationError) as empty:
        services.post_message(cast.owner, thread, "  \n ")
    with pytest.raises(ValidationError) as long:
        services.post_message(cast.owner, thread, "x" * 5001)

    assert list(empty.value.message_dict) == ["text"]
    assert list(long.value.message_dict) == ["text"]
    assert Thread.objects.count() == 0


def test_posting_in_a_thread_one_may_not_see_is_refused(cast):
    thread = Thread(deliverable=cast.deliverable)

    with pytest.raises(PermissionDenied):
        services.post_message(cast.assigned_reviewer, thread, "Hello")

    assert Message.objects.count() == 0


def test_the_first_message_makes_the_thread_and_the_next_ones_join_it(cast):
    services.post_message(cast.owner, _deliverable_thread(cast.owner, cast), "One")
    services.post_message(cast.chief, _deliverable_thread(cast.chief, cast), "Two")

    (thread,) = Thread.objects.all()
    assert (thread.deliverable_id, thread.assignment_id) == (cast.deliverable.pk, None)
    assert list(thread.messages.values_list("text", flat=True)) == ["One", "Two"]


# --- pages and API -----------------------------------------------------------------------


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_message_is_shown_escaped_with_its_line_breaks(cast):
    services.post_message(
        cast.owner, _deliverable_thread(cast.owner, cast), "<b>Bold</b> claim\nsecond line"
    )

    html = _client(cast.chief).get(reverse("discussions:deliverable", args=[cast.deliverable.pk]))

    assert "&lt;b&gt;Bold&lt;/b&gt; claim<br>second line" in html.content.decode()


def test_the_page_posts_back_to_the_deliverable_and_says_whom_it_did_not_tell(cast, colleague):
    url = reverse("discussions:deliverable", args=[cast.deliverable.pk])
    reviewer = cast.assigned_reviewer.username

    answer = _client(cast.owner).post(
        url,
        {"text": f"@{reviewer} and @colleague", "mention": [cast.chief.pk], "back": "deliverable"},
        format="multipart",
        follow=True,
    )

    assert answer.redirect_chain == [
        (reverse("workflows:deliverable", args=[cast.deliverable.pk]) + "#discussion", 302)
    ]
    html = answer.content.decode()
    assert "Your message was posted." in html
    assert f"Not told: @{reviewer}." in html
    assert [who for who, _subject in _mentions()] == ["chief", "colleague"]


def test_the_page_offers_to_pick_only_who_may_read_the_thread(cast, colleague):
    url = reverse("discussions:review", args=[_assignment_pk(cast)])

    html = _client(cast.owner).get(url).content.decode()

    assert f'value="{cast.chief.pk}"' in html
    assert f'value="{cast.assigned_reviewer.pk}"' in html
    assert f'value="{colleague.pk}"' not in html
    assert f'value="{cast.owner.pk}"' not in html  # not oneself


def test_an_empty_message_from_the_page_is_a_400_naming_the_field(cast):
    url = reverse("discussions:deliverable", args=[cast.deliverable.pk])

    answer = _client(cast.owner).post(url, {"text": " "}, format="multipart")

    assert answer.status_code == 400
    assert 'href="#discussion_text"' in answer.content.decode()
    assert Message.objects.count() == 0


def test_the_api_lists_messages_and_posts_with_mentions_by_id(cast, colleague):
    api = f"/api/v1/deliverable-discussions/{cast.deliverable.pk}/"
    client = _client(cast.owner)

    posted = client.post(
        f"{api}messages/",
        {"text": "See the annex.", "mentions": [colleague.pk, cast.assigned_reviewer.pk, 99999]},
        format="json",
    )
    thread = client.get(api).json()

    assert posted.status_code == 201
    assert posted.json()["notified"] == [{"id": colleague.pk, "name": display_name(colleague)}]
    assert posted.json()["not_notified"] == [f"#{cast.assigned_reviewer.pk}", "#99999"]
    assert [(m["author_name"], m["text"]) for m in thread["messages"]] == [
        (display_name(cast.owner), "See the annex.")
    ]
    assert {p["id"] for p in thread["participants"]} == {cast.owner.pk, cast.chief.pk, colleague.pk}


def test_the_api_refuses_an_empty_message_naming_the_field(cast):
    api = f"/api/v1/review-discussions/{_assignment_pk(cast)}/messages/"

    answer = _client(cast.assigned_reviewer).post(api, {"text": ""}, format="json")

    assert answer.status_code == 400
    assert list(answer.json()) == ["text"]


def _messages(thread: Thread, authors: list, count: int) -> None:
    for number in range(count):
        author = authors[number % len(authors)]
        services.post_message(author, thread, f"Message {number}")


def test_the_thread_page_runs_a_fixed_number_of_queries(cast, colleague, django_assert_num_queries):
    url = reverse("discussions:deliverable", args=[cast.deliverable.pk])
    client = _client(cast.chief)
    authors = [cast.owner, cast.chief, colleague]
    _messages(_deliverable_thread(cast.owner, cast), authors, 3)
    client.get(url)

    with django_assert_num_queries(9):
        small = client.get(url)
    _messages(_deliverable_thread(cast.owner, cast), authors, 30)
    with django_assert_num_queries(9):
        large = client.get(url)

    assert small.content.decode().count('class="timeline__item"') == 3
    assert large.content.decode().count('class="timeline__item"') == 33


def test_the_review_thread_api_runs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    # the session and the caller (the owner: no role to read); the assignment; who may be
    # mentioned; the messages with their authors
    pk = _assignment_pk(cast)
    client = _client(cast.owner)
    thread = queries.get_review_thread(cast.owner, pk)
    _messages(thread, [cast.owner, cast.assigned_reviewer], 2)
    client.get(f"/api/v1/review-discussions/{pk}/")

    with django_assert_num_queries(5):
        small = client.get(f"/api/v1/review-discussions/{pk}/")
    _messages(thread, [cast.owner, cast.assigned_reviewer, cast.chief], 20)
    with django_assert_num_queries(5):
        large = client.get(f"/api/v1/review-discussions/{pk}/")

    assert len(small.json()["messages"]) == 2
    assert len(large.json()["messages"]) == 22
