"""SQLModel tables, one module per domain. Importing this package registers every table."""

from cyberhub.models.ai import MissionEmbedding
from cyberhub.models.identity import (
    ApiKey,
    AuditLog,
    ConsentDocument,
    ConsentRecord,
    OneTimeToken,
    Organization,
    OutboxMail,
    RecoveryCode,
    RefreshToken,
    Role,
    RoleAssignment,
    User,
)
from cyberhub.models.learning import (
    Cohort,
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Program,
    Track,
)
from cyberhub.models.profiler import ProfilerAnswer, ProfilerResult, ProfilerSession, ProfilerStatus

__all__ = [
    "ApiKey",
    "AuditLog",
    "ConsentDocument",
    "ConsentRecord",
    "OneTimeToken",
    "OutboxMail",
    "RecoveryCode",
    "Cohort",
    "Mission",
    "MissionEmbedding",
    "MissionPrerequisite",
    "MissionStatus",
    "Organization",
    "ProfilerAnswer",
    "ProfilerResult",
    "ProfilerSession",
    "ProfilerStatus",
    "Program",
    "RefreshToken",
    "Role",
    "RoleAssignment",
    "Track",
    "User",
]
