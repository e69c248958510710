"""Paging rules shared by the services' paged lists (the page count itself: schemas.paging)."""

from __future__ import annotations

from cyberhub.services.errors import Invalid

PAGE_SIZE_MAX = 100


def check_page(page: int, page_size: int) -> None:
    """Invalid unless `page` is 1 or more and `page_size` between 1 and PAGE_SIZE_MAX."""
    if page < 1:
        raise Invalid("page must be 1 or more.")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise Invalid(f"page_size must be between 1 and {PAGE_SIZE_MAX}.")
