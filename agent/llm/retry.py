"""Bounded retries with exponential back-off and jitter — the one retry policy for model calls.

LangChain and the openai client are told not to retry (max_retries=0) so this is the only loop:
one place decides how long a rate-limited or failing endpoint is tried before lablens gives up
and the caller falls back to the offline path.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("lablens.llm")


class RetryableFailure(Exception):
    """A failure worth another attempt; `reason` is a short phrase for messages and logs."""

    def __init__(self, reason: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class RetriesExhausted(Exception):
    def __init__(self, last: RetryableFailure, attempts: int) -> None:
        super().__init__(f"{last.reason} (after {attempts} attempts)")
        self.last = last
        self.attempts = attempts


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3  # attempts = max_retries + 1
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    jitter: float = 0.5  # each delay is scaled by a random factor in [1 - jitter, 1]
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay_s(self, retry_number: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before retry `retry_number` (1-based); honours Retry-After, capped."""
        backoff = min(self.max_delay_s, self.base_delay_s * 2 ** (retry_number - 1))
        delay = backoff * (1.0 - self.jitter * self.rng.random())
        if retry_after_s is not None:
            delay = max(delay, retry_after_s)
        return float(min(delay, self.max_delay_s))


def call_with_retries(
    attempt: Callable[[], T], policy: RetryPolicy, *, sleep: Callable[[float], None] = time.sleep
) -> T:
    """Run `attempt` until it returns; retry `RetryableFailure` up to `policy.max_retries` times.

    Raises `RetriesExhausted` carrying the last failure; any other exception passes through.
    """
    attempts = 0
    while True:
        attempts += 1
        try:
            return attempt()
        except RetryableFailure as failure:
            if attempts > policy.max_retries:
                raise RetriesExhausted(failure, attempts) from failure
            delay = policy.delay_s(attempts, failure.retry_after_s)
            log.warning(
                "model call failed (%s); retry %d/%d in %.2f s",
                failure.reason,
                attempts,
                policy.max_retries,
                delay,
            )
            sleep(delay)
