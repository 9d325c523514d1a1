"""The admins' audit log entry: who did what to which, when (issue #6).

Every admin change records one in the change's own transaction, so the log never shows an
action that did not happen nor misses one that did. It lives here, beside neither the admin
services nor the pipeline, because both write it: an admin's cancel is a pipeline press.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.ids import UserId


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: UserId
    at: datetime
    action: str  # "add_restaurant", "set_price", ...
    target: str  # "restaurant #3", "item #12"
    detail: str = ""
    id: int = 0  # its place in the log, once stored (the audit's pages go by it)
