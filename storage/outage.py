"""Redis stopping and coming back, said once each: one `Outage` per use of Redis."""

from __future__ import annotations

import logging


class Outage:
    """Whether one use of Redis is down; `lost` (its %s: the error) is logged when it goes,
    `back` when it answers again, each once, through the user's own logger."""

    def __init__(self, logger: logging.Logger, lost: str, back: str) -> None:
        self._logger, self._lost, self._back = logger, lost, back
        self.down = False

    def failed(self, error: BaseException) -> None:
        if not self.down:
            self._logger.warning(self._lost, error)
        self.down = True

    def answered(self) -> None:
        if self.down:
            self._logger.warning(self._back)
        self.down = False
