"""Pages read in English: generated lines (timeline, month labels, default rule notes, score choices) carry no
Chinese of their own; only data (names, regions) may still be Chinese."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation

from shegong.recipients import selectors, services
from shegong.recipients.forms import AssessmentForm
from shegong.visits.services import visit_record
from tests.factories import TOWN_A, VILLAGE_A1
from tests.recipients.helpers import key, make_recipient, system, visit_data

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _items(html: str, kind: str) -> list[str]:
    """The text of the timeline entries of one kind, tags stripped."""
    found = re.findall(rf'<li class="{kind}">(.*?)</li>', html, re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in found]


def _assess(recipient, scores):
    services.assessment_add(
        actor=system(), recipient=recipient, assessed_on=timezone.localdate(), scores=scores
    )


def test_timeline_lines_are_english(world, login, english):
    recipient = make_recipient(VILLAGE_A1, name="Zhang")
    worker = world.user_a
    with translation.override("en"):
        _assess(recipient, {"daily_care": 3, "rehab": 4, "economic": 1})
        _assess(recipient, {"economic": 1})
    now = timezone.now()
    visit_record(
        actor=system(),
        recipient=recipient,
        data=visit_data(now - datetime.timedelta(hours=2), findings={"health": "issue", "gas": "issue"}),
        idempotency_key=key(),
    )
    visit_record(
        actor=system(),
        recipient=recipient,
        data=visit_data(now - datetime.timedelta(hours=1), method="phone", findings={"health": "ok"}),
        idempotency_key=key(),
    )
    login(worker)
    html = english.get(f"/recipients/{recipient.pk}/timeline/").content.decode()

    assessments = _items(html, "assessment")
    visits = _items(html, "visit")
    assert len(assessments) == 2 and len(visits) == 2
    for line in assessments + visits:
        summary = line.split("\n")[0]
        assert not CHINESE.search(summary), summary
    assert any("high needs in" in line and ", " in line for line in assessments)
    assert any(line.startswith(f"{timezone.localdate():%Y-%m-%d}") for line in assessments)
    assert any("issues found" in line and ", " in line for line in visits)
    assert any("all well" in line for line in visits)


def test_lines_written_in_chinese_are_read_in_english(world, login, english):
    """Entries keep their message and values: a Chinese writer's line shows in English to an English reader."""
    recipient = make_recipient(VILLAGE_A1, name="Zhang")
    with translation.override("zh-hans"):
        _assess(recipient, {"daily_care": 3})
        services.risk_set(actor=system(), recipient=recipient, tier=1, reason="fall risk", review_on=None)
        services.household_add(
            actor=system(), recipient=recipient, kind="contact", name="Li", relation="son", phone=""
        )
        services.recipient_set_status(actor=system(), recipient=recipient, status="moved", note="to Beijing")
    entry = recipient.timeline.filter(kind="status").get()
    assert CHINESE.search(entry.summary)  # what the writer saw, kept for exports
    login(world.user_a)
    html = english.get(f"/recipients/{recipient.pk}/timeline/").content.decode()
    lines = [
        line.split("\n")[0]
        for kind in ("assessment", "risk", "household", "status")
        for line in _items(html, kind)
    ]
    assert len(lines) == 4
    for line in lines:
        assert not CHINESE.search(line), line
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = english.get(f"/recipients/{recipient.pk}/timeline/").content.decode()
    assert "状态变更" in html and "紧急联系人" in html


def test_entries_without_a_message_show_their_stored_text(world, login, english):
    recipient = make_recipient(VILLAGE_A1)
    recipient.timeline.create(kind="note", summary="旧记录", region_code=recipient.region_code)
    recipient.timeline.create(
        kind="note",
        message="no such message %(x)s",
        params={"y": 1},
        summary="坏记录",
        region_code=recipient.region_code,
    )
    login(world.user_a)
    html = english.get(f"/recipients/{recipient.pk}/timeline/").content.decode()
    assert "旧记录" in html and "坏记录" in html


def test_an_entry_naming_a_field_the_model_no_longer_has_shows_its_stored_text(world, login, english):
    # "修改档案：%(f)s" keeps field names, looked up when shown: a field renamed since must not break the page.
    recipient = make_recipient(VILLAGE_A1)
    recipient.timeline.create(
        kind="update",
        message="修改档案：%(f)s",
        params={"f": {"fields": ["nickname"]}},
        summary="修改档案：昵称",
        region_code=recipient.region_code,
    )
    login(world.user_a)
    for url in (f"/recipients/{recipient.pk}/timeline/", f"/recipients/{recipient.pk}/"):
        response = english.get(url)
        assert response.status_code == 200 and "修改档案：昵称" in response.content.decode()


def test_timeline_lines_stay_chinese_by_default(world, login, client):
    recipient = make_recipient(VILLAGE_A1)
    _assess(recipient, {"daily_care": 3, "rehab": 4})
    visit_record(actor=system(), recipient=recipient, data=visit_data(), idempotency_key=key())
    login(world.user_a)
    html = client.get(f"/recipients/{recipient.pk}/timeline/").content.decode()
    assert "较高需求 生活照料、康复护理" in html
    assert "上门探访，发现问题：" in html


def test_visit_summary_joins_issues_in_the_reader_language():
    assert selectors.visit_summary("上门", ["燃气", "健康"]) == "上门探访，发现问题：燃气、健康"
    with translation.override("en"):
        assert selectors.visit_summary("Home visit", ["Gas", "Health"]) == (
            "Visit (Home visit): issues found: Gas, Health"
        )


def test_visit_rate_month_is_localised(world, login, english):
    login(world.user_a)
    html = english.get(f"/dashboards/visit-rate/?region={TOWN_A}&month=2026-03").content.decode()
    label = re.search(r'<span class="kpi-label">(.*?)</span>', html, re.S).group(1)
    assert label == "Visit rate for March 2026"
    sub = re.search(r'<span class="kpi-sub">(.*?)</span>', html, re.S).group(1)
    assert not CHINESE.search(sub), sub


def test_visit_rate_month_stays_chinese_by_default(world, login, client):
    login(world.user_a)
    html = client.get(f"/dashboards/visit-rate/?region={TOWN_A}&month=2026-03").content.decode()
    assert "2026年3月探访率" in html


def test_default_rule_notes_follow_the_reader(world, login, english):
    login(world.user_a)
    html = english.get(f"/recipients/rules/?region={TOWN_A}").content.decode()
    assert "High-risk recipients: at least one visit a week" in html
    assert "每周至少探访" not in html
    assert "Visit within 24 hours" in html
    assert "<td>At least once a week</td>" in html


def test_rule_frequency_shows_its_label(world, login, client):
    login(world.user_a)
    html = client.get(f"/recipients/rules/?region={TOWN_A}").content.decode()
    assert "<td>每周至少 1 次</td>" in html and "<td>weekly</td>" not in html


def test_assessment_score_choices_are_translated():
    with translation.override("en"):
        labels = [str(label) for _value, label in AssessmentForm().fields["score_daily_care"].choices]
    assert labels == ["—", "0 none", "1 mild", "2 moderate", "3 severe", "4 urgent"]
    labels = [str(label) for _value, label in AssessmentForm().fields["score_daily_care"].choices]
    assert labels[1] == "0 无"


def test_admin_header_is_translated():
    from django.contrib import admin

    with translation.override("en"):
        assert str(admin.site.site_header) == "shegong system settings"
    assert str(admin.site.site_header) == "shegong 系统设置"
