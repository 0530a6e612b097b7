"""The inbox and its producers: one message per user and event, only one's own, the top-bar count, the channels."""

import datetime
import logging

import pytest
from django.core import mail
from django.test import override_settings

from shegong.accounts.actor import Actor
from shegong.core import schedules
from shegong.notifications import services
from shegong.notifications.backends import SmsBackend
from shegong.notifications.models import Delivery, DeliveryStatus, Kind, Message, Preference
from shegong.people.models import HoursStatus, Volunteer, VolunteerHours, VolunteerTeam, WorkerAssignment
from shegong.people.reminders import FILING_SCHEDULE, HOURS_SCHEDULE
from shegong.recipients.models import RiskTier
from shegong.visits.escalations import ESCALATIONS

from ..factories import TOWN_A, TOWN_B, VILLAGE_A1, login_client, make_user
from ..people.helpers import make_worker, valid_id
from ..recipients.helpers import make_recipient

SENT_SMS: list[tuple[str, str]] = []


class RecordingSms(SmsBackend):
    def send(self, *, address, subject, text):
        SENT_SMS.append((address, subject))


class BrokenSms(SmsBackend):
    def send(self, *, address, subject, text):
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def _sms_outbox():
    SENT_SMS.clear()
    with override_settings(SHEGONG_SMS_BACKEND="tests.notifications.test_inbox.RecordingSms"):
        yield


def _overdue_high_risk(name="高风险老人"):
    return make_recipient(VILLAGE_A1, name=name, tier=RiskTier.HIGH, registered_on=datetime.date(2024, 1, 1))


def _run(schedule, capture):
    with capture(execute=True):
        return schedules.run_due(inline=True, schedules=[schedule])


def _message(user, **extra):
    return Message.objects.create(
        recipient=user,
        kind=Kind.VISIT_ESCALATED,
        title=extra.pop("title", "测试消息"),
        region_code=extra.pop("region_code", VILLAGE_A1),
        dedupe_key=extra.pop("dedupe_key", f"test:{Message.objects.count()}"),
        **extra,
    )


def test_an_overdue_high_risk_visit_reaches_the_station_head_once(world, django_capture_on_commit_callbacks):
    head = make_user("township", username="head", email="head@example.cn")
    other_town_head = make_user(("township", TOWN_B), username="head_b")
    Preference.objects.create(user=head, email_kinds=[Kind.VISIT_ESCALATED])
    recipient = _overdue_high_risk()
    make_recipient(
        VILLAGE_A1, name="一般老人", tier=RiskTier.GENERAL, registered_on=datetime.date(2024, 1, 1)
    )

    assert ESCALATIONS.is_due()
    first = _run(ESCALATIONS, django_capture_on_commit_callbacks)
    second = _run(ESCALATIONS, django_capture_on_commit_callbacks)

    assert first[0].action == "ran" and second[0].action == "not due"
    inbox = Message.objects.filter(recipient=head)
    assert inbox.count() == 1
    message = inbox.get()
    assert message.kind == Kind.VISIT_ESCALATED and message.region_code == recipient.region_code
    assert "高风险老人" in message.shown_body and message.link == f"/recipients/{recipient.pk}/"
    assert not Message.objects.filter(recipient=other_town_head).exists()
    # The outgoing hook ran once: one e-mail, recorded as sent, naming no person.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["head@example.cn"]
    assert "高风险老人" not in mail.outbox[0].body
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    # Calling the task again directly (a rerun after a crash) adds nothing either.
    with django_capture_on_commit_callbacks(execute=True):
        assert ESCALATIONS.task.call(actor_id=None) == {"messages": 0}
    assert inbox.count() == 1 and len(mail.outbox) == 1


def test_a_new_due_period_is_a_new_message(world, django_capture_on_commit_callbacks):
    head = make_user("township", username="head")
    recipient = _overdue_high_risk()
    _run(ESCALATIONS, django_capture_on_commit_callbacks)
    type(recipient)._default_manager.filter(pk=recipient.pk).update(next_due_on=datetime.date(2025, 6, 1))
    _run(ESCALATIONS, django_capture_on_commit_callbacks)
    assert Message.objects.filter(recipient=head).count() == 2


def test_preferences_choose_the_channel(world, django_capture_on_commit_callbacks):
    by_sms = make_user("township", username="sms", email="sms@example.cn")
    in_app = make_user("township", username="inapp", email="inapp@example.cn")
    Preference.objects.create(user=by_sms, sms_kinds=[Kind.VISIT_ESCALATED], phone="13800000009")
    Preference.objects.create(user=in_app, email_kinds=[Kind.FILING_DUE])  # another kind: in-app only
    _overdue_high_risk()
    _run(ESCALATIONS, django_capture_on_commit_callbacks)
    assert SENT_SMS == [("13800000009", "高风险服务对象逾期未访")]
    assert mail.outbox == []
    assert Message.objects.filter(recipient=in_app).count() == 1


