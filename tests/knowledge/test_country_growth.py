"""A country's page keeps its time as the country's history grows: every list on it is a
page of `COUNTRY_PAGE_SIZE` rows with its own page parameter, and the tiles count them all."""

from __future__ import annotations

import pytest
import time_machine

from knowledge.queries import COUNTRY_PAGE_SIZE
from tests.knowledge import knowledge_world
from tests.knowledge.knowledge_world import NOW

# `grow` spreads its rows over eight countries: Oman gets one in eight.
SPREAD = len(knowledge_world.COUNTRIES)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def listed(page) -> list[str]:
    return [row.title for row in page]


@pytest.mark.django_db
def test_country_page_lists_a_page_of_each_list_and_counts_them_all(client, world, staff):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=SPREAD * 90)

    first = client.get("/countries/OMN/")

    context = first.context
    total = context["meetings"].paginator.count
    assert total > 2 * COUNTRY_PAGE_SIZE
    for name in ("requests", "contributions", "meetings"):
        assert len(context[name]) == COUNTRY_PAGE_SIZE
    for _category, entries in context["repository"]:
        assert len(entries) == COUNTRY_PAGE_SIZE
    html = first.content.decode()
    assert f'<span class="kv-figure">{total}</span>' in html
    assert (
        html.count('<nav class="pagination"') == 6
    )  # requests, contributions, 3 categories, meetings
    assert context["meetings"].next_url == "?meetings=2#meetings-heading"


@pytest.mark.django_db
def test_country_page_turns_one_list_and_keeps_the_others(client, world, staff):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=SPREAD * 90)
    first = client.get("/countries/OMN/").context
    last = first["meetings"].paginator.num_pages

    page = client.get(f"/countries/OMN/?requests=2&meetings={last}").context

    assert page["meetings"].number == last
    assert page["requests"].number == 2
    assert page["contributions"].number == 1
    assert listed(page["requests"]) != listed(first["requests"])
    assert len(page["meetings"]) == first["meetings"].paginator.count - (last - 1) * (
        COUNTRY_PAGE_SIZE
    )
    # the other lists' pages are kept when one is turned, and the reader lands on the list
    assert page["meetings"].previous_url == f"?requests=2&meetings={last - 1}#meetings-heading"
    assert page["requests"].next_url == f"?requests=3&meetings={last}#requests-heading"


@pytest.mark.django_db
def test_country_page_reads_as_many_rows_at_one_size_and_at_forty_times_it(
    client, world, staff, django_assert_num_queries
):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=SPREAD * 3)
    with django_assert_num_queries(21):
        small = client.get("/countries/OMN/")
    knowledge_world.grow(world, staff=staff, count=SPREAD * 80)

    with django_assert_num_queries(21):
        large = client.get("/countries/OMN/")

    assert len(small.context["meetings"]) < COUNTRY_PAGE_SIZE
    assert len(large.context["meetings"]) == COUNTRY_PAGE_SIZE
    assert large.content.count(b"Bulk meeting") <= COUNTRY_PAGE_SIZE


@pytest.mark.django_db
def test_country_page_out_of_range_page_shows_the_last(client, world, staff):
    client.force_login(staff)
    knowledge_world.grow(world, staff=staff, count=SPREAD * 25)

    response = client.get("/countries/OMN/?meetings=999&requests=nope")

    assert response.status_code == 200
    meetings = response.context["meetings"]
    assert meetings.number == meetings.paginator.num_pages > 1
    assert response.context["requests"].number == 1
