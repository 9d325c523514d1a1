"""Invite codes: drawn from the token source, read back forgivingly, nothing else accepted."""

from __future__ import annotations

from domain.invites import ALPHABET, CODE_LENGTH, code_from_token, normalize_code


def test_codes_use_the_unambiguous_alphabet_and_differ_per_token() -> None:
    codes = {code_from_token(token) for token in (1, 2, 2**61 + 12345, 2**62 - 1)}
    assert len(codes) == 4
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert not set("01ILO") & set(ALPHABET)


def test_typed_codes_are_forgiven_case_and_spaces_but_nothing_else() -> None:
    code = code_from_token(987654321)
    assert normalize_code(f" {code.lower()[:4]} {code[4:]} ") == code
    assert normalize_code("ABCD0EFG") is None  # 0 is not in the alphabet
    assert normalize_code("ABC") is None
    assert normalize_code("") is None
