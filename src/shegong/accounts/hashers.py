"""Argon2id tuned for a small server: OWASP's minimum parameters instead of Django's defaults.

Django's defaults (t=2, m=100 MiB, p=8) take about 0.9 s a login on two shared cores. OWASP's Password Storage
Cheat Sheet sets the floor for Argon2id at m=19 MiB (19456 KiB), t=2, p=1, about 0.1 s here (`python -m bench
--only passwords` prints both). Django's ``must_update`` compares the stored parameters with these, so a hash made
under other parameters is rehashed at the next successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet, Argon2id minimum configuration.
OWASP_MIN_MEMORY_KIB = 19456
OWASP_MIN_TIME_COST = 2
OWASP_MIN_PARALLELISM = 1


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """Same algorithm name ("argon2"), so existing hashes verify and are upgraded in place."""

    time_cost = OWASP_MIN_TIME_COST
    memory_cost = OWASP_MIN_MEMORY_KIB
    parallelism = OWASP_MIN_PARALLELISM
