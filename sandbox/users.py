"""The user side: a Python API that acts as a Telegram user talking to the bot."""
# ruff: noqa: ASYNC109  -- waits take an explicit deadline (timeout=...) by design

from __future__ import annotations

import dataclasses
import html
import mimetypes
import time
from typing import Any

from sandbox.apiobjects import bot_user, callback_query_dict, chat_dict, message_dict, user_dict
from sandbox.chat_view import ChatView
from sandbox.errors import ButtonNotFound, SandboxError
from sandbox.formatting import command_entities
from sandbox.invoices import OrderInfo
from sandbox.live_locations import is_valid_live_period, is_valid_point
from sandbox.models import CallbackAnswer, CallbackPress, ChatMessage, Contact, Location, Mark
from sandbox.payments import Payment, pay_invoice


class SandboxUser(ChatView):
    """One Telegram user. Get it with ``server.user(user_id, ...)`` (one object per id).

    Actions (``send``, ``press``, ...) deliver updates to the bot immediately. Views
    (``messages``, ``last``, ...) and waits (``wait_for``, ...) come from ``ChatView``.
    """

    def __repr__(self) -> str:
        return f"<SandboxUser {self.id} {self.profile.display_name!r}>"

    # -- actions ------------------------------------------------------------------------------
    def _write(self, event: str, event_text: str, detail: dict[str, Any] | None = None,
               **fields: Any) -> ChatMessage:
        if self.blocked:
            raise SandboxError(f"{self.name} has blocked the bot; call unblock() first")
        state = self._state
        message = state.add_message(state.open_chat(self.id), False, **fields)
        state.updates.push("message", message_dict(state, message))
        state.record(event, self.id, event_text, message_id=message.message_id, **(detail or {}))
        self._last_action = Mark(message.seq)
        return message

    async def send(self, text: str, *, reply_to: int | None = None) -> ChatMessage:
        """Send a text (a leading /command gets a bot_command entity, as in Telegram)."""
        if not text:
            raise SandboxError("Telegram clients cannot send an empty message")
        return self._write("user_text", text, text=text, html=html.escape(text, quote=False),
                           entities=command_entities(text), reply_to_message_id=reply_to)

    async def edit(self, message_id: int, text: str) -> ChatMessage:
        """Edit one of the user's own text messages (the bot gets an edited_message update)."""
        old = self.message(message_id)
        if old is None or old.from_bot or not old.text:
            raise SandboxError(f"{self.name} has no own text message #{message_id} to edit")
        return self._rewrite(old, "user_edit", text, text=text,
                             html=html.escape(text, quote=False), entities=command_entities(text))

    def _rewrite(self, old: ChatMessage, event: str, event_text: str,
                 detail: dict[str, Any] | None = None, **changes: Any) -> ChatMessage:
        """Edit one of the user's messages: the bot gets an edited_message update."""
        state = self._state
        new = state.edit_message(old, **changes)
        state.updates.push("edited_message", message_dict(state, new))
        state.record(event, self.id, event_text, message_id=old.message_id, **(detail or {}))
        self._last_action = Mark(new.seq)
        return new

    async def share_location(self, latitude: float, longitude: float, *,
                             reply_to: int | None = None) -> ChatMessage:
        return self._write("user_location", "", {"latitude": latitude, "longitude": longitude},
                           location=Location(latitude, longitude), reply_to_message_id=reply_to)

    async def share_live_location(self, latitude: float, longitude: float,
                                  live_period: int = 900) -> ChatMessage:
        """Share a live location for ``live_period`` seconds (60 to 86400, or LIVE_FOREVER):
        the bot gets a message whose location has live_period; move or stop it later."""
        if not is_valid_point(latitude, longitude):
            raise SandboxError(f"({latitude}, {longitude}) is not a point on Earth")
        if not is_valid_live_period(live_period):
            raise SandboxError(f"Telegram clients share a live location for 60 to 86400 "
                               f"seconds or indefinitely (LIVE_FOREVER), not {live_period}")
        detail = {"latitude": latitude, "longitude": longitude, "live_period": live_period}
        return self._write("user_live_location", "", detail,
                           location=Location(latitude, longitude, live_period=live_period),
                           live_since=self._state.clock())

    async def move_live_location(self, message_id: int, latitude: float, longitude: float, *,
                                 heading: int | None = None) -> ChatMessage:
        """The user's live location #message_id moves: the bot gets an edited_message."""
        old, location = self._live_location(message_id)
        if not is_valid_point(latitude, longitude):
            raise SandboxError(f"({latitude}, {longitude}) is not a point on Earth")
        moved = dataclasses.replace(location, latitude=latitude, longitude=longitude,
                                    heading=heading)
        detail = {"latitude": latitude, "longitude": longitude, "heading": heading}
        return self._rewrite(old, "user_live_move", "", detail, location=moved)

    async def stop_live_location(self, message_id: int) -> ChatMessage:
        """Stop sharing: the bot gets a last edited_message, its location without live_period."""
        old, _ = self._live_location(message_id)
        return self._rewrite(old, "user_live_stop", "", live_stopped=True)

    def _live_location(self, message_id: int) -> tuple[ChatMessage, Location]:
        old = self.message(message_id)
        location = old.location if old is not None and not old.from_bot else None
        if old is None or location is None or location.live_period is None:
            raise SandboxError(f"{self.name} has no own live location #{message_id}")
        if not old.live_at(self._state.clock()):
            ended = "was stopped" if old.live_stopped else "has expired"
            raise SandboxError(f"{self.name}'s live location #{message_id} {ended}")
        return old, location

    async def share_contact(
        self, phone_number: str | None = None, *, user_id: int | None = None
    ) -> ChatMessage:
        """Share the user's own contact card (phone defaults to the profile's phone_number),
        or with `user_id` someone else's card, as when forwarding a contact."""
        phone = phone_number or self.profile.phone_number
        if not phone:
            raise SandboxError(f"{self.name} has no phone_number; pass one to share_contact()")
        owner = self.id if user_id is None else user_id
        contact = Contact(phone, self.profile.first_name, self.profile.last_name, owner)
        return self._write("user_contact", "", {"phone_number": phone}, contact=contact)

    def _caption_fields(self, caption: str | None) -> dict[str, Any]:
        if not caption:
            return {}
        return {"caption": caption, "caption_html": html.escape(caption, quote=False),
                "caption_entities": command_entities(caption)}

    async def send_photo(self, data: bytes, caption: str | None = None, *,
                         file_name: str = "photo.jpg", reply_to: int | None = None
                         ) -> ChatMessage:
        stored = self._state.files.add("photo", data, file_name, mimetypes.guess_type(file_name)[0])
        return self._write("user_photo", caption or "", {"size": stored.size},
                           photo_file_id=stored.file_id, reply_to_message_id=reply_to,
                           **self._caption_fields(caption))

    async def send_document(self, file_name: str, data: bytes, caption: str | None = None, *,
                            mime_type: str | None = None) -> ChatMessage:
        stored = self._state.files.add("document", data, file_name, mime_type)
        detail = {"file_name": file_name, "size": stored.size}
        return self._write("user_document", caption or "", detail,
                           document_file_id=stored.file_id, document_name=file_name,
                           **self._caption_fields(caption))

    async def press(self, text: str, *, message_id: int | None = None) -> CallbackPress:
        """Press the inline button labelled exactly ``text`` on the newest bot message having it."""
        for message in reversed(self.bot_messages):
            if message_id is not None and message.message_id != message_id:
                continue
            button = message.button(text)
            if button is None:
                continue
            if button.pay:
                raise SandboxError(f"[{text}] on #{message.message_id} is an invoice's Pay "
                                   "button: call pay(message) instead")
            if button.callback_data is None:
                raise SandboxError(f"[{text}] on #{message.message_id} is not a callback button "
                                   f"(url={button.url!r})")
            return self._press(message, button.callback_data, text, forged=False)
        visible = [f"#{m.message_id}: " + " ".join(f"[{t}]" for t in m.buttons)
                   for m in reversed(self.bot_messages) if m.buttons]
        where = f" on message #{message_id}" if message_id is not None else ""
        raise ButtonNotFound(
            f"{self.name}: no inline button [{text}]{where}. Visible buttons (newest first):\n  "
            + ("\n  ".join(visible) if visible else "(none)"))

    async def press_data(self, message_id: int, data: str) -> CallbackPress:
        """Send a callback query with arbitrary (forged or stale) data from a bot message."""
        message = self.message(message_id)
        if message is None or not message.from_bot:
            raise SandboxError(f"{self.name}: there is no bot message #{message_id} to press on")
        label = next((b.text for row in message.inline_keyboard for b in row
                      if b.callback_data == data), None)
        return self._press(message, data, label, forged=label is None)

    def _press(self, message: ChatMessage, data: str, label: str | None,
               forged: bool) -> CallbackPress:
        if self.blocked:
            raise SandboxError(f"{self.name} has blocked the bot; call unblock() first")
        state = self._state
        query = state.new_query(self.id, message.message_id, data)
        state.updates.push("callback_query", callback_query_dict(state, query))
        state.record("press", self.id, label or "", message_id=message.message_id, data=data,
                     forged=forged)
        self._last_action = Mark(state.seq)
        return CallbackPress(query.id, self.id, message.message_id, data, label)

    def answer_of(self, press: CallbackPress) -> CallbackAnswer | None:
        """The bot's answerCallbackQuery for ``press`` so far; None while it is unanswered."""
        return self._state.queries[press.query_id].answer

    async def wait_for_answer(self, press: CallbackPress, timeout: float = 5.0) -> CallbackAnswer:
        """The bot's answerCallbackQuery for ``press``; TimeoutError if it never answers."""
        query = self._state.queries[press.query_id]
        try:
            return await self._state.notifier.wait_for(lambda: query.answer, timeout)
        except TimeoutError:
            label = press.button_text or press.data
            raise TimeoutError(
                f"{self.name}: the bot did not answer the press of [{label}] within {timeout}s "
                f"(answerCallbackQuery was not called)\n{self.describe()}") from None

    async def tap_reply_button(self, text: str, *, location: tuple[float, float] | None = None,
                               phone_number: str | None = None) -> ChatMessage:
        """Tap a reply-keyboard button: sends its text, or a location / the user's contact."""
        keyboard = self.reply_keyboard
        if keyboard is None:
            raise SandboxError(f"{self.name} has no reply keyboard on screen")
        button = next((b for row in keyboard for b in row if b.text == text), None)
        if button is None:
            keys = " ".join(f"[{b.text}]" for row in keyboard for b in row)
            raise ButtonNotFound(f"{self.name}: no reply button [{text}]; keyboard shows {keys}")
        if button.request_location:
            if location is None:
                raise SandboxError(f"[{text}] requests a location; pass location=(lat, lon)")
            return await self.share_location(*location)
        if button.request_contact:
            return await self.share_contact(phone_number)
        return await self.send(text)

    async def pay(self, invoice: ChatMessage | int, *, tip: int = 0, duplicate: bool = False,
                  order_info: OrderInfo | None = None) -> Payment:
        """Pay an invoice message (or its id) with ``tip`` (smallest units, at most its
        max_tip_amount, else ValueError) and wait until the bot answered the pre-checkout
        query or its deadline passed. ``duplicate``: a successful payment reaches the bot
        twice (two messages, same charge ids). ``order_info`` replaces the details the form
        fills in for the invoice's need_* flags. Paying an invoice again is allowed."""
        mark = self.mark()  # wait_for_new after pay() sees all the bot said meanwhile
        payment = await pay_invoice(self._state, self.profile, invoice, tip=tip,
                                    duplicate=duplicate, order_info=order_info)
        self._last_action = mark
        return payment

    def delete(self, message_id: int) -> None:
        """Delete a message of the chat for both sides, the bot's or the user's own, as a
        Telegram client may in a private chat. The bot is not told; its later edits of the
        message are refused ("message to edit not found")."""
        if self.message(message_id) is None:
            raise SandboxError(f"{self.name} has no message #{message_id} to delete")
        state = self._state
        state.delete_message(state.open_chat(self.id), message_id)
        state.record("user_delete", self.id, message_id=message_id)

    def _member_update(self, old: str, new: str) -> None:
        state = self._state
        if self.id not in state.chats:
            return
        bot = bot_user(state.bot)
        new_member: dict[str, Any] = {"user": bot, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"user": bot, "status": old}
        if old == "kicked":
            old_member["until_date"] = 0
        state.updates.push("my_chat_member", {
            "chat": chat_dict(self.profile), "from": user_dict(self.profile),
            "date": int(time.time()), "old_chat_member": old_member,
            "new_chat_member": new_member})

    def block(self) -> None:
        """Block the bot: its sends fail with 403; it gets a my_chat_member update."""
        if not self.blocked:
            self.profile.blocked = True
            self._member_update("member", "kicked")
            self._state.record("block", self.id)

    def unblock(self) -> None:
        if self.blocked:
            self.profile.blocked = False
            self._member_update("kicked", "member")
            self._state.record("unblock", self.id)
