"""Paging rules shared by the services' paged lists (the page count itself: schemas.paging), and
`fetch_page`, which cuts one page out of a statement."""

from __future__ import annotations

from typing import Any, TypeVar, TypeVarTuple, overload

from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from cyberhub.schemas.paging import PageOf, page_count
from cyberhub.services.errors import Invalid

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

PAGE_SIZE_MAX = 100


def check_page(page: int, page_size: int) -> None:
    """Invalid unless `page` is 1 or more and `page_size` between 1 and PAGE_SIZE_MAX."""
    if page < 1:
        raise Invalid("page must be 1 or more.")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise Invalid(f"page_size must be between 1 and {PAGE_SIZE_MAX}.")


@overload
def fetch_page(
    session: Session,
    stmt: SelectOfScalar[T],
    page: int,
    page_size: int,
    *,
    last_if_past: bool = False,
) -> PageOf[T]: ...


@overload
def fetch_page(
    session: Session,
    stmt: Select[*Ts],
    page: int,
    page_size: int,
    *,
    last_if_past: bool = False,
) -> PageOf[tuple[*Ts]]: ...


def fetch_page(
    session: Session, stmt: Any, page: int, page_size: int, *, last_if_past: bool = False
) -> PageOf[Any]:
    """The rows the ordered `stmt` yields on `page`, `page_size` a page, with how many it yields
    in all (counted without its order). Invalid for a page below 1 or a size out of range
    (`check_page`); a page past the last is empty, or with `last_if_past` the last one (a list
    that shrank while its reader paged it). Two statements."""
    check_page(page, page_size)
    counted = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = int(session.exec(counted).one())
    if last_if_past:
        page = min(page, page_count(total, page_size))
    rows = list(session.exec(stmt.offset((page - 1) * page_size).limit(page_size)).all())
    return PageOf(items=rows, total=total, page=page, page_size=page_size)
