"""A long list shown a page at a time (case search, residents, the audit log, a resident's
requests), with the page links under it (templates/includes/pagination.html)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.paginator import Page, Paginator

T = TypeVar("T")


@dataclass(frozen=True)
class ResultsPage(Generic[T]):
    page: Page[T]
    numbers: list[int | None]  # what templates/includes/pagination.html calls page_numbers


def results_page(paginator: Paginator[T], requested: str | None) -> ResultsPage[T]:
    """The page `?page=` asks for. get_page: a page number that is no number shows the first
    page, one past the end the last, so a mistyped or stale address still shows a real page."""
    page = paginator.get_page(requested)
    return ResultsPage(page, page_numbers(paginator, page))


def page_numbers(paginator: Paginator[T], page: Page[T]) -> list[int | None]:
    """The page numbers to link to: the first and the last, and one either side of this page,
    with None for each "…" between them."""
    return [
        number if isinstance(number, int) else None
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
