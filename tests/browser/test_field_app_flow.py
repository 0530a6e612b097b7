"""In Chromium at phone size, the worker's offline field app (visits/field): records made without signal (visits,
case notes, attendance, activities, requests found in the field) wait in the encrypted outbox through a closed
page, sync once each when the network returns (also when the answer of a sync is lost), a record the server
refuses stays as "needs attention" with its message, a stale phone edit (a phone number, a case plan) becomes a
conflict both sides see and a person resolves, and logging out clears the device's data.

Screenshots go to /tmp/shots-j21/.
"""

import datetime
import time
from pathlib import Path

import pytest

from shegong.core.scoping import unscoped

from ..factories import PASSWORD, TOWN_A, VILLAGE_A1, VILLAGE_A2, build_world, make_user
from .support import PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots-j21")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _setup(n=3):
    from tests.people.helpers import make_worker
    from tests.recipients.helpers import make_recipient

    with unscoped():
        world = build_world()
        user = make_user(("worker", TOWN_A), username="xiaowang")
        worker = make_worker(world.regions["town_a"], name="王小社", user=user)
        make_user(("township", TOWN_A), username="zhanzhang")
        recipients = [
            make_recipient(VILLAGE_A1, name=f"刘奶奶{i}", worker=worker, phone=f"1380000000{i}")
            for i in range(n)
        ]
    return world, user, recipients


def _case(world, worker, recipient, *, stage="intervention"):
    """A case of the worker's for the recipient: in intervention (notes may be written) or with a draft plan."""
    import datetime

    from shegong.accounts.actor import SystemActor
    from shegong.cases import services

    system = SystemActor("test")
    with unscoped():
        case = services.case_open(
            actor=system,
            station=world.station_a,
            worker=worker,
            data={
                "recipient": recipient,
                "source": "walk_in",
                "presenting_problem": "独居，情绪低落",
                "opened_on": datetime.date.today(),
            },
        )
        services.case_assess(
            actor=system,
            case=case,
            data={"assessed_on": case.opened_on, "scores": {"comfort": 3}, "text": "需要精神慰藉"},
        )
        services.case_plan_save(
            actor=system,
            case=case,
            text="每周一次上门陪伴",
            goals=[
                {
                    "title": "情绪改善",
                    "indicator": "量表下降 5 分",
                    "target_on": datetime.date.today() + datetime.timedelta(days=60),
                }
            ],
        )
        if stage == "intervention":
            approval = services.case_plan_submit(actor=system, case=case)
            services.case_decide(actor=system, approval=approval, approve=True)
        case.refresh_from_db()
    return case


def _group(world, worker, members, name="独居长者互助小组", **schedule):
    import datetime

    from shegong.accounts.actor import SystemActor
    from shegong.groups import services

    system = SystemActor("test")
    with unscoped():
        group = services.group_create(
            actor=system,
            data={
                "node": world.station_a,
                "name": name,
                "kind": "support",
                "purpose": "减少孤独感",
                "leader": worker,
                "planned_sessions": 6,
                "starts_on": datetime.date.today() - datetime.timedelta(days=30),
                **schedule,
            },
        )
        for recipient in members:
            services.member_add(actor=system, group=group, recipient=recipient, joined_on=group.starts_on)
    return group


def _worker_of(user):
    from shegong.people.models import SocialWorker

    with unscoped():
        return SocialWorker.objects.get(user=user)


def _open_app(page, base, *, login=True):
    if login:
        ui_login(page, base, "xiaowang", PASSWORD)
    page.goto(f"{base}/visits/field/")
    page.wait_for_selector("#field-lock:not([hidden])")


def _unlock(page):
    page.fill("#field-password", PASSWORD)
    page.click("#field-unlock-form button[type=submit]")
    # The server checks the password and the phone derives its key (PBKDF2): seconds each on a loaded machine.
    page.wait_for_selector("#field-main:not([hidden])", timeout=60_000)


