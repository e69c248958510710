"""In-app notifications as the API and the bell show them."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cyberhub.models.base import MAX_ID
from cyberhub.schemas.datetimes import IsoDatetime

MAX_IDS = 200


class NotificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: IsoDatetime
    read: bool


class NotificationsPage(BaseModel):
    items: list[NotificationPublic]
    total: int
    unread: int
    page: int
    pages: int


class NotificationsRead(BaseModel):
    """Which notifications to mark read: some ids, or all."""

    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=MAX_IDS
    )
    all: bool = False

    @model_validator(mode="after")
    def one_of(self) -> NotificationsRead:
        if not self.all and not self.ids:
            raise ValueError('send "ids": [...] or "all": true')
        return self


class NotificationsMarked(BaseModel):
    marked: int
    unread: int
