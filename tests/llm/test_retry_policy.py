"""Back-off: bounded, jittered, honours Retry-After, gives up after max_retries."""

from __future__ import annotations

import random

import pytest

from agent.llm.retry import RetriesExhausted, RetryableFailure, RetryPolicy, call_with_retries


def test_delays_grow_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=4.0, jitter=0.5, rng=random.Random(1))
    for n, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (8, 4.0)]:
        delays = {policy.delay_s(n) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, so clients do not retry in lock-step


def test_retry_after_raises_the_delay_but_never_past_the_cap() -> None:
    policy = RetryPolicy(base_delay_s=0.1, max_delay_s=5.0)
    assert policy.delay_s(1, retry_after_s=2.0) == 2.0
    assert policy.delay_s(1, retry_after_s=60.0) == 5.0


def test_gives_up_after_max_retries_with_the_last_failure() -> None:
    attempts: list[int] = []

    def failing() -> str:
        attempts.append(1)
        raise RetryableFailure(f"server error #{len(attempts)}")

    with pytest.raises(RetriesExhausted) as err:
        call_with_retries(failing, RetryPolicy(max_retries=2), sleep=lambda _s: None)
    assert len(attempts) == 3 and err.value.attempts == 3
    assert err.value.last.reason == "server error #3"


def test_other_exceptions_are_not_retried() -> None:
    attempts: list[int] = []

    def broken() -> str:
        attempts.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        call_with_retries(broken, RetryPolicy(max_retries=5), sleep=lambda _s: None)
    assert len(attempts) == 1
