"""The outbox's claims, built once: every due message, or each chat's oldest one, paced
(`SqlOutboxStore.claim_due`, `claim_heads`, storage/pipeline/outbox.py)."""

from __future__ import annotations

from sqlalchemy import ScalarSelect, and_, bindparam, exists, func, or_, select, true
from sqlalchemy.sql import ColumnElement

from storage.languages import language_of
from storage.pipeline.sql import NOW
from storage.pipeline.tasks import Claim
from storage.sql import INBOX, OUTBOX, in_ids
from storage.types import UTCDateTime

_COLUMNS = ("id", "chat_id", "kind", "payload", "attempts")
CLAIM_DUE = Claim.of(OUTBOX, and_(OUTBOX.c.sent_at.is_(None), OUTBOX.c.next_attempt_at <= NOW),
                     ("id",), _COLUMNS)


def lane(edits: bool | None) -> ColumnElement[bool]:
    """The rows of a lane: the edits (True), the new messages (False), or all (None); the
    kinds that are edits given as `unpaced`."""
    if edits is None:
        return true()
    is_edit = in_ids(OUTBOX.c.kind, "unpaced")
    return is_edit if edits else ~is_edit


def _claiming_heads(edits: bool | None) -> Claim:
    """`claim_heads`' statement for the lane `edits`."""
    o, recent = OUTBOX.c, OUTBOX.alias("recent").c
    since = bindparam("since", type_=UTCDateTime())
    paced = exists().where(recent.chat_id == o.chat_id, recent.sent_at > since,
                           ~in_ids(recent.kind, "unpaced"))
    answering = exists().where(INBOX.c.chat_id == o.chat_id, INBOX.c.done_at.is_(None))
    due = and_(o.sent_at.is_(None), o.given_up_at.is_(None), o.next_attempt_at <= NOW,
               o.id == chat_head(), or_(in_ids(o.kind, "unpaced"), ~paced),
               or_(o.locked_by.is_(None), ~answering), lane(edits))
    return Claim.of(OUTBOX, due, ("id",), _COLUMNS, extra=(language_of("outbox.chat_id"),))


def chat_head() -> ScalarSelect[int]:
    """The id of the oldest unsent, not given up row in the outer outbox row's chat."""
    earlier = OUTBOX.alias("earlier").c
    return (
        select(func.min(earlier.id))
        .where(earlier.chat_id == OUTBOX.c.chat_id, earlier.sent_at.is_(None),
               earlier.given_up_at.is_(None))
        .scalar_subquery()
    )


CLAIM_HEADS = {edits: _claiming_heads(edits) for edits in (True, False, None)}  # by lane
