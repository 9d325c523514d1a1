"""Why a written price is refused, one whole sentence for each amount it can be (the subject
agrees with the rest of the sentence in other languages, so no sentence is glued together):
`domain.prices.parse_price` raises them. A key is the reason: "empty", "zero" (not above
zero), "above" (above the most a price can be) or an AmountError's `problem`."""

from __future__ import annotations

from typing import Final

from domain.errors import N_

_PRICE: Final = {
    "empty": N_("price must not be empty"),
    "zero": N_("price must be above zero"),
    "above": N_("price '{shown}' is above {most}"),
    "not_amount": N_("price '{shown}' is not an amount"),
    "places": N_("price '{shown}' has more than {places} decimal places"),
    "whole": N_("price '{shown}' must be a whole number"),
    "too_large": N_("price '{shown}' is too large"),
    "separators": N_("price '{shown}' has thousands separators: write it without them: {amount}"),
    "ambiguous_dot": N_("price '{shown}' is ambiguous: it could mean {thousands} or {decimal}; "
                        "write {thousands}, or use a dot for decimals"),
    "ambiguous_comma": N_("price '{shown}' is ambiguous: it could mean {thousands} or {decimal}; "
                          "write {thousands}, or use a comma for decimals"),
    "comma": N_("price '{shown}' has a comma: use a dot for decimals: {amount}"),
    "dot": N_("price '{shown}' has a dot: use a comma for decimals: {amount}"),
}
_MINIMUM: Final = {
    "empty": N_("minimum order must not be empty"),
    "zero": N_("minimum order must be above zero"),
    "above": N_("minimum order '{shown}' is above {most}"),
    "not_amount": N_("minimum order '{shown}' is not an amount"),
    "places": N_("minimum order '{shown}' has more than {places} decimal places"),
    "whole": N_("minimum order '{shown}' must be a whole number"),
    "too_large": N_("minimum order '{shown}' is too large"),
    "separators": N_("minimum order '{shown}' has thousands separators: write it without them: "
                     "{amount}"),
    "ambiguous_dot": N_("minimum order '{shown}' is ambiguous: it could mean {thousands} or "
                        "{decimal}; write {thousands}, or use a dot for decimals"),
    "ambiguous_comma": N_("minimum order '{shown}' is ambiguous: it could mean {thousands} or "
                          "{decimal}; write {thousands}, or use a comma for decimals"),
    "comma": N_("minimum order '{shown}' has a comma: use a dot for decimals: {amount}"),
    "dot": N_("minimum order '{shown}' has a dot: use a comma for decimals: {amount}"),
}
_DISCOUNT: Final = {
    "empty": N_("discount must not be empty"),
    "zero": N_("discount must be above zero"),
    "above": N_("discount '{shown}' is above {most}"),
    "not_amount": N_("discount '{shown}' is not an amount"),
    "places": N_("discount '{shown}' has more than {places} decimal places"),
    "whole": N_("discount '{shown}' must be a whole number"),
    "too_large": N_("discount '{shown}' is too large"),
    "separators": N_("discount '{shown}' has thousands separators: write it without them: "
                     "{amount}"),
    "ambiguous_dot": N_("discount '{shown}' is ambiguous: it could mean {thousands} or {decimal}; "
                        "write {thousands}, or use a dot for decimals"),
    "ambiguous_comma": N_("discount '{shown}' is ambiguous: it could mean {thousands} or "
                          "{decimal}; write {thousands}, or use a comma for decimals"),
    "comma": N_("discount '{shown}' has a comma: use a dot for decimals: {amount}"),
    "dot": N_("discount '{shown}' has a dot: use a comma for decimals: {amount}"),
}
_FEE: Final = {
    "empty": N_("delivery fee must not be empty"),
    "zero": N_("delivery fee must be above zero"),
    "above": N_("delivery fee '{shown}' is above {most}"),
    "not_amount": N_("delivery fee '{shown}' is not an amount"),
    "places": N_("delivery fee '{shown}' has more than {places} decimal places"),
    "whole": N_("delivery fee '{shown}' must be a whole number"),
    "too_large": N_("delivery fee '{shown}' is too large"),
    "separators": N_("delivery fee '{shown}' has thousands separators: write it without them: "
                     "{amount}"),
    "ambiguous_dot": N_("delivery fee '{shown}' is ambiguous: it could mean {thousands} or "
                        "{decimal}; write {thousands}, or use a dot for decimals"),
    "ambiguous_comma": N_("delivery fee '{shown}' is ambiguous: it could mean {thousands} or "
                          "{decimal}; write {thousands}, or use a comma for decimals"),
    "comma": N_("delivery fee '{shown}' has a comma: use a dot for decimals: {amount}"),
    "dot": N_("delivery fee '{shown}' has a dot: use a comma for decimals: {amount}"),
}
_FREE_FROM: Final = {
    "empty": N_("free delivery amount must not be empty"),
    "zero": N_("free delivery amount must be above zero"),
    "above": N_("free delivery amount '{shown}' is above {most}"),
    "not_amount": N_("free delivery amount '{shown}' is not an amount"),
    "places": N_("free delivery amount '{shown}' has more than {places} decimal places"),
    "whole": N_("free delivery amount '{shown}' must be a whole number"),
    "too_large": N_("free delivery amount '{shown}' is too large"),
    "separators": N_("free delivery amount '{shown}' has thousands separators: write it without "
                     "them: {amount}"),
    "ambiguous_dot": N_("free delivery amount '{shown}' is ambiguous: it could mean {thousands} "
                        "or {decimal}; write {thousands}, or use a dot for decimals"),
    "ambiguous_comma": N_("free delivery amount '{shown}' is ambiguous: it could mean {thousands} "
                          "or {decimal}; write {thousands}, or use a comma for decimals"),
    "comma": N_("free delivery amount '{shown}' has a comma: use a dot for decimals: {amount}"),
    "dot": N_("free delivery amount '{shown}' has a dot: use a comma for decimals: {amount}"),
}
_OPTION: Final = {
    "empty": N_("the price of {name} must not be empty"),
    "zero": N_("the price of {name} must be above zero"),
    "above": N_("the price of {name} '{shown}' is above {most}"),
    "not_amount": N_("the price of {name} '{shown}' is not an amount"),
    "places": N_("the price of {name} '{shown}' has more than {places} decimal places"),
    "whole": N_("the price of {name} '{shown}' must be a whole number"),
    "too_large": N_("the price of {name} '{shown}' is too large"),
    "separators": N_("the price of {name} '{shown}' has thousands separators: write it without "
                     "them: {amount}"),
    "ambiguous_dot": N_("the price of {name} '{shown}' is ambiguous: it could mean {thousands} or "
                        "{decimal}; write {thousands}, or use a dot for decimals"),
    "ambiguous_comma": N_("the price of {name} '{shown}' is ambiguous: it could mean {thousands} "
                          "or {decimal}; write {thousands}, or use a comma for decimals"),
    "comma": N_("the price of {name} '{shown}' has a comma: use a dot for decimals: {amount}"),
    "dot": N_("the price of {name} '{shown}' has a dot: use a comma for decimals: {amount}"),
}
_ANY: Final = {
    "empty": N_("{what} must not be empty"),
    "zero": N_("{what} must be above zero"),
    "above": N_("{what} '{shown}' is above {most}"),
    "not_amount": N_("{what} '{shown}' is not an amount"),
    "places": N_("{what} '{shown}' has more than {places} decimal places"),
    "whole": N_("{what} '{shown}' must be a whole number"),
    "too_large": N_("{what} '{shown}' is too large"),
    "separators": N_("{what} '{shown}' has thousands separators: write it without them: {amount}"),
    "ambiguous_dot": N_("{what} '{shown}' is ambiguous: it could mean {thousands} or {decimal}; "
                        "write {thousands}, or use a dot for decimals"),
    "ambiguous_comma": N_("{what} '{shown}' is ambiguous: it could mean {thousands} or {decimal}; "
                          "write {thousands}, or use a comma for decimals"),
    "comma": N_("{what} '{shown}' has a comma: use a dot for decimals: {amount}"),
    "dot": N_("{what} '{shown}' has a dot: use a comma for decimals: {amount}"),
}

# by what the amount is, as parse_price's `what` names it; any other is _ANY
REFUSALS: Final = {
    "price": _PRICE,
    "minimum order": _MINIMUM,
    "discount": _DISCOUNT,
    "delivery fee": _FEE,
    "free delivery amount": _FREE_FROM,
    "option price": _OPTION,  # the price an option adds: its name is the value `name`
}


def refusal(what: str, reason: str) -> str:
    """The template saying `what` is refused for `reason`."""
    return REFUSALS.get(what, _ANY)[reason]
