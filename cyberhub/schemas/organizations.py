"""Organizations and their members as the admin console and /api/v1/organizations show them."""

from __future__ import annotations

from pydantic import BaseModel

from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.paging import Paged


class OrganizationPublic(BaseModel):
    """An organization with how many people hold a role in it."""

    id: int
    name: str
    slug: str
    description: str
    created_at: IsoDatetime
    members: int = 0


class OrganizationsPage(Paged[OrganizationPublic]):
    """One page of the organisations, by name, searched by name (GET /organizations)."""


class MemberPublic(BaseModel):
    """A member of an organization: their roles there (in the roles' order), since when."""

    id: int
    email: str
    full_name: str
    roles: list[str]
    member_since: IsoDatetime | None


class MembersPage(Paged[MemberPublic]):
    pass


class MemberRemoved(BaseModel):
    removed_roles: int
