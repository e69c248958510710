"""Accounts, organizations, roles, sessions and the audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import Column, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlmodel import Field, SQLModel

from cyberhub.models.base import enum_column, ts_column, utcnow
from cyberhub.models.crypto import EncryptedStr


class Role(StrEnum):
    student = "student"
    mentor = "mentor"
    director = "director"
    sponsor = "sponsor"
    admin = "admin"


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"
    audit_type: ClassVar[str] = "organization"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=100, unique=True, index=True)
    description: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class User(SQLModel, table=True):
    __tablename__ = "users"
    audit_type: ClassVar[str] = "user"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)  # stored lower-cased
    full_name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None)  # None: passwordless account
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    last_login_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    # Lockout bookkeeping: failures counted within a window that starts at the first failure.
    failed_login_count: int = 0
    first_failed_login_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    locked_until: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    # TOTP: the confirmed secret (base32) once MFA is on; a pending one while enrolling.
    # Encrypted at rest (models/crypto.py): the attributes hold the plain base32 secret.
    mfa_secret: str | None = Field(default=None, sa_column=Column(EncryptedStr(), nullable=True))
    mfa_pending_secret: str | None = Field(
        default=None, sa_column=Column(EncryptedStr(), nullable=True)
    )
    mfa_enabled_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    # Access tokens issued before this moment are refused (set when every session is revoked,
    # e.g. by a password reset): a stolen access token dies with the refresh tokens.
    sessions_valid_after: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    # The IANA time zone the user reads times in ("Africa/Nairobi"); None: not chosen yet (UTC).
    time_zone: str | None = Field(default=None, max_length=64)


class RoleAssignment(SQLModel, table=True):
    """A role held by a user, scoped to an organization (admin is global: organization_id NULL)."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint(
            "user_id",
            "role",
            "organization_id",
            name="uq_role_assignment",
            postgresql_nulls_not_distinct=True,
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_column=enum_column(Role, 20, index=True))
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", index=True, ondelete="CASCADE"
    )
    granted_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    reason: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class RefreshToken(SQLModel, table=True):
    """One issued refresh token. A family is one sign-in; rotation adds members to it."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_family", "family_id"),)
    jti: str = Field(primary_key=True, max_length=64)
    family_id: str = Field(max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    issued_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column())
    rotated_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    # Where the sign-in began ("Where you're signed in" in Settings -> Security), carried from
    # token to token when an API client rotates. NULL on rows issued before these were kept.
    started_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    user_agent: str | None = Field(default=None, max_length=400)
    ip: str | None = Field(default=None, sa_column=Column(INET, nullable=True))
    # When the session was last used, written at most once per TOUCH_EVERY (session_use.py).
    last_used_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class AuditLog(SQLModel, table=True):
    """Append-only record of security-relevant events (no UPDATE or DELETE is ever issued)."""

    __tablename__ = "audit_logs"
    __table_args__ = (Index("ix_audit_logs_action_created", "action", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    actor_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    action: str = Field(max_length=64)
    target_type: str = Field(default="", max_length=32)
    target_id: str = Field(default="", max_length=64)
    ip: str | None = Field(default=None, sa_column=Column(INET, nullable=True))
    user_agent: str = Field(default="", max_length=400)
    details: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )


class RecoveryCode(SQLModel, table=True):
    """One of ten single-use MFA recovery codes, stored as a hash."""

    __tablename__ = "mfa_recovery_codes"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class OneTimeToken(SQLModel, table=True):
    """A single-use link token (magic link, password reset); only its SHA-256 is stored."""

    __tablename__ = "one_time_tokens"
    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=32, index=True)  # magic_link | password_reset
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=320)
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column())
    used_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class OutboxMail(SQLModel, table=True):
    """Every e-mail CyberHub sends; delivered by SMTP when configured, else kept for the dev mailbox."""

    __tablename__ = "outbox_mail"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    to_email: str = Field(max_length=320, index=True)
    subject: str = Field(max_length=200)
    body: str = Field(default="")
    kind: str = Field(default="notice", max_length=40)
    sent_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    error: str = Field(default="", max_length=500)


class ConsentKind(StrEnum):
    terms = "terms"
    privacy = "privacy"
    ai_profiling = "ai_profiling"
    marketing = "marketing"
    sponsor_sharing = "sponsor_sharing"


class ConsentDocument(SQLModel, table=True):
    """A version of a consent text: terms, privacy, ai_profiling, marketing."""

    __tablename__ = "consent_documents"
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_consent_document_version"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: ConsentKind = Field(sa_column=enum_column(ConsentKind, 32, index=True))
    version: str = Field(max_length=20)
    title: str = Field(max_length=200)
    body: str = Field(default="")
    required: bool = False  # required at sign-up (terms, privacy)
    published_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class ConsentRecord(SQLModel, table=True):
    """Append-only: each grant or withdrawal of a consent document by a user."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_user_kind", "user_id", "kind", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    document_id: int = Field(foreign_key="consent_documents.id", ondelete="RESTRICT")
    kind: ConsentKind = Field(sa_column=enum_column(ConsentKind, 32))
    version: str = Field(max_length=20)
    granted: bool
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class ApiKey(SQLModel, table=True):
    """A key for the JSON API: the secret is shown once; only its SHA-256 is kept."""

    __tablename__ = "api_keys"
    audit_type: ClassVar[str] = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    last_used_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class MembershipStatus(StrEnum):
    active = "active"
    left = "left"


class OrganizationMembership(SQLModel, table=True):
    """A person's membership of an organisation: roles there are granted only to active members."""

    __tablename__ = "organization_memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", name="uq_membership"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    status: MembershipStatus = Field(
        default=MembershipStatus.active, sa_column=enum_column(MembershipStatus, 16)
    )
    joined_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    left_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class InvitationStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    revoked = "revoked"
    expired = "expired"


class Invitation(SQLModel, table=True):
    """An invitation to join an organisation (with a role on acceptance); only the token's SHA-256
    is stored."""

    __tablename__ = "invitations"
    audit_type: ClassVar[str] = "invitation"
    __table_args__ = (Index("ix_invitations_org_email", "organization_id", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", ondelete="CASCADE")
    email: str = Field(max_length=320, index=True)  # lower-cased
    role: Role = Field(default=Role.student, sa_column=enum_column(Role, 20))
    invited_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    token_hash: str = Field(max_length=64, unique=True)
    status: InvitationStatus = Field(
        default=InvitationStatus.pending, sa_column=enum_column(InvitationStatus, 16)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column())
    decided_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    decided_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
