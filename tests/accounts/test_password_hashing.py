"""Passwords: Argon2id at or above OWASP's minimum, first in PASSWORD_HASHERS, and older hashes upgraded at login."""

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher

from shegong import settings as project_settings
from shegong.accounts.hashers import TunedArgon2PasswordHasher
from shegong.accounts.models import User

from ..factories import PASSWORD

TUNED = "shegong.accounts.hashers.TunedArgon2PasswordHasher"


def test_the_tuned_hasher_is_preferred_and_meets_the_owasp_minimum():
    # OWASP Password Storage Cheat Sheet: Argon2id with at least 19 MiB, 2 iterations, 1 degree of parallelism.
    assert project_settings.PASSWORD_HASHERS[0] == TUNED
    hasher = TunedArgon2PasswordHasher()
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2 and hasher.parallelism >= 1
    params = argon2.extract_parameters("$" + hasher.encode(PASSWORD, hasher.salt()).split("$", 1)[1])
    assert params.type is argon2.Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)


@pytest.mark.django_db
def test_a_default_parameter_hash_is_upgraded_at_login(client, world, settings):
    settings.PASSWORD_HASHERS = [TUNED, "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = User.objects.get(username="official")
    default = Argon2PasswordHasher()  # Django's defaults: t=2, m=100 MiB, p=8
    User.objects.filter(pk=user.pk).update(password=default.encode(PASSWORD, default.salt()))
    before = User.objects.get(pk=user.pk).password
    assert "m=102400,t=2,p=8" in before

    response = client.post("/accounts/login/", {"username": "official", "password": PASSWORD})

    assert response.status_code == 302
    after = User.objects.get(pk=user.pk).password
    assert after != before and "m=19456,t=2,p=1" in after
    assert isinstance(identify_hasher(after), TunedArgon2PasswordHasher)
    assert not TunedArgon2PasswordHasher().must_update(after)
    # …and the upgraded hash still logs in.
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"username": "official", "password": PASSWORD}).status_code == 302