def _wait(page, expression, timeout=20):
    """Poll an expression (wait_for_function compiles its predicate with eval, which the page's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def _synced(page):
    _wait(
        page,
        "!document.body.dataset.syncing && document.getElementById('field-last-sync').textContent.includes('上次同步')",
    )


def _png(width=1600, height=1200) -> bytes:
    """A real, noisy PNG photo (a gradient with pseudo-random grain), larger than the phone keeps."""
    import random
    import struct
    import zlib

    grain = random.Random(21)
    rows = b"".join(
        b"\x00" + bytes((x * 255 // width + grain.randrange(40)) % 256 for x in range(width * 3))
        for _y in range(0, height, 1)
    )

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def _record_visit(page, recipient_name, notes, photo=None):
    page.click("[data-view=recipients]")
    card = page.locator(".field-card", has_text=recipient_name)
    card.get_by_role("button", name="记录探访").click()
    page.fill("#visit-notes", notes)
    if photo is not None:
        page.set_input_files("#field-form input[type=file]", str(photo))
    page.click("#field-form button[type=submit]")
    page.wait_for_selector("#field-outbox-summary")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame marker."""
    import struct

    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no frame in the JPEG")


def _record_note(page, recipient_name, content):
    page.click("[data-view=recipients]")
    card = page.locator(".field-card", has_text=recipient_name)
    card.get_by_role("button", name="记录介入").click()
    page.fill("#note-content", content)
    page.click("#field-form button[type=submit]")
    page.wait_for_selector("#field-outbox-summary")


def _record_attendance(page, group_name, present_names, content):
    page.click("[data-view=today]")
    card = page.locator("[data-group]", has_text=group_name)
    card.get_by_role("button", name="记录本节出席").click()
    page.fill("#attendance-content", content)
    for name in present_names:
        page.locator(".field-check", has_text=name).locator("input").check()
    page.click("#field-form button[type=submit]")
    page.wait_for_selector("#field-outbox-summary")


def _states(page):
    return page.eval_on_selector_all("[data-state]", "els => els.map(e => e.dataset.state)")


def _databases(page):
    return page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")


