"""The demo world's discussions: the reviewer's question and the owner's answer, seen by the
reviewer on the review page, and seeding again writes nothing."""

from __future__ import annotations

from django.urls import reverse

from demo.discussions import REVIEWER, seed_discussions
from discussions.models import Message, Thread


def test_the_demo_reviewer_reads_the_owners_answer_on_the_review_page(demo, client):
    thread = Thread.objects.get(assignment__reviewer__username=REVIEWER)
    reviewer = thread.assignment.reviewer
    client.force_login(reviewer)

    html = client.get(reverse("workflows:review", args=[thread.assignment_id])).content.decode()

    assert thread.messages.count() == 2
    assert "From the 2024 survey." in html
    assert Message.objects.filter(thread__assignment__isnull=True).count() == 1


def test_seeding_the_discussions_again_writes_nothing(demo):
    before = Message.objects.count()

    assert seed_discussions() == 0
    assert Message.objects.count() == before
