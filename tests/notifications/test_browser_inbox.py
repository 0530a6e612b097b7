"""On a phone, the station head opens the inbox from the top bar and marks a message read; screenshots of the
inbox at phone and desktop size go to /tmp/shots/."""

from pathlib import Path

import pytest

from shegong.core.scoping import unscoped
from shegong.notifications.models import Kind, Message

from ..browser.support import DESKTOP, PHONE, ui_login
from ..factories import PASSWORD, VILLAGE_A1, build_world, make_user

SHOTS = Path("/tmp/shots")


def _shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_station_head_reads_the_inbox_on_a_phone(live_server, page_factory):
    with unscoped():
        build_world()
        head = make_user("township", username="head", display_name="站长 老陈")
        for n, name in enumerate(["金汤街 王大爷", "领事巷 李奶奶"]):
            Message.objects.create(
                recipient=head,
                kind=Kind.VISIT_ESCALATED,
                title="高风险服务对象逾期未访",
                body="%(name)s（%(village)s）应于 %(due)s 探访，已逾期 %(days)d 天，请督促落实。",
                params={"name": name, "village": "金汤街社区", "due": "2026-01-05", "days": 12 + n},
                link="/visits/worklist/",
                region_code=VILLAGE_A1,
                dedupe_key=f"shot:{n}",
            )
        Message.objects.create(
            recipient=head,
            kind=Kind.HOURS_PENDING,
            title="志愿服务时长待确认",
            body="辖区内有 %(entries)d 条志愿服务时长（共 %(hours)s 小时）等待确认。",
            params={"entries": 3, "hours": "7.5"},
            link="/people/hours/?status=logged",
            region_code=VILLAGE_A1,
            dedupe_key="shot:hours",
        )
    base = live_server.url

    phone = page_factory(PHONE)
    ui_login(phone, base, "head", PASSWORD)
    phone.goto(f"{base}/visits/worklist/")
    assert phone.inner_text("#inbox-unread").strip() == "3"
    phone.click("#inbox-link")
    phone.wait_for_selector("#inbox")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(phone, "inbox-phone")
    first = phone.locator(".inbox-item.unread").first
    first_id = first.get_attribute("id")
    first.locator("button.mark-read").click()
    phone.wait_for_selector(f"#{first_id}:not(.unread)")
    assert phone.inner_text("#inbox-unread").strip() == "2"
    _shot(phone, "inbox-phone-after-read")
    with unscoped():
        assert Message.objects.filter(recipient=head, read_at__isnull=False).count() == 1

    desk = page_factory(DESKTOP)
    ui_login(desk, base, "head", PASSWORD)
    desk.goto(f"{base}/notifications/")
    _shot(desk, "inbox-desktop")
    desk.goto(f"{base}/notifications/settings/")
    _shot(desk, "inbox-settings-desktop")