@pytest.mark.slow
def test_three_visits_recorded_offline_survive_a_closed_page_and_sync_once(
    live_server, page_factory, tmp_path
):
    from shegong.cases.models import InterventionNote
    from shegong.visits.models import Visit, VisitPhoto

    photo = tmp_path / "门口.png"
    photo.write_bytes(_png())

    world, user, recipients = _setup()
    case = _case(world, _worker_of(user), recipients[0])
    with unscoped():
        from shegong.recipients.models import Recipient

        Recipient.objects.filter(pk__in=[r.pk for r in recipients]).update(next_due_on=datetime.date.today())
    page = page_factory(viewport=PHONE)
    context = page.context
    _open_app(page, live_server.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    _unlock(page)
    _synced(page)
    page.click("[data-view=recipients]")
    assert page.locator("[data-recipient]").count() == 3
    # The phone shows the number masked; the offline copy holds no full number.
    assert "13800000000" not in page.content()
    _shot(page, "field-recipients")

    page.click("[data-view=today]")
    assert page.locator("#field-view [data-recipient]").count() == 3  # all three due today

    context.set_offline(True)
    page.wait_for_selector(".field-off")
    for i, recipient in enumerate(recipients):
        _record_visit(page, recipient.name, f"离线记录{i}", photo=photo if i == 0 else None)
    # A visit waiting on the phone answers its due visit: today's list no longer asks for it.
    page.click("[data-view=today]")
    assert page.locator("#field-view [data-recipient]").count() == 0
    assert "另有 3 人的探访已在本机记录，待发送" in page.inner_text("#field-visited-here")
    # The recipient's card shows the open case's stage, and its note is written offline too.
    page.click("[data-view=recipients]")
    assert (
        f"个案 {case.number}：介入" in page.locator(".field-card", has_text=recipients[0].name).inner_text()
    )
    _record_note(page, recipients[0].name, "离线个案记录")
    assert _states(page) == ["waiting"] * 4
    assert page.get_attribute("#field-waiting", "data-count") == "4"
    _shot(page, "field-outbox-offline")
    # What waits on the device is sealed: the notes are nowhere in IndexedDB in clear.
    raw = page.evaluate(
        """new Promise(r => { const q = indexedDB.open('shegong-field'); q.onsuccess = () => {
            const t = q.result.transaction('outbox').objectStore('outbox').getAll();
            t.onsuccess = () => { r(JSON.stringify(t.result)); q.result.close(); }; }; })"""
    )
    assert "离线记录" not in raw and "离线个案记录" not in raw and "case.note" in raw
    page.close()

    # Reopened without signal: the service worker serves the app, the password opens the outbox.
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/visits/field/")
    page.wait_for_selector("#field-lock:not([hidden])")
    _unlock(page)
    page.click("[data-view=outbox]")
    assert _states(page) == ["waiting"] * 4
    with unscoped():
        assert Visit.objects.count() == 0 and not InterventionNote.objects.exists()

    context.set_offline(False)
    _wait(page, "document.querySelectorAll('[data-state=sent]').length === 4")
    _shot(page, "field-outbox-sent")
    with unscoped():
        visits = list(Visit.objects.order_by("pk"))
        assert len(visits) == 3
        assert sorted(v.notes for v in visits) == ["离线记录0", "离线记录1", "离线记录2"]
        assert {v.recorded_by_id for v in visits} == {user.pk}
        (note,) = InterventionNote.objects.all()
        assert note.case_id == case.pk and note.content == "离线个案记录" and note.created_by_id == user.pk
        # The photo was made small on the phone before it waited: a JPEG of at most 1280 px, far below the PNG.
        (kept,) = VisitPhoto.objects.all()
        assert kept.visit.notes == "离线记录0" and kept.content_type == "image/jpeg"
        assert kept.size < photo.stat().st_size / 4
        assert _jpeg_size(bytes(kept.data)) == (1280, 960)
    # A second sync sends nothing again.
    page.click("#field-sync")
    _synced(page)
    with unscoped():
        assert Visit.objects.count() == 3 and InterventionNote.objects.count() == 1

    # Logging out clears the device: no IndexedDB database is left.
    page.click("#field-logout button")
    page.wait_for_url("**/accounts/login/**")
    assert "shegong-field" not in _databases(page)


def test_a_sync_whose_answer_is_lost_neither_duplicates_nor_loses_a_record(live_server, page_factory):
    from shegong.cases.models import InterventionNote
    from shegong.core.models import SyncReceipt
    from shegong.groups.models import Attendance, GroupSession
    from shegong.visits.models import Visit

    world, user, recipients = _setup()
    worker = _worker_of(user)
    _case(world, worker, recipients[0])
    _group(world, worker, recipients[:2])
    # Routes see the page's own requests only when no service worker answers them.
    page = page_factory(viewport=PHONE, service_workers="block")
    context = page.context
    _open_app(page, live_server.url)
    _unlock(page)
    _synced(page)
    context.set_offline(True)
    # A mix of kinds, as a day in the field leaves them.
    for i, recipient in enumerate(recipients):
        _record_visit(page, recipient.name, f"断网{i}")
    _record_note(page, recipients[0].name, "断网个案记录")
    _record_attendance(page, "独居长者互助小组", [recipients[1].name], "断网小组活动")

    attempts, received = [], []

    def cut(route):
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.abort("connectionreset")  # the first try never reaches the server
            return
        response = route.fetch()  # the second does: the server writes the records …
        received.append(response.status)
        route.abort("connectionreset")  # … and the phone never hears back

    page.route("**/api/v1/sync/upload", cut)
    context.set_offline(False)
    _wait(page, "document.getElementById('field-status-message').textContent.includes('网络中断')")
    _wait(page, "!document.body.dataset.syncing")
    assert len(attempts) == 1 and received == []
    with unscoped():
        assert not Visit.objects.exists() and not InterventionNote.objects.exists()
    page.click("#field-sync")
    deadline = time.monotonic() + 20
    while not received:
        assert time.monotonic() < deadline, "the second upload never reached the server"
        page.wait_for_timeout(100)
    _wait(page, "!document.body.dataset.syncing")
    assert received == [200]
    assert "网络中断" in page.inner_text("#field-status-message")
    with unscoped():
        assert Visit.objects.count() == 3 and InterventionNote.objects.count() == 1
    page.click("[data-view=outbox]")
    assert _states(page) == ["waiting"] * 5
    _shot(page, "field-sync-interrupted")

    page.unroute("**/api/v1/sync/upload")
    page.click("#field-sync")
    _wait(page, "document.querySelectorAll('[data-state=sent]').length === 5")
    with unscoped():
        assert Visit.objects.count() == 3
        assert SyncReceipt.objects.count() == 5
        assert sorted(v.notes for v in Visit.objects.all()) == ["断网0", "断网1", "断网2"]
        assert [n.content for n in InterventionNote.objects.all()] == ["断网个案记录"]
        (session,) = GroupSession.objects.all()
        assert session.content == "断网小组活动"
        assert {(a.member.recipient_id, a.present) for a in Attendance.objects.all()} == {
            (recipients[0].pk, False),
            (recipients[1].pk, True),
        }


def test_a_phone_edited_offline_and_by_the_station_head_is_a_conflict_both_sides_see(
    live_server, page_factory
):
    from shegong.core.models import SyncConflict
    from shegong.recipients.models import Recipient

    _world, _user, recipients = _setup(1)
    (recipient,) = recipients
    worker_page = page_factory(viewport=PHONE)
    _open_app(worker_page, live_server.url)
    _unlock(worker_page)
    _synced(worker_page)
    worker_page.context.set_offline(True)
    worker_page.click("[data-view=recipients]")
    worker_page.locator(".field-card", has_text=recipient.name).get_by_role(
        "button", name="修改联系方式"
    ).click()
    worker_page.fill("#contact-phone", "13911112222")
    worker_page.click("#field-form button[type=submit]")
    worker_page.wait_for_selector("#field-outbox-summary")
    assert _states(worker_page) == ["waiting"]

    # Meanwhile the station head changes the same phone online.
    head_page = page_factory(viewport=PHONE)
    ui_login(head_page, live_server.url, "zhanzhang", PASSWORD)
    head_page.goto(f"{live_server.url}/recipients/{recipient.pk}/edit/")
    head_page.fill("input[name=phone]", "13700000007")
    with head_page.expect_navigation():
        head_page.click("form button[type=submit].primary")
    with unscoped():
        assert Recipient.objects.get(pk=recipient.pk).phone == "13700000007"

    worker_page.context.set_offline(False)
    _wait(worker_page, "document.querySelectorAll('[data-state=conflict]').length === 1")
    _shot(worker_page, "field-conflict-worker")
    with unscoped():
        # The server kept its value and holds the device's beside it.
        assert Recipient.objects.get(pk=recipient.pk).phone == "13700000007"
        conflict = SyncConflict.objects.get()
        assert conflict.fields["phone"] == {"server": "13700000007", "device": "13911112222"}
    # The worker's side: the outbox links to the conflict page, which shows both values.
    with worker_page.expect_navigation():
        worker_page.click("[data-state=conflict] a")
    assert "13700000007" in worker_page.content() and "13911112222" in worker_page.content()

    # The station head's side: the list shows it; the head picks the worker's number.
    head_page.goto(f"{live_server.url}/visits/conflicts/")
    with head_page.expect_navigation():
        head_page.click(f"a[href='/visits/conflicts/{conflict.pk}/']")
    _shot(head_page, "field-conflict-head")
    with head_page.expect_navigation():
        head_page.click("form.conflict-form button[type=submit]")
    assert head_page.locator(".error").count() >= 1  # nothing chosen yet: named, not saved
    head_page.check("input[name=choice_phone][value=device]")
    with head_page.expect_navigation():
        head_page.click("form.conflict-form button[type=submit]")
    with unscoped():
        assert Recipient.objects.get(pk=recipient.pk).phone == "13911112222"
        assert SyncConflict.objects.get().status == "resolved"
        assert SyncConflict.objects.get().resolved_by.username == "zhanzhang"


def test_the_sites_own_logout_clears_the_field_apps_data_too(live_server, page_factory):
    _setup(1)
    page = page_factory(viewport=PHONE)
    _open_app(page, live_server.url)
    _unlock(page)
    _synced(page)
    assert "shegong-field" in _databases(page)
    # Tap to call: the full number is revealed for the call (audited with the automatic reason), never stored.
    # (In a page of its own: the tel: hand-over to the dialler leaves the page in no state to navigate on.)
    from shegong.audit.models import AuditEvent

    caller = page.context.new_page()
    caller.set_viewport_size(PHONE)
    caller.goto(f"{live_server.url}/visits/field/")
    _unlock(caller)
    caller.click("[data-view=recipients]")
    caller.get_by_role("button", name="拨打 138****0000").click()
    from django.db import OperationalError

    deadline, reasons = time.monotonic() + 10, []
    while not reasons:
        assert time.monotonic() < deadline, "the call revealed nothing"
        try:
            reasons = list(AuditEvent.objects.filter(action="reveal").values_list("reason", flat=True))
        except (
            OperationalError
        ):  # SQLite's shared in-memory database: the server is writing the table right now
            pass
        time.sleep(0.1)
    assert reasons == ["拨打电话：探访联系"]
    caller.close()
    page.goto(f"{live_server.url}/visits/worklist/")
    with page.expect_navigation():
        page.click("form[action='/accounts/logout/'] button")
    assert "shegong-field" not in _databases(page)


def test_a_deactivated_account_wipes_the_device_on_its_next_contact(live_server, page_factory):
    from django.contrib.auth import get_user_model

    _world, user, _recipients = _setup(1)
    page = page_factory(viewport=PHONE)
    _open_app(page, live_server.url)
    _unlock(page)
    _synced(page)
    with unscoped():
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    page.click("#field-sync")
    _wait(page, "document.body.dataset.wiped === '1'")
    assert "shegong-field" not in _databases(page)
    assert "已停用" in page.inner_text("#field-status-message")


def test_a_phone_that_has_not_synced_for_the_regions_days_wipes_its_copy_at_open(live_server, page_factory):
    _setup(1)
    page = page_factory(viewport=PHONE)
    _open_app(page, live_server.url)
    _unlock(page)
    _synced(page)
    page.context.set_offline(True)
    _record_visit(page, "刘奶奶0", "八天前")
    # The last sync was eight days ago (the seed's limit is seven).
    page.evaluate(
        """new Promise(r => { const q = indexedDB.open('shegong-field'); q.onsuccess = () => {
            const t = q.result.transaction('meta', 'readwrite');
            t.objectStore('meta').put({k: 'last_sync', v: new Date(Date.now() - 8 * 86400000).toISOString()});
            t.oncomplete = () => { q.result.close(); r(true); }; }; })"""
    )
    page.reload()
    page.wait_for_selector("#field-lock:not([hidden])")
    assert "已自动清除" in page.inner_text("#field-status-message")
    # Nothing of the old copy is left: no wrapped key, so the password cannot open anything offline.
    page.fill("#field-password", PASSWORD)
    page.click("#field-unlock-form button[type=submit]")
    _wait(page, "document.getElementById('field-unlock-error').textContent.includes('第一次使用需要联网')")


def test_attendance_an_activity_and_a_request_recorded_offline_sync_once_and_a_refusal_waits_for_the_worker(
    live_server, page_factory
):
    from shegong.accounts.actor import SystemActor
    from shegong.activities.models import Activity
    from shegong.core.models import SyncReceipt
    from shegong.demands.models import DemandRequest
    from shegong.groups import services as group_services
    from shegong.groups.models import GroupSession

    world, user, recipients = _setup(2)
    worker = _worker_of(user)
    today = datetime.date.today()
    # "手工小组" starts today and meets weekly on today's weekday: its first session is due today.
    schedule = {"starts_on": today, "meets": "weekly", "meets_weekday": today.weekday()}
    _group(world, worker, recipients, name="手工小组", **schedule, meets_at=datetime.time(14, 30))
    ending = _group(world, worker, recipients[:1], name="即将结束的小组")
    page = page_factory(viewport=PHONE)
    _open_app(page, live_server.url)
    _unlock(page)
    _synced(page)
    page.click("[data-view=today]")
    meeting = page.locator("[data-group][data-due=today]")
    assert "今天的小组活动" in page.inner_text("#field-view")
    assert "手工小组" in meeting.inner_text() and "今天 14:30 第 1 节" in meeting.inner_text()
    assert page.locator("[data-group]", has_text="即将结束的小组").get_attribute("data-due") is None
    page.context.set_offline(True)
    _record_attendance(page, "手工小组", [r.name for r in recipients], "剪纸")
    _record_attendance(page, "即将结束的小组", [], "最后一节")
    page.click("[data-view=today]")
    # The session recorded on the phone answers the one due today: the group no longer reads as meeting today.
    assert page.locator("[data-group][data-due]").count() == 0
    page.click("#field-new-activity")
    page.fill("#activity-title", "重阳节敬老")
    page.select_option("#activity-kind", "festival")
    page.fill("#activity-participants", "25")
    page.click("#field-form button[type=submit]")
    page.wait_for_selector("#field-outbox-summary")
    page.click("[data-view=recipients]")
    page.locator(".field-card", has_text=recipients[1].name).get_by_role("button", name="上报需求").click()
    page.fill("#request-description", "老人洗澡困难，需要助浴")
    page.click("#field-form button[type=submit]")
    page.wait_for_selector("#field-outbox-summary")
    assert _states(page) == ["waiting"] * 4

    # Meanwhile the second group ends on the server.
    with unscoped():
        group_services.group_advance(actor=SystemActor("test"), group=ending, to="ended", reason="成员搬迁")
    page.context.set_offline(False)
    _wait(page, "document.querySelectorAll('[data-state=sent]').length === 3")
    _wait(page, "document.querySelectorAll('[data-state=attention]').length === 1")
    refused = page.locator("[data-state=attention]")
    assert "即将结束的小组" in refused.inner_text() and "小组已经结束，不能再记录活动" in refused.inner_text()
    _shot(page, "field-kinds-synced")
    page.click("#field-sync")
    _synced(page)
    with unscoped():
        (session,) = GroupSession.objects.all()
        assert session.group.name == "手工小组" and session.attendance.filter(present=True).count() == 2
        (activity,) = Activity.objects.all()
        assert activity.title == "重阳节敬老" and activity.participants == 25 and activity.recorded_by == user
        (request,) = DemandRequest.objects.all()
        assert request.recipient_id == recipients[1].pk and request.channel == "visit"
        assert request.idempotency_key is not None
        assert SyncReceipt.objects.count() == 3
    # Still waiting for the worker, with the server's words: the refusal is never silently dropped.
    assert _states(page).count("attention") == 1


def test_a_case_plan_edited_offline_and_by_the_station_head_is_a_conflict_a_person_resolves(
    live_server, page_factory
):
    from shegong.cases.models import Plan
    from shegong.core.models import SyncConflict

    world, user, recipients = _setup(1)
    case = _case(world, _worker_of(user), recipients[0], stage="plan")
    worker_page = page_factory(viewport=PHONE)
    _open_app(worker_page, live_server.url)
    _unlock(worker_page)
    _synced(worker_page)
    worker_page.context.set_offline(True)
    worker_page.click("[data-view=recipients]")
    worker_page.locator(".field-card", has_text=recipients[0].name).get_by_role(
        "button", name="修改服务计划"
    ).click()
    assert worker_page.input_value("#plan-text") == "每周一次上门陪伴"
    worker_page.fill("#plan-text", "每周两次上门陪伴，社工记")
    worker_page.click("#field-form button[type=submit]")
    worker_page.wait_for_selector("#field-outbox-summary")

    # The station head rewrites the plan online on the case page.
    head_page = page_factory()
    ui_login(head_page, live_server.url, "zhanzhang", PASSWORD)
    head_page.goto(f"{live_server.url}/cases/{case.pk}/")
    head_page.click("#plan summary")
    plan_form = head_page.locator(f"form[action='/cases/{case.pk}/plan/']")
    plan_form.locator("textarea[name=text]").fill("每周一次上门，并链接助餐，站长记")
    with head_page.expect_navigation():
        plan_form.locator("button[type=submit]").click()
    with unscoped():
        assert Plan.objects.get(case=case).text == "每周一次上门，并链接助餐，站长记"

    worker_page.context.set_offline(False)
    _wait(worker_page, "document.querySelectorAll('[data-state=conflict]').length === 1")
    with unscoped():
        assert Plan.objects.get(case=case).text == "每周一次上门，并链接助餐，站长记"
        conflict = SyncConflict.objects.get()
        assert conflict.kind == "case.plan"
        assert conflict.fields["text"] == {
            "server": "每周一次上门，并链接助餐，站长记",
            "device": "每周两次上门陪伴，社工记",
        }
    # Both sides see it: the worker from the outbox, the station head in the conflict list.
    with worker_page.expect_navigation():
        worker_page.click("[data-state=conflict] a")
    assert "每周一次上门，并链接助餐，站长记" in worker_page.content()
    assert "每周两次上门陪伴，社工记" in worker_page.content()
    head_page.goto(f"{live_server.url}/visits/conflicts/")
    assert case.number in head_page.content()
    with head_page.expect_navigation():
        head_page.click(f"a[href='/visits/conflicts/{conflict.pk}/']")
    _shot(head_page, "field-plan-conflict-head")
    head_page.check("input[name=choice_text][value=device]")
    with head_page.expect_navigation():
        head_page.click("form.conflict-form button[type=submit]")
    with unscoped():
        assert Plan.objects.get(case=case).text == "每周两次上门陪伴，社工记"
        resolved = SyncConflict.objects.get()
        assert resolved.status == "resolved" and resolved.resolved_by.username == "zhanzhang"
        assert resolved.resolution == {"text": "device"}


def test_a_worker_with_many_people_finds_one_by_typing_offline(live_server, page_factory):
    """Fifty-odd people: the list draws the first 50 and says how many there are; typing a name, a village or a
    case number narrows it, with no signal."""
    from shegong.regions.models import Region
    from tests.recipients.helpers import make_recipient

    world, user, recipients = _setup(1)
    worker = _worker_of(user)
    with unscoped():
        others = [make_recipient(VILLAGE_A2, name=f"陈伯伯{i:02d}", worker=worker) for i in range(54)]
        village = Region.objects.get(code=VILLAGE_A2).name
    case = _case(world, worker, others[7])
    page = page_factory(viewport=PHONE)
    _open_app(page, live_server.url)
    _unlock(page)
    _synced(page)
    page.context.set_offline(True)
    page.click("[data-view=recipients]")
    assert page.locator("[data-recipient]").count() == 50
    assert "显示前 50 人，共 55 人" in page.inner_text("#field-recipient-count")

    page.fill("#field-recipient-search", "刘奶奶")
    _wait(page, "document.querySelectorAll('[data-recipient]').length === 1")
    assert page.locator("[data-recipient]").first.get_attribute("data-recipient") == str(recipients[0].pk)
    page.fill("#field-recipient-search", village)
    _wait(page, "document.querySelectorAll('[data-recipient]').length === 50")
    assert "显示前 50 人，共 54 人" in page.inner_text("#field-recipient-count")
    page.fill("#field-recipient-search", case.number.lower())
    _wait(page, "document.querySelectorAll('[data-recipient]').length === 1")
    assert page.locator("[data-recipient]").first.get_attribute("data-recipient") == str(others[7].pk)
    _shot(page, "field-recipient-search")
    page.fill("#field-recipient-search", "没有这个人")
    _wait(page, "document.querySelectorAll('[data-recipient]').length === 0")
    assert "没有符合搜索的服务对象" in page.inner_text("#field-view")
    # The search survives a redraw (a sync finishing, a tab switch) instead of snapping back to everyone.
    page.click("[data-view=today]")
    page.click("[data-view=recipients]")
    assert page.input_value("#field-recipient-search") == "没有这个人"