def test_a_failed_delivery_is_recorded_and_logged(world, django_capture_on_commit_callbacks, caplog):
    head = make_user("township", username="head")
    Preference.objects.create(user=head, sms_kinds=[Kind.VISIT_ESCALATED], phone="13800000009")
    _overdue_high_risk()
    with override_settings(SHEGONG_SMS_BACKEND="tests.notifications.test_inbox.BrokenSms"):
        with caplog.at_level(logging.ERROR, logger="shegong.notifications.services"):
            _run(ESCALATIONS, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "gateway down" in delivery.error
    assert delivery.attempts == 1
    assert any("not sent by sms" in r.getMessage() for r in caplog.records)


def test_nothing_goes_out_before_commit(world, django_capture_on_commit_callbacks):
    head = make_user("township", username="head", email="head@example.cn")
    Preference.objects.create(user=head, email_kinds=[Kind.HOURS_PENDING])
    notice = services.Notice(kind=Kind.HOURS_PENDING, title="志愿服务时长待确认")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(users=[head], notice=notice, region_code=TOWN_A, dedupe_key="k1")
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_user_sees_only_its_own_messages(world, client):
    mine = make_user("township", username="mine")
    neighbour = make_user("township", username="neighbour")  # same region, same role
    own = _message(mine, title="我的消息")
    theirs = _message(neighbour, title="别人的消息")
    login_client(client, mine)
    page = client.get("/notifications/").content.decode()
    assert "我的消息" in page and "别人的消息" not in page
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(f"/notifications/{own.pk}/read/").status_code == 302
    own.refresh_from_db()
    assert own.read_at is not None


def test_a_relationship_bound_user_sees_its_own_messages(world, client):
    volunteer = make_user("volunteer", username="vol")
    _message(volunteer, title="志愿者的消息")
    login_client(client, volunteer)
    assert "志愿者的消息" in client.get("/notifications/").content.decode()


def test_unread_first_and_mark_all_read(world, client):
    user = make_user("worker", username="w")
    old_unread = _message(user, title="旧的未读")
    read = _message(user, title="新的已读")
    Message.objects.filter(pk=read.pk).update(read_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    Message.objects.filter(pk=old_unread.pk).update(
        created_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    login_client(client, user)
    page = client.get("/notifications/").content.decode()
    assert page.index("旧的未读") < page.index("新的已读")
    client.post("/notifications/read-all/")
    assert not Message.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_the_unread_count_shows_in_the_top_bar(world, client, django_assert_max_num_queries):
    user = make_user("worker", username="w")
    _message(user)
    _message(user)
    _message(make_user("worker", username="other"))
    login_client(client, user)
    page = client.get("/visits/worklist/").content.decode()
    assert 'id="inbox-unread"' in page and ">2</span>" in page
    Message.objects.filter(recipient=user).update(read_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert 'id="inbox-unread"' not in client.get("/visits/worklist/").content.decode()


def test_the_settings_page_saves_the_channels(world, client):
    user = make_user("worker", username="w", email="w@example.cn")
    login_client(client, user)
    assert client.get("/notifications/settings/").status_code == 200
    refused = client.post("/notifications/settings/", {"sms_kinds": [Kind.HOURS_PENDING]})
    assert refused.status_code == 200 and not Preference.objects.exists()
    client.post(
        "/notifications/settings/",
        {"email_kinds": [Kind.HOURS_PENDING], "sms_kinds": [Kind.FILING_DUE], "phone": "138 0000 0001"},
    )
    preference = Preference.objects.get(user=user)
    assert preference.email_kinds == [Kind.HOURS_PENDING] and preference.sms_kinds == [Kind.FILING_DUE]
    assert preference.phone == "13800000001"
    assert preference.channels_for(Kind.FILING_DUE) == ["sms"]


def test_a_filing_about_to_be_overdue_reaches_the_operator(world, django_capture_on_commit_callbacks):
    operator = make_user("operator", username="op", organisation=world.org_a)
    other_org = make_user("operator", username="op_b", organisation=world.org_b)
    worker = make_worker(world.regions["town_a"], name="备案社工", employer=world.org_a)
    today = datetime.date.today()
    WorkerAssignment.objects.create(
        worker=worker, node=world.station_a, start_date=today - datetime.timedelta(days=6)
    )
    WorkerAssignment.objects.create(  # long overdue already: the overdue list says so, no reminder
        worker=make_worker(world.regions["town_a"], name="早已逾期", seq=2, employer=world.org_a),
        node=world.station_a,
        start_date=today - datetime.timedelta(days=30),
    )
    _run(FILING_SCHEDULE, django_capture_on_commit_callbacks)
    _run(FILING_SCHEDULE, django_capture_on_commit_callbacks)
    message = Message.objects.get(recipient=operator)
    assert message.kind == Kind.FILING_DUE and "备案社工" in message.shown_body
    assert not Message.objects.filter(recipient=other_org).exists()


def test_hours_waiting_make_one_daily_digest_for_those_who_confirm(world, django_capture_on_commit_callbacks):
    confirmer = make_user("worker", username="sg")
    stranger = make_user(("worker", TOWN_B), username="sg_b")
    team = VolunteerTeam.objects.create(region=world.regions["village_a1"], name="小队", level="squad")
    volunteer = Volunteer.objects.create(
        region=world.regions["village_a1"],
        name="周志愿",
        phone="13800000001",
        id_number=valid_id(seq=7),
        team=team,
    )
    for hours in ("2.0", "1.5"):
        VolunteerHours.objects.create(
            volunteer=volunteer, team=team, served_on=datetime.date.today(), hours=hours, description="陪伴"
        )
    _run(HOURS_SCHEDULE, django_capture_on_commit_callbacks)
    _run(HOURS_SCHEDULE, django_capture_on_commit_callbacks)
    message = Message.objects.get(recipient=confirmer)
    assert message.kind == Kind.HOURS_PENDING and "2 条" in message.shown_body and "3.5" in message.shown_body
    assert not Message.objects.filter(recipient=stranger).exists()
    assert VolunteerHours.objects.filter(status=HoursStatus.LOGGED).count() == 2


def test_marking_read_is_the_recipients_own(world):
    owner = make_user("worker", username="w")
    message = _message(owner)
    with pytest.raises(PermissionError):
        services.message_mark_read(actor=Actor.for_user(make_user("worker", username="x")), message=message)
