"""The admin console (issue #6) in chat: slash commands for the users in ADMIN_IDS.

commands.py  the typed command values         parsers.py   their arguments' parsers
                                              (promo_parsers.py: promo codes, refunds;
                                              option_parsers.py: dish options)
specs.py     the one table of commands        texts.py     the replies' wording
handlers.py  the handlers and `register(app)`, which answers every command in specs.py
             (option_handlers.py: dish options and the menu export)
"""

from bot.admin.handlers import register

__all__ = ["register"]
