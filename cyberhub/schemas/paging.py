"""Paging: how many pages a list makes, for every paged list the services and the API answer."""

from __future__ import annotations

from typing import TYPE_CHECKING


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
