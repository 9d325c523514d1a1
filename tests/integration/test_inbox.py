"""The inbox's storage: stored once per update_id, claimed per chat in order, leases honoured,
done rows pruned; and the named lease that decides which instance polls."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.inbox import InboundUpdate, StoredUpdate
from domain.pipeline.ports import Lease
from storage.inbox import SqlInbox, SqlLeases
from storage.languages import SqlLanguages
from tests.integration.builders import T0

Sessions = async_sessionmaker[AsyncSession]
ASHA, BILAL = 1001, 1002
LEASE = timedelta(seconds=10)


def update(update_id: int, chat_id: int, text: str = "/help") -> InboundUpdate:
    payload = {"update_id": update_id, "message": {"text": text, "chat": {"id": chat_id}}}
    return InboundUpdate(update_id, chat_id, "message", payload, T0)


def lease(worker: str = "a", *, after_s: float = 0, limit: int = 100) -> Lease:
    return Lease(worker, T0 + timedelta(seconds=after_s), LEASE, limit)


def ids(claimed: list[StoredUpdate]) -> list[int]:
    return [u.update_id for u in claimed]


async def test_a_redelivered_update_is_stored_once_and_claimed_once(
    session_factory: Sessions,
) -> None:
    inbox = SqlInbox(session_factory)
    assert await inbox.store([update(1, ASHA), update(2, BILAL)], T0) == [1, 2]
    assert await inbox.store([update(2, BILAL), update(3, ASHA)], T0) == [3]

    first = await inbox.claim(lease())
    assert ids(first) == [1, 2]
    assert first[0].payload["message"] == {"text": "/help", "chat": {"id": ASHA}}
    assert (first[0].sent_at, first[0].received_at, first[0].attempts) == (T0, T0, 1)
    await inbox.claim(lease(), finished=[1, 2])
    assert await inbox.store([update(1, ASHA)], T0) == []  # done, and still not again


async def test_each_update_is_claimed_with_its_chats_stored_language(
    session_factory: Sessions,
) -> None:
    inbox, languages = SqlInbox(session_factory), SqlLanguages(session_factory)
    await languages.choose(ASHA, "hi")
    await inbox.store([update(1, ASHA), update(2, BILAL)], T0)

    claimed = await inbox.claim(lease())

    assert [(u.chat_id, u.language) for u in claimed] == [(ASHA, "hi"), (BILAL, None)]


async def test_each_chat_gives_its_next_update_only_when_the_one_before_is_done(
    session_factory: Sessions,
) -> None:
    inbox = SqlInbox(session_factory)
    await inbox.store([update(1, ASHA), update(2, ASHA), update(3, BILAL), update(4, ASHA)], T0)

    assert ids(await inbox.claim(lease())) == [1, 3]
    assert ids(await inbox.claim(lease("b"))) == []  # another instance: both heads leased
    assert ids(await inbox.claim(lease(), finished=[1])) == [2]
    assert ids(await inbox.claim(lease(), finished=[2, 3])) == [4]
    assert ids(await inbox.claim(lease(), finished=[4])) == []


async def test_updates_of_a_worker_that_died_are_claimed_after_its_lease_in_order(
    session_factory: Sessions,
) -> None:
    inbox = SqlInbox(session_factory)
    await inbox.store([update(1, ASHA), update(2, ASHA)], T0)
    await inbox.claim(lease("dead"))

    assert ids(await inbox.claim(lease("b", after_s=9))) == []
    [again] = await inbox.claim(lease("b", after_s=10))
    assert (again.update_id, again.attempts) == (1, 2)


async def test_renewed_leases_hold_and_released_updates_are_claimable_at_once(
    session_factory: Sessions,
) -> None:
    inbox = SqlInbox(session_factory)
    await inbox.store([update(1, ASHA), update(2, BILAL)], T0)
    await inbox.claim(lease("a"))

    await inbox.renew("a", T0 + timedelta(seconds=30))
    assert ids(await inbox.claim(lease("b", after_s=20))) == []
    await inbox.release([2])
    [released] = await inbox.claim(lease("b", after_s=20))
    assert (released.update_id, released.attempts) == (2, 1)  # a release is not an attempt


async def test_done_updates_are_pruned_after_a_while_and_pending_ones_never(
    session_factory: Sessions,
) -> None:
    inbox = SqlInbox(session_factory)
    await inbox.store([update(1, ASHA), update(2, BILAL)], T0)
    await inbox.claim(lease())
    await inbox.claim(lease(), finished=[1])

    assert await inbox.prune(T0) == 0
    assert await inbox.prune(T0 + timedelta(seconds=1)) == 1
    assert await inbox.prune(T0 + timedelta(days=1)) == 0  # 2 is not done: kept
    assert await inbox.store([update(1, ASHA)], T0) == [1]  # forgotten once pruned


async def test_one_instance_holds_the_polling_lease_until_it_expires_or_is_released(
    session_factory: Sessions,
) -> None:
    leases = SqlLeases(session_factory)
    until = T0 + LEASE
    assert await leases.acquire("polling", "a", T0, until) == "a"
    assert await leases.acquire("polling", "b", T0, until) == "a"
    assert await leases.acquire("polling", "a", T0 + LEASE / 2, until + LEASE / 2) == "a"
    assert await leases.acquire("polling", "b", until, until + LEASE) == "a"  # renewed
    assert await leases.acquire("polling", "b", until + LEASE / 2, until + LEASE) == "b"
    await leases.release("polling", "a")  # not a's any more: changes nothing
    assert await leases.acquire("polling", "a", until, until + LEASE) == "b"
    await leases.release("polling", "b")
    assert await leases.acquire("polling", "a", until, until + LEASE) == "a"


async def test_instances_racing_for_the_polling_lease_get_one_holder(
    session_factory: Sessions,
) -> None:
    leases = SqlLeases(session_factory)
    holders = await asyncio.gather(*(
        leases.acquire("polling", f"i{n}", T0, T0 + LEASE) for n in range(8)))
    assert len(set(holders)) == 1


async def test_workers_claiming_at_once_take_each_update_once_and_each_chat_in_order(
    session_factory: Sessions,
) -> None:
    inbox = SqlInbox(session_factory)
    chat_of = {n: 5000 + n % 7 for n in range(1, 141)}
    await inbox.store([update(n, chat) for n, chat in chat_of.items()], T0)
    claimed: list[int] = []
    in_flight: dict[int, int] = {}  # chat -> the update a worker is handling

    async def worker(name: str) -> None:
        finished: list[int] = []
        while True:
            for done in finished:  # done before the claim that records it commits
                del in_flight[chat_of[done]]
            got = await inbox.claim(lease(name, limit=10), finished=finished)
            for stored in got:
                assert stored.chat_id not in in_flight, "two updates of one chat at once"
                in_flight[stored.chat_id] = stored.update_id
            claimed.extend(ids(got))
            finished = ids(got)
            if not got and not in_flight:
                return
            await asyncio.sleep(0)  # let the others claim in between

    await asyncio.gather(*(worker(f"w{n}") for n in range(4)))
    assert sorted(claimed) == list(range(1, 141))
    for chat in set(chat_of.values()):
        theirs = [n for n in claimed if chat_of[n] == chat]
        assert theirs == sorted(theirs)
