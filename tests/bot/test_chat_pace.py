"""Each chat's messages as Telegram counts them (bot/chat_pace.py), on a clock the test moves."""

from __future__ import annotations

from bot.chat_pace import BURST, ChatPace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_chat_takes_a_burst_then_one_a_second_and_other_chats_are_apart() -> None:
    clock = Clock()
    pace = ChatPace(1.0, clock=clock)
    for _ in range(BURST):
        assert pace.wait("asha") == 0
        pace.took("asha")

    assert pace.wait("asha") == 1.0 and pace.wait("ravi") == 0
    clock.now += 0.5
    assert pace.wait("asha") == 0.5
    clock.now += 0.5
    assert pace.wait("asha") == 0


def test_replies_past_the_burst_leave_the_chat_owing() -> None:
    clock = Clock()
    pace = ChatPace(1.0, clock=clock)
    for _ in range(BURST + 2):  # replies go out whatever the count
        pace.took("asha")

    assert pace.wait("asha") == 3.0  # two owed, then one to have
    clock.now += 3
    assert pace.wait("asha") == 0
