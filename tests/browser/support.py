"""Browser-test helpers: Debian's Chromium, viewports and logging in through the form."""

import os

CHROMIUM = os.environ.get("SHEGONG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def ui_login(page, base_url, username, password):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # The form posts whether the login succeeds or not: wait for the answer to load before anyone reads the page
    # (reading it mid-navigation gives an empty document).
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    page.wait_for_load_state()
