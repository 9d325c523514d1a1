"""`foodbot demo` runs its whole story against the local Bot API server."""

from bot.demo import play


async def test_the_demo_runs_to_the_end_and_prints_the_transcript() -> None:
    lines: list[str] = []
    assert await play(lines.append) == 0
    transcript = "\n".join(lines)
    assert "Customer Asha: /start" in transcript
    assert "Foodbot → Customer Asha: Hi Asha!" in transcript
    assert "Customer Asha presses [➕ Pizza · ₹250.00]" in transcript
    assert "Customer Asha presses [✅ Place order, pay on delivery]" in transcript
    assert "Customer Asha presses [○ Large +₹200.00]" in transcript  # on the options card
    assert "Order #1 · Dominos" in transcript and "2 × Pizza — ₹500.00" in transcript
    assert "1 × Farmhouse Pizza (Large) — ₹599.00" in transcript
    assert "Customer Asha: /orders" in transcript and "#1 · Dominos · ₹1,159.00" in transcript
    assert "Foodbot → Partner Ravi" in transcript and "Foodbot → Admin Meera" in transcript
    assert "Partner Ravi presses [✅ Accept]" in transcript
    assert "Partner Ravi presses [✅ Delivered]" in transcript
    assert "🎉 Delivered" in transcript and "has been delivered" in transcript
    assert "Customer Asha presses [💳 Pay now]" in transcript  # the second order, paid
    assert "Asha pays invoice 'Order from Dominos' ₹1,159.00 + tip ₹20.00" in transcript
    assert "Order #2 · Dominos · 💳 Paid" in transcript and "collect nothing" in transcript
    delivered = transcript.index("🎉 Order #2 has been delivered")  # before the demo moves on
    assert delivered < transcript.index("Customer Asha: /language")
    assert lines[-1].strip() == "Demo finished: every step ran."
