"""A list of keys given at each run (storage.sql.in_ids): the rows it names, and no others, on
both databases; on PostgreSQL one array parameter, so the statement's text (what asyncpg
prepares on the server) is the same whatever the list's length."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.ids import MenuItemId
from storage.pipeline.sql import Prepared
from storage.sql import MENU_ITEMS, in_ids
from storage.uow import SqlUnitOfWork
from tests.integration.builders import add_catalog

_IN = Prepared(select(MENU_ITEMS.c.id).where(in_ids(MENU_ITEMS.c.id)).order_by(MENU_ITEMS.c.id))
_NOT_IN = Prepared(
    select(MENU_ITEMS.c.id).where(~in_ids(MENU_ITEMS.c.id)).order_by(MENU_ITEMS.c.id))
MISSING = MenuItemId(999_999)


async def test_a_list_finds_exactly_its_rows_and_its_negation_every_other(
    uow_factory: Callable[[], SqlUnitOfWork], session_factory: async_sessionmaker[AsyncSession],
) -> None:
    catalog = await add_catalog(uow_factory)
    pizza, cola = catalog.pizza.id, catalog.cola.id

    async with session_factory() as session:
        async def ids(statement: Prepared[Any], keys: list[MenuItemId]) -> list[int]:
            return [row[0] for row in await statement.rows(session, {"ids": keys})]

        assert await ids(_IN, []) == []
        assert await ids(_IN, [cola]) == [cola]
        assert await ids(_IN, [cola, MISSING, pizza, cola]) == sorted([pizza, cola])
        assert await ids(_NOT_IN, []) == sorted([pizza, cola])
        assert await ids(_NOT_IN, [pizza, MISSING]) == [cola]

    async with uow_factory() as uow:  # as placing reads a batch's dishes
        dishes = await uow.menu.get_many([pizza, MISSING])
    assert list(dishes) == [pizza]
    assert dishes[pizza].name == "Pizza"


async def test_on_postgresql_a_list_of_any_length_is_one_statement(
    engine: AsyncEngine, uow_factory: Callable[[], SqlUnitOfWork],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    catalog = await add_catalog(uow_factory)
    texts: list[str] = []

    def heard(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        texts.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", heard)
    try:
        async with session_factory() as session:
            for keys in ([catalog.pizza.id], [catalog.pizza.id, catalog.cola.id, MISSING]):
                await _IN.rows(session, {"ids": keys})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", heard)

    one, three = texts[-2:]
    if engine.dialect.name == "postgresql":
        assert one == three
        assert "= ANY (" in one
    else:  # SQLite has no arrays: an IN of as many parameters as keys
        assert (one.count("?"), three.count("?")) == (1, 3)
