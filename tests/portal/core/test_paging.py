"""A long list a page at a time: which page an address asks for, and which page links it shows."""

import pytest
from django.core.paginator import Paginator

from portal.core.paging import page_numbers, results_page

TEN_PAGES = Paginator(range(100), 10)


@pytest.mark.parametrize(
    ("requested", "shown"),
    [("4", 4), (None, 1), ("", 1), ("junk", 1), ("1e3", 1), ("-1", 10), ("0", 10), ("99", 10)],
)
def test_a_page_that_is_no_number_or_not_there_shows_a_real_page(requested, shown):
    assert results_page(TEN_PAGES, requested).page.number == shown


def test_the_links_are_the_ends_and_the_neighbours_with_a_gap_for_each_page_left_out():
    assert page_numbers(TEN_PAGES, TEN_PAGES.page(5)) == [1, None, 4, 5, 6, None, 10]
    assert page_numbers(TEN_PAGES, TEN_PAGES.page(1)) == [1, 2, None, 10]
    assert results_page(TEN_PAGES, "10").numbers == [1, None, 9, 10]


def test_one_page_has_one_link_and_no_gap():
    assert results_page(Paginator(range(3), 10), "1").numbers == [1]
