"""Delivery partners: join, go online / offline, the current job, and the offer's buttons
(DESIGN.md §5). The pipeline checks every press is the offered or assigned partner's."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.common import Screen, press, replies, reply, user_id
from domain.ids import OrderId
from domain.partners import PartnerStatus
from domain.services.partners import NotAPartner


@replies
async def join_partners(update: Update, context: AppContext) -> None:
    """/partner: asks to deliver; an admin approves. /partner CODE: an admin's invite code
    approves at once (a wrong, used or expired code is refused and changes nothing)."""
    assert update.effective_user is not None
    name, partners = update.effective_user.full_name, context.services.partners
    if context.args:  # a refused code is a DomainError: @replies answers it politely
        partner = await partners.join_with_code(user_id(update), name, " ".join(context.args))
    else:
        partner = await partners.join(user_id(update), name)
    if partner.status == PartnerStatus.APPROVED:
        await reply(update, Screen(texts.partner_panel(partner), keyboards.partner_panel(partner)))
    elif partner.status == PartnerStatus.PENDING:
        await reply(update, Screen(texts.partner_requested(partner.name)))
    else:
        await reply(update, Screen(texts.refusal(NotAPartner("revoked"))))


async def _set_online(update: Update, context: AppContext, online: bool) -> Screen:
    partner = await context.services.partners.set_online(user_id(update), online)
    if online:  # orders waiting for a partner look again now
        await context.services.pipeline.wake_dispatch()
    return Screen(texts.partner_panel(partner), keyboards.partner_panel(partner))


@replies
async def go_online(update: Update, context: AppContext) -> None:
    """/online: delivery offers start coming."""
    await reply(update, await _set_online(update, context, True))


@replies
async def go_offline(update: Update, context: AppContext) -> None:
    """/offline: no more offers."""
    await reply(update, await _set_online(update, context, False))


async def online_pressed(update: Update, context: AppContext) -> Screen:
    return await _set_online(update, context, True)


async def offline_pressed(update: Update, context: AppContext) -> Screen:
    return await _set_online(update, context, False)


async def job_screen(update: Update, context: AppContext, toast: str | None = None) -> Screen:
    card = await context.services.partners.job(user_id(update))
    text = texts.job(card) if card is not None else texts.NO_JOB
    return Screen(text, keyboards.job(card), toast)


@replies
async def show_job(update: Update, context: AppContext) -> None:
    """/job: the current delivery with the buttons that apply."""
    await reply(update, await job_screen(update, context))


@press
async def accept_offer(update: Update, context: AppContext, order_id: int) -> Screen:
    """The offer becomes the job card: pickup, drop-off, Picked up."""
    await context.services.pipeline.accept_offer(OrderId(order_id), user_id(update))
    return await job_screen(update, context, texts.OFFER_ACCEPTED)


@press
async def decline_offer(update: Update, context: AppContext, order_id: int) -> Screen:
    """The offer goes to the next partner at once."""
    await context.services.pipeline.decline_offer(OrderId(order_id), user_id(update))
    return Screen(texts.offer_declined(order_id))


@press
async def picked_up(update: Update, context: AppContext, order_id: int) -> Screen:
    """The order is on its way: the card now offers Delivered."""
    await context.services.pipeline.picked_up(OrderId(order_id), user_id(update))
    return await job_screen(update, context)


@press
async def delivered(update: Update, context: AppContext, order_id: int) -> Screen:
    """The delivery is done and the partner is free again."""
    await context.services.pipeline.delivered(OrderId(order_id), user_id(update))
    return Screen(texts.job_done(order_id))


def register(app: AppType) -> None:
    for name, command in (("partner", join_partners), ("online", go_online),
                          ("offline", go_offline), ("job", show_job)):
        app.add_handler(CommandHandler(name, command))
    for action, handler in (
        (Action.GO_ONLINE, press(online_pressed)), (Action.GO_OFFLINE, press(offline_pressed)),
        (Action.JOB, press(job_screen)), (Action.OFFER_ACCEPT, accept_offer),
        (Action.OFFER_DECLINE, decline_offer), (Action.PICKED_UP, picked_up),
        (Action.DELIVERED, delivered),
    ):
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern(action)))
