"""The admin pages' organisation picker: a search box and a list of a few organisations
(users.organization_choices), on /admin/users (its filter) and /admin/users/[id] (the Give a
role form). `OrgPickerState` holds what the list shows; `org_picker` reads it."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from cyberhub.services.identity import users
from cyberhub.services.identity.permissions import Principal


@dataclass(frozen=True)
class OrgOption:
    id: str  # a select's value
    name: str


@dataclass(frozen=True)
class OrgPicker:
    """What the list offers: the organisations kept listed, then the first
    users.ORG_CHOICES by name of the `total` whose name contains `typed`, `shown` of them."""

    options: list[OrgOption]
    total: int
    shown: int


def org_picker(
    session: Session, principal: Principal | None, typed: str, *keep: int | None
) -> OrgPicker:
    found = users.organization_choices(session, principal, typed, *keep)
    options = [OrgOption(id=str(o.id), name=o.name) for o in found.items]
    return OrgPicker(options=options, total=found.total, shown=found.shown)


class OrgPickerState(rx.State, mixin=True):
    organizations: list[OrgOption] = []
    organizations_total: int = 0  # whose name contains `org_query`
    organizations_shown: int = 0  # of those, how many are listed (kept ones come on top)
    org_query: str = ""

    def _show_organizations(self, found: OrgPicker) -> None:
        self.organizations = found.options
        self.organizations_total, self.organizations_shown = found.total, found.shown

    @rx.var
    def more_organizations(self) -> bool:
        """The list offers fewer organisations than match: the page says so."""
        return self.organizations_total > self.organizations_shown

    @rx.var
    def organizations_kept(self) -> bool:
        """The list also holds organisations kept listed besides the matches it shows (the one
        chosen, ...): the note says which the page keeps."""
        return len(self.organizations) > self.organizations_shown

    @rx.var
    def no_organization_found(self) -> bool:
        return self.org_query != "" and self.organizations_total == 0
