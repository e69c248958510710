"""Paging: how many pages a list makes, for every paged list the services and the API answer.

`Paged[T]` is one page of a list as the API answers it (items, total, page, pages); `PageOf[T]`
is the same page as a service hands it on, holding its `page_size` (the pages work `pages` out
from it). A named page subclasses one of them (`class GoalsPage(Paged[GoalPublic])`) so the
OpenAPI document keeps its readable name and description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Self, TypeVar

from pydantic import BaseModel

T = TypeVar("T")
U = TypeVar("U")


def page_count(total: int, page_size: int) -> int:
    """The pages `total` rows fill at `page_size` a page: at least one (an empty list still
    shows its empty first page)."""
    return max(1, -(-total // page_size))


class PageCount:
    """Mixin for one page of a list holding its `total` and `page_size`: `pages`, how many
    pages the list fills (page_count)."""

    # Declared for the type checker only: at run time a pydantic model taking this mixin would
    # otherwise count them as its first fields and reorder its JSON (the subclass declares both).
    if TYPE_CHECKING:
        total: int
        page_size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.page_size)


@dataclass
class PageOf(PageCount, Generic[T]):
    """One page of a list as a service hands it on: its `items`, the `total` rows of the whole
    list, which `page` this is and the `page_size` it was cut at."""

    items: list[T]
    total: int
    page: int
    page_size: int

    def with_items(self, items: list[U]) -> PageOf[U]:
        """The same page holding `items` (its rows made into what the reader reads)."""
        return PageOf(items=items, total=self.total, page=self.page, page_size=self.page_size)


class Paged(BaseModel, Generic[T]):
    """One page of a list as the API answers it: its `items`, the `total` rows of the whole
    list, which `page` this is and how many `pages` the list fills."""

    items: list[T]
    total: int
    page: int
    pages: int

    @classmethod
    def of(cls, page: PageOf[T]) -> Self:
        """The service's page as the API sends it."""
        return cls(items=page.items, total=page.total, page=page.page, pages=page.pages)
