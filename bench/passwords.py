"""Password hashing: the time of one Argon2id hash under shegong's parameters, beside Django's defaults.

Both are measured in the same run on the same machine, so the ratio holds even where absolute times vary.
A login costs one hash (the verify); the target is about 0.1 s on two cores.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

PASSWORD = "Correct-Horse-42"


def _median_ms(hasher, rounds: int) -> float:
    salt = hasher.salt()
    hasher.encode(PASSWORD, salt)  # warm up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        hasher.encode(PASSWORD, salt)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(scale: float) -> Iterator[str]:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from shegong.accounts.hashers import TunedArgon2PasswordHasher

    rounds = max(3, int(10 * scale))
    baseline = _median_ms(Argon2PasswordHasher(), rounds)
    tuned = _median_ms(TunedArgon2PasswordHasher(), rounds)
    for label, hasher, figure in (
        ("Django default", Argon2PasswordHasher, baseline),
        ("shegong", TunedArgon2PasswordHasher, tuned),
    ):
        yield (
            f"argon2id {label:>14}: t={hasher.time_cost} m={hasher.memory_cost} KiB p={hasher.parallelism}"
            f"  {figure:7.1f} ms per hash (median of {rounds})"
        )
    yield f"shegong / default: {tuned / baseline:.2f}"
