"""What one simulated user sees of their chat with the bot, and waits on it."""
# ruff: noqa: ASYNC109  -- waits take an explicit deadline (timeout=...) by design

from __future__ import annotations

from collections.abc import Callable

from sandbox.models import ChatMessage, Mark, ReplyButton
from sandbox.state import SandboxState, UserProfile

Predicate = Callable[[ChatMessage], bool]


class ChatView:
    """The chat as the user sees it now, and waits for the bot to change it.

    Views show both sides of the chat with edits applied. Waits never poll: they re-check
    on every state change of the sandbox until their deadline.
    """

    def __init__(self, state: SandboxState, profile: UserProfile) -> None:
        self._state = state
        self.profile = profile
        self._last_action = Mark(state.seq)  # each action moves it; wait_for_new starts there

    @property
    def id(self) -> int:
        return self.profile.id

    @property
    def name(self) -> str:
        return self.profile.first_name

    @property
    def blocked(self) -> bool:
        return self.profile.blocked

    @property
    def messages(self) -> list[ChatMessage]:
        """Both sides of the chat, oldest first, with edits applied and deletions removed."""
        chat = self._state.chats.get(self.id)
        return list(chat.messages.values()) if chat else []

    @property
    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages if m.from_bot]

    @property
    def last(self) -> ChatMessage | None:
        """The newest bot message (None if the bot has not written yet)."""
        bot = self.bot_messages
        return bot[-1] if bot else None

    @property
    def reply_keyboard(self) -> list[list[ReplyButton]] | None:
        """The reply keyboard currently shown (last ReplyKeyboardMarkup, until removed)."""
        return self.profile.reply_keyboard

    def message(self, message_id: int) -> ChatMessage | None:
        chat = self._state.chats.get(self.id)
        return chat.messages.get(message_id) if chat else None

    def is_live(self, message: ChatMessage | int) -> bool:
        """Whether a live location message (or its id) still updates now (sandbox clock);
        a message object is looked up again, so an old snapshot gives today's answer."""
        found = self.message(message if isinstance(message, int) else message.message_id)
        return found is not None and found.live_at(self._state.clock())

    def describe(self) -> str:
        """The chat as text, one line per message - used in error messages."""
        now = self._state.clock()
        lines = [m.summary(now) for m in self.messages] or ["(no messages)"]
        if self.reply_keyboard:
            keys = " ".join(f"[{b.text}]" for row in self.reply_keyboard for b in row)
            lines.append(f"reply keyboard: {keys}")
        return "\n".join(f"  {line}" for line in lines)

    # -- waiting ------------------------------------------------------------------------------
    def mark(self) -> Mark:
        """Remember "now"; ``wait_for_new(since=mark)`` only sees messages sent/edited later."""
        return Mark(self._state.seq)

    async def wait_for(self, predicate: Predicate | None = None, timeout: float = 5.0, *,
                       since: Mark | None = None, what: str | None = None) -> ChatMessage:
        """Wait for a bot message satisfying ``predicate``.

        Without ``since`` the whole chat counts and the NEWEST matching message is returned
        (so an old message can satisfy it at once). With ``since`` only messages sent or edited
        after that mark count, and the EARLIEST such change is returned.
        """
        pred = predicate or (lambda m: True)

        def probe() -> ChatMessage | None:
            bot = self.bot_messages
            ordered = sorted((m for m in bot if m.seq > since.seq), key=lambda m: m.seq) \
                if since is not None else list(reversed(bot))
            return next((m for m in ordered if pred(m)), None)

        try:
            return await self._state.notifier.wait_for(probe, timeout)
        except TimeoutError:
            desc = what or getattr(predicate, "__name__", None) or "any message"
            scope = " new" if since is not None else ""
            raise TimeoutError(f"{self.name}: no{scope} bot message matching {desc} within "
                               f"{timeout}s. Chat now:\n{self.describe()}") from None

    async def wait_for_text(self, text: str, timeout: float = 5.0, *,
                            since: Mark | None = None) -> ChatMessage:
        """A bot message whose text or caption contains ``text`` (case-insensitive)."""
        needle = text.casefold()
        return await self.wait_for(lambda m: needle in m.content.casefold(), timeout,
                                   since=since, what=f"text {text!r}")

    async def wait_for_new(self, predicate: Predicate | None = None, since: Mark | None = None,
                           timeout: float = 5.0) -> ChatMessage:
        """Like ``wait_for(since=...)``; ``since`` defaults to this user's last action."""
        return await self.wait_for(predicate, timeout, since=since or self._last_action)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` is true (re-checked on every sandbox state change)."""
        try:
            await self._state.notifier.wait_for(lambda: True if condition() else None, timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: condition not met within {timeout}s. "
                               f"Chat now:\n{self.describe()}") from None
