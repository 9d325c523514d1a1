"""The pipeline's steps decide moves, messages and next runs from a snapshot, purely."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.dispatch import PartnerPool, pick_partner
from domain.errors import IllegalTransition
from domain.ids import OrderId, RestaurantId, TaskId, UserId
from domain.messages import Kind
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import (
    Effects,
    LineView,
    OfferState,
    OfferView,
    OrderView,
    PipelineConfig,
    Snapshot,
    TaskRun,
)
from domain.pipeline.steps import (
    confirm_order,
    dispatch_order,
    fail_order,
    kitchen_timeout,
    mark_ready,
)
from domain.restaurants import Restaurant, Unanswered
from domain.retry import RetryPolicy
from domain.tasks import TaskKind

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
S = OrderStatus
CUSTOMER = UserId(1001)
KITCHEN = Restaurant(RestaurantId(5), "Vidyarthi Bhavan", "Gandhi Bazaar", prep_minutes=12)
CONFIG = PipelineConfig(
    offer_timeout_s=60, no_partner_alert_after_s=300, dispatch_max_wait_s=30,
    admin_ids=frozenset({9, 8}),
)
POLICY = RetryPolicy(max_attempts=5, base_delay_s=1, max_delay_s=300, jitter=0.2)


def order(status: S = S.CREATED, **changes: object) -> OrderView:
    view = OrderView(
        OrderId(42), status, CUSTOMER, KITCHEN.id, None, 25000, "INR", "4th Block, Jayanagar",
        12.93, 77.58,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def rider(n: int, idle_min: int, **changes: object) -> Partner:
    base = Partner(UserId(n), f"Rider {n}", PartnerStatus.APPROVED, True,
                   idle_since=T0 - timedelta(minutes=idle_min))
    return replace(base, **changes)  # type: ignore[arg-type]


def snapshot(view: OrderView, *, kitchen: Restaurant = KITCHEN, **parts: object) -> Snapshot:
    return Snapshot(
        T0, CONFIG, POLICY, {view.id: view}, {kitchen.id: kitchen},
        **parts,  # type: ignore[arg-type]
    )


def run(kind: TaskKind, **payload: object) -> TaskRun:
    return TaskRun(TaskId(1), kind, OrderId(42), payload, 1, 0.5)


def kinds(effects: Effects | None) -> list[tuple[int, str]]:
    assert effects is not None
    return [(note.chat_id, note.kind) for note in effects.notes]


def test_confirming_without_a_manager_starts_preparing_and_offers_it_in_the_same_step() -> None:
    lines = {OrderId(42): (LineView("Masala Dosa", 2, True),)}
    pool = PartnerPool([rider(7, 5), rider(8, 30)])
    step = confirm_order(run(TaskKind.CONFIRM_ORDER), snapshot(order(), lines=lines, pool=pool))

    assert step.effects is not None
    assert [(e.from_status, e.to_status) for e in step.effects.moves] == [
        (S.CREATED, S.CONFIRMED), (S.CONFIRMED, S.PREPARING),
    ]
    assert step.effects.expect == S.CREATED
    # one edit of the tracking message for both moves (it shows the order as it is when sent)
    assert kinds(step.effects) == [(CUSTOMER, Kind.ORDER_STATUS), (8, Kind.OFFER)]
    assert step.effects.notes[0].data == {
        "order_id": 42, "status": "PREPARING", "previous": "CREATED",
        "reason": "no restaurant manager: auto-accepted"}
    assert step.effects.progress is not None
    assert step.effects.progress.ready_at == T0 + timedelta(minutes=12)
    assert step.effects.progress.searching_since == T0
    expires = T0 + timedelta(seconds=60)
    assert step.effects.new_offer == OfferView(OrderId(42), UserId(8), OfferState.OPEN, T0,
                                               expires)
    assert len(pool) == 1  # the longest idle partner is taken for this batch
    # the task goes on as the order's dispatch, looked at again when the offer runs out
    assert step.next is not None
    assert (step.next.kind, step.next.run_at) == (TaskKind.DISPATCH, expires)


def test_confirming_without_a_manager_with_nobody_free_tells_the_customer_and_looks_again(
) -> None:
    lines = {OrderId(42): (LineView("Masala Dosa", 2, True),)}
    step = confirm_order(run(TaskKind.CONFIRM_ORDER), snapshot(order(), lines=lines))

    assert step.effects is not None and step.effects.status == S.PREPARING
    assert step.effects.new_offer is None
    assert kinds(step.effects) == [(CUSTOMER, Kind.ORDER_STATUS),
                                   (CUSTOMER, Kind.FINDING_PARTNER)]
    assert step.effects.progress is not None and step.effects.progress.told_searching
    assert step.next is not None and step.next.kind == TaskKind.DISPATCH
    assert T0 < step.next.run_at <= T0 + timedelta(seconds=30)
    assert step.next.payload == {"round": 1}


def test_confirming_with_a_manager_sends_the_ticket_and_waits_for_them() -> None:
    kitchen = replace(KITCHEN, manager_chat_id=-500)
    lines = {OrderId(42): (LineView("Masala Dosa", 2, True), LineView("Filter Coffee", 1, True))}
    step = confirm_order(run(TaskKind.CONFIRM_ORDER), snapshot(order(), kitchen=kitchen,
                                                              lines=lines))

    assert step.effects is not None and step.effects.status == S.CONFIRMED
    [_, ticket] = step.effects.notes
    assert (ticket.chat_id, ticket.kind) == (-500, Kind.RESTAURANT_TICKET)
    assert ticket.data["items"] == [  # no menu ids in these lines: no sold-out buttons
        {"name": "Masala Dosa", "quantity": 2, "item_id": 0, "options": ""},
        {"name": "Filter Coffee", "quantity": 1, "item_id": 0, "options": ""},
    ]
    assert step.next is not None  # the kitchen has its time to answer, then it is looked at
    assert (step.next.kind, step.next.run_at) == (TaskKind.KITCHEN_TIMEOUT,
                                                 T0 + timedelta(seconds=300))


@pytest.mark.parametrize(("kitchen", "lines", "reason"), [
    (replace(KITCHEN, is_open=False), (), "Vidyarthi Bhavan is closed"),
    (KITCHEN, (LineView("Rava Idli", 1, False), LineView("Vada", 2, False)),
     "no longer available: Rava Idli, Vada"),
])
def test_a_closed_kitchen_or_a_missing_dish_cancels_with_the_reason(
    kitchen: Restaurant, lines: tuple[LineView, ...], reason: str
) -> None:
    snap = snapshot(order(), kitchen=kitchen, lines={OrderId(42): lines})
    step = confirm_order(run(TaskKind.CONFIRM_ORDER), snap)

    assert step.effects is not None and step.effects.moves[0].reason == reason
    assert step.effects.status == S.CANCELLED
    assert kinds(step.effects) == [(CUSTOMER, Kind.ORDER_STATUS), (CUSTOMER, Kind.ORDER_CANCELLED)]


def test_confirming_an_order_no_longer_created_does_nothing() -> None:
    for status in (S.CONFIRMED, S.CANCELLED):
        step = confirm_order(run(TaskKind.CONFIRM_ORDER), snapshot(order(status)))
        assert step.effects is None and step.next is None


def test_dispatch_offers_the_longest_idle_partner_until_the_offer_runs_out() -> None:
    team = [rider(1, 5), rider(2, 30), rider(3, 10)]
    snap = snapshot(order(S.PREPARING), pool=PartnerPool(team))

    step = dispatch_order(run(TaskKind.DISPATCH), snap)

    assert step.effects is not None and step.effects.new_offer is not None
    assert step.effects.new_offer.partner_id == UserId(2) == pick_partner(team).id  # type: ignore[union-attr]
    [offer] = step.effects.notes  # the drop-off's location in it, not a pin of its own
    assert (offer.chat_id, offer.kind, offer.data["pickup"]) == (2, Kind.OFFER, "Gandhi Bazaar")
    assert offer.data["latitude"] is not None and offer.data["longitude"] is not None
    assert step.next is not None and step.next.run_at == T0 + timedelta(seconds=60)
    assert len(snap.pool) == 2  # a partner gets one offer per batch


def test_dispatch_moves_past_an_expired_offer_and_whoever_had_one_for_this_order() -> None:
    offers = (
        OfferView(OrderId(42), UserId(2), OfferState.DECLINED, T0 - timedelta(minutes=3), T0),
        OfferView(OrderId(42), UserId(3), OfferState.OPEN, T0 - timedelta(minutes=1), T0),
    )
    snap = snapshot(order(S.PREPARING), offers={OrderId(42): offers},
                    pool=PartnerPool([rider(2, 30), rider(3, 20), rider(1, 5)]))

    step = dispatch_order(run(TaskKind.DISPATCH), snap)

    assert step.effects is not None
    assert step.effects.expire_offer == UserId(3)
    assert step.effects.new_offer is not None and step.effects.new_offer.partner_id == UserId(1)
    assert kinds(step.effects) == [(3, Kind.OFFER_EXPIRED), (1, Kind.OFFER)]


def test_dispatch_waits_for_a_live_offer() -> None:
    live = OfferView(OrderId(42), UserId(3), OfferState.OPEN, T0, T0 + timedelta(seconds=20))
    step = dispatch_order(run(TaskKind.DISPATCH), snapshot(order(S.CONFIRMED),
                                                          offers={OrderId(42): (live,)}))
    assert step.effects is None
    assert step.next is not None and step.next.run_at == live.expires_at


def test_dispatch_with_nobody_free_tells_the_customer_once_and_backs_off() -> None:
    first = dispatch_order(run(TaskKind.DISPATCH), snapshot(order(S.PREPARING)))
    assert kinds(first.effects) == [(CUSTOMER, Kind.FINDING_PARTNER)]
    assert first.next is not None and first.next.run_at == T0 + timedelta(seconds=1)

    told = order(S.PREPARING, told_searching=True, searching_since=T0 - timedelta(seconds=60))
    later = dispatch_order(run(TaskKind.DISPATCH, round=5), snapshot(told))
    assert later.effects is not None and later.effects.notes == []
    assert later.next is not None and later.next.payload == {"round": 6}
    assert later.next.run_at == T0 + timedelta(seconds=30)  # capped


def test_dispatch_alerts_every_admin_once_when_the_search_runs_long() -> None:
    waiting = order(S.PREPARING, told_searching=True, searching_since=T0 - timedelta(minutes=5))
    step = dispatch_order(run(TaskKind.DISPATCH, round=9), snapshot(waiting))
    assert sorted(kinds(step.effects)) == [(8, Kind.ADMIN_ALERT), (9, Kind.ADMIN_ALERT),
                                           (CUSTOMER, Kind.FINDING_PARTNER)]
    assert step.effects is not None and step.effects.notes[-1].data["taking_long"] is True
    assert step.effects is not None and step.effects.progress is not None
    assert step.effects.progress.admins_alerted

    alerted = replace(waiting, admins_alerted=True)
    assert kinds(dispatch_order(run(TaskKind.DISPATCH), snapshot(alerted)).effects) == []


def test_dispatch_looks_again_in_time_for_the_alert() -> None:
    soon = order(S.PREPARING, told_searching=True, searching_since=T0 - timedelta(seconds=290))
    step = dispatch_order(run(TaskKind.DISPATCH, round=9), snapshot(soon))
    assert step.next is not None and step.next.run_at == T0 + timedelta(seconds=10)


def test_dispatch_for_a_taken_or_ended_order_stops_and_withdraws_its_offer() -> None:
    live = OfferView(OrderId(42), UserId(3), OfferState.OPEN, T0, T0 + timedelta(seconds=20))
    taken = dispatch_order(run(TaskKind.DISPATCH), snapshot(order(S.PREPARING, partner_id=7)))
    assert taken.effects is None and taken.next is None
    ended = dispatch_order(run(TaskKind.DISPATCH),
                           snapshot(order(S.CANCELLED), offers={OrderId(42): (live,)}))
    assert ended.effects is not None and ended.effects.end_offers and ended.next is None


def test_a_failed_order_tells_the_customer_alerts_admins_and_frees_its_partner() -> None:
    effects = fail_order(order(S.PREPARING, partner_id=UserId(7)), CONFIG, at=T0,
                         error="TimeoutError: db")
    assert effects.status == S.FAILED and effects.moves[0].reason.endswith("TimeoutError: db")
    assert sorted(kinds(effects)) == sorted([
        (CUSTOMER, Kind.ORDER_STATUS), (CUSTOMER, Kind.ORDER_FAILED),
        (8, Kind.ADMIN_ALERT), (9, Kind.ADMIN_ALERT), (7, Kind.ORDER_FAILED),
    ])
    assert effects.release_partner == UserId(7) and effects.end_offers
    assert fail_order(order(S.DELIVERED), CONFIG, at=T0, error="late").moves == []


def test_mark_ready_records_the_time_and_tells_the_partner() -> None:
    step = mark_ready(run(TaskKind.MARK_READY), snapshot(order(S.PREPARING, partner_id=7)))
    assert step.effects is not None and step.effects.progress is not None
    assert step.effects.progress.ready_at == T0
    assert kinds(step.effects) == [(7, Kind.ORDER_READY)]


def test_effects_follow_the_one_transition_table() -> None:
    effects = Effects(OrderId(42))
    with pytest.raises(IllegalTransition):
        effects.move(order(S.CREATED), S.OUT_FOR_DELIVERY, at=T0)
    with pytest.raises(IllegalTransition):  # pickup needs a partner
        effects.move(order(S.PREPARING), S.OUT_FOR_DELIVERY, at=T0)
    assert effects.move(order(S.PREPARING), S.PREPARING, at=T0) is None
    assert effects.moves == [] and effects.notes == []


@pytest.mark.parametrize("paid_online", [True, False])
def test_an_order_paid_online_that_fails_or_is_cancelled_is_a_refund_due(
    paid_online: bool,
) -> None:
    paid = order(S.CREATED, paid_online=paid_online, total=27000)
    closed = replace(KITCHEN, is_open=False)

    failed = fail_order(paid, CONFIG, at=T0, error="TimeoutError")
    cancelled = confirm_order(TaskRun(TaskId(1), TaskKind.CONFIRM_ORDER, paid.id, {}, 1, 0.5),
                              snapshot(paid, kitchen=closed)).effects

    assert cancelled is not None
    for effects, why in ((failed, "the order could not be completed"),
                         (cancelled, "cancelled: Vidyarthi Bhavan is closed")):
        told = [(n.chat_id, n.kind) for n in effects.notes if n.kind.name.startswith("REFUND")]
        if not paid_online:
            assert (effects.refund, told) == (None, [])
            continue
        assert effects.refund == why
        assert told == [(CUSTOMER, Kind.REFUND_PROMISED), (8, Kind.REFUND_DUE),
                        (9, Kind.REFUND_DUE)]



SILENT = replace(KITCHEN, manager_chat_id=-500, answer_within_s=240)


def test_a_ticket_left_unanswered_cancels_the_order_and_tells_everyone() -> None:
    step = kitchen_timeout(run(TaskKind.KITCHEN_TIMEOUT), snapshot(order(S.CONFIRMED),
                                                                   kitchen=SILENT))

    assert step.effects is not None and step.effects.status == S.CANCELLED
    assert step.effects.moves[0].reason == "Vidyarthi Bhavan did not answer in time"
    assert kinds(step.effects) == [
        (CUSTOMER, Kind.ORDER_STATUS), (CUSTOMER, Kind.ORDER_CANCELLED),
        (-500, Kind.ORDER_CANCELLED), (8, Kind.ADMIN_ALERT), (9, Kind.ADMIN_ALERT)]
    alert = step.effects.notes[-1].data
    assert (alert["reason"], alert["waited_s"]) == ("kitchen_silent", 240)
    assert step.next is None


def test_a_ticket_left_unanswered_is_accepted_for_a_kitchen_set_so() -> None:
    kitchen = replace(SILENT, unanswered=Unanswered.ACCEPT)
    step = kitchen_timeout(run(TaskKind.KITCHEN_TIMEOUT), snapshot(order(S.CONFIRMED),
                                                                   kitchen=kitchen))

    assert step.effects is not None and step.effects.status == S.PREPARING
    assert step.effects.progress is not None
    assert step.effects.progress.ready_at == T0 + timedelta(minutes=12)
    assert kinds(step.effects) == [(CUSTOMER, Kind.ORDER_STATUS), (8, Kind.ADMIN_ALERT),
                                   (9, Kind.ADMIN_ALERT)]
    assert step.next is not None and (step.next.kind, step.next.run_at) == (TaskKind.DISPATCH, T0)


@pytest.mark.parametrize("status", [S.PREPARING, S.CANCELLED, S.OUT_FOR_DELIVERY])
def test_a_ticket_answered_in_time_leaves_nothing_to_do(status: S) -> None:
    step = kitchen_timeout(run(TaskKind.KITCHEN_TIMEOUT), snapshot(order(status), kitchen=SILENT))
    assert (step.effects, step.next) == (None, None)
