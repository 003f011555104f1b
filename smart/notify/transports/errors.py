"""Typed delivery errors: the retry stage decides from the type alone whether to try again."""


class DeliveryError(Exception):
    """A message was not delivered. `code` is the peer's answer (SMTP reply code, HTTP status) when known."""

    def __init__(self, reason: str, *, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TransientError(DeliveryError):
    """Try again later: timeouts, refused connections, 4xx SMTP replies, HTTP 429 and 5xx.

    `retry_after` is the peer's own hint in seconds (Telegram's parameters.retry_after, Retry-After), if any.
    `outcome_unknown` is set when the request may have reached the peer and been acted on (a timeout or a
    dropped connection after the request went out): a retry may then deliver a second copy.
    """

    def __init__(self, reason: str = "temporary failure", *, retry_after: float | None = None,
                 code: int | None = None, outcome_unknown: bool = False):
        super().__init__(reason, code=code)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown

    def __str__(self) -> str:
        return self.reason if self.retry_after is None else f"{self.reason} (retry after {self.retry_after:g} s)"


class PermanentError(DeliveryError):
    """Retrying will not help: mailbox refused, chat not found, bot blocked, wrong token, 404.

    Stop retrying and tell a person (the channel needs fixing).
    """
