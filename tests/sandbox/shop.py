"""The bot's side of a sale, over plain HTTP, shared by the sandbox payment tests."""

from __future__ import annotations

from typing import Any

from sandbox import TEST_PROVIDER_TOKEN, BotApiServer, ChatMessage, SandboxUser
from tests.sandbox.conftest import ApiCall

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
INVOICE: dict[str, Any] = {
    "title": "Order from Dominos", "description": "2 × Margherita, delivered",
    "payload": "order:42", "provider_token": TEST_PROVIDER_TOKEN, "currency": "INR",
    "prices": [{"label": "Margherita × 2", "amount": 50000}, {"label": "Delivery", "amount": 4000}],
    "max_tip_amount": 10000, "suggested_tip_amounts": [1000, 2000, 5000]}


class Poller:
    """The bot's side over plain HTTP: getUpdates long polls that confirm what they read."""

    def __init__(self, api: ApiCall) -> None:
        self.api = api
        self.offset = 0

    async def next(self, within: float = 5.0) -> dict[str, Any]:
        """The next update (a long poll); fails if none arrives ``within`` seconds."""
        status, body = await self.api("getUpdates", offset=self.offset, timeout=within, limit=1)
        assert status == 200 and body["result"], f"no update within {within}s: {body}"
        self.offset = body["result"][0]["update_id"] + 1
        return dict(body["result"][0])

    async def nothing_more(self) -> None:
        status, body = await self.api("getUpdates", offset=self.offset, timeout=0)
        assert (status, body["result"]) == (200, [])


async def open_shop(server: BotApiServer, api: ApiCall, **changes: Any,
                    ) -> tuple[SandboxUser, Poller, ChatMessage]:
    """Asha says /start (read by the bot), the bot sends INVOICE (with ``changes``); returns
    Asha, the poller and the invoice as Asha sees it."""
    asha = server.user(1001, first_name="Asha")
    await asha.send("/start")
    poller = Poller(api)
    assert "message" in await poller.next()
    status, body = await api("sendInvoice", chat_id=1001, **{**INVOICE, **changes})
    assert status == 200, body
    invoice = await asha.wait_for(lambda m: m.invoice is not None, what="an invoice")
    return asha, poller, invoice


async def answer_ok(poller: Poller) -> dict[str, Any]:
    """Read the next pre-checkout query and accept it; returns the query."""
    query: dict[str, Any] = (await poller.next())["pre_checkout_query"]
    status, _ = await poller.api("answerPreCheckoutQuery", pre_checkout_query_id=query["id"],
                                 ok=True)
    assert status == 200
    return query
