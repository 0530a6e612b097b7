import base64
import os

import pytest
from django.conf import settings

from shegong.core import crypto
from shegong.core.scoping import unscoped

from .factories import World, build_world

TEST_DATA_KEYS = "t1:" + base64.urlsafe_b64encode(b"0123456789abcdef").decode().rstrip("=")
TEST_INDEX_KEY = base64.urlsafe_b64encode(b"index-key-for-tests-only-32bytes").decode().rstrip("=")
TEST_AUDIT_KEYS = "a1:" + base64.urlsafe_b64encode(b"audit-chain-key-for-tests-32byte").decode().rstrip("=")

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(autouse=True, scope="session")
def _test_keys():
    settings.DATA_KEYS = TEST_DATA_KEYS
    settings.INDEX_KEY = TEST_INDEX_KEY
    settings.AUDIT_KEYS = TEST_AUDIT_KEYS
    crypto.reset_keyring()
    yield
    crypto.reset_keyring()


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    """A request that switched to English leaves it active in the thread; every test starts in Chinese."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _unscoped_test_body():
    """Test set-up and assertions read the database directly; requests still get the actor's scope."""
    with unscoped():
        yield


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test process, shared by every browser test (Playwright allows one sync loop)."""
    import shutil

    from .browser.support import CHROMIUM, CHROMIUM_ARGS

    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(
            "Debian's chromium is not installed: `make test` installs it (scripts/ensure-chromium.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page_factory(browser):
    from .browser.support import DESKTOP

    contexts = []

    def make(viewport=DESKTOP, **kwargs):
        context = browser.new_context(viewport=viewport, locale="zh-CN", **kwargs)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(scope="module")
def harness_world(django_db_setup, django_db_blocker):
    """The cross-region harness's world with every app's objects, built once per test module.

    It lives in a transaction held open around the module; each test's own transaction is a savepoint inside it
    and is rolled back as usual, so a test sees the world exactly as built. The whole world is rolled back when
    the module ends.
    """
    from django.db import transaction
    from django.test import override_settings

    from .cross_region import extend_world

    with django_db_blocker.unblock(), unscoped():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                built = build_world()
                extend_world(built)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def login(client):
    from .factories import login_client

    def _login(user, c=None):
        return login_client(c or client, user)

    return _login


@pytest.fixture
def standing_matches_records(db):
    """For the tests that walk records through their states: after the test, every standing count
    (``core.standing``) still equals what its records say."""
    yield
    from shegong.core import standing
    from shegong.core.scoping import unscoped

    with unscoped():
        assert standing.reconcile(fix=False) == []
