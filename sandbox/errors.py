"""Exceptions used by the sandbox: Bot API errors (sent to the bot) and user-side errors."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered to the bot in Telegram's envelope, e.g. 400 "Bad Request: ..."."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code,
                                "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with a retry_after parameter, exactly like Telegram."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


UNAUTHORIZED = ApiError(401, "Unauthorized")
# A callback or pre-checkout query answered twice, too late, or never sent.
QUERY_INVALID = bad_request("query is too old and response timeout expired or query ID is invalid")
NOT_FOUND = ApiError(404, "Not Found")
INTERNAL = ApiError(500, "Internal Server Error")


class SandboxError(Exception):
    """A user-side misuse, e.g. pressing a button that is not on screen."""


class ButtonNotFound(SandboxError, LookupError):
    """The requested button is not visible in the chat."""
