"""Officers' decisions, the tamper-evident log they go into, accounts and the supervisor's audit.

Qt-free: the UI, the CLI (`xrayreview audit`) and the trainer all go through these functions,
so roles are enforced here and not only on screen.
"""

from .accounts import (
    POLICY,
    Account,
    AccountPolicy,
    Accounts,
    check_new_password,
    check_password,
    hash_password,
)
from .chain import ChainBreak, VerifyResult
from .errors import (
    AccountLocked,
    AuthenticationFailed,
    DecisionLogError,
    InvalidRecord,
    LogUnavailable,
    PermissionDenied,
)
from .inbox import Inbox, InboxItem
from .log import Appended, DecisionLog, LogRecord, default_log_path, now_utc, verify
from .permissions import PERMISSIONS, ROLES, allowed, require
from .queries import (
    STRONG_ALARM,
    Audit,
    AuditFilter,
    DecisionRow,
    Figures,
    decided_files,
    figures,
    figures_per_officer,
    hourly_counts,
    load_decisions,
)
from .recording import record_decision, record_review
from .records import Decision, ModelInfo, ScanInfo
from .vocabulary import DECISIONS, MARK_CATEGORIES, REASONS, REVIEW_VERDICTS, VERDICTS

__all__ = [
    "POLICY", "Account", "AccountPolicy", "Accounts", "check_new_password", "check_password", "hash_password",
    "ChainBreak", "VerifyResult",
    "AccountLocked", "AuthenticationFailed", "DecisionLogError", "InvalidRecord", "LogUnavailable",
    "PermissionDenied",
    "Inbox", "InboxItem",
    "Appended", "DecisionLog", "LogRecord", "default_log_path", "now_utc", "verify",
    "PERMISSIONS", "ROLES", "allowed", "require",
    "STRONG_ALARM", "Audit", "AuditFilter", "DecisionRow", "Figures", "decided_files", "figures",
    "figures_per_officer", "hourly_counts", "load_decisions",
    "Decision", "ModelInfo", "ScanInfo",
    "record_decision", "record_review",
    "DECISIONS", "MARK_CATEGORIES", "REASONS", "REVIEW_VERDICTS", "VERDICTS",
]
