"""Station development: 覆盖 → 规范 → 提升 with date and evidence, and demonstration stations (示范站)."""

import pytest

from shegong.audit.models import AuditEvent
from shegong.network.models import Demonstration, StationStage
from tests.factories import login_client, make_user

pytestmark = pytest.mark.django_db


def test_stages_go_in_order_with_evidence_and_show_on_the_station_page_and_list(world, client):
    login_client(client, make_user("township"))
    url = f"/network/{world.station_a.pk}/stages/"
    response = client.post(
        url, {"stage": "standardised", "reached_on": "2025-06-01", "evidence": "规范化验收报告"}
    )
    assert response.status_code == 422 and "请先记录“覆盖”阶段" in response.content.decode()
    assert "规范化验收报告" in response.content.decode()  # what was typed stays
    response = client.post(url, {"stage": "covered", "reached_on": "2024-06-01", "evidence": ""})
    assert "佐证材料" in response.content.decode() and not StationStage.objects.exists()
    assert (
        client.post(url, {"stage": "covered", "reached_on": "2024-06-01", "evidence": "挂牌照片"}).status_code
        == 302
    )
    response = client.post(url, {"stage": "standardised", "reached_on": "2024-01-01", "evidence": "验收"})
    assert "不能早于上一阶段的达到日期" in response.content.decode()
    client.post(url, {"stage": "standardised", "reached_on": "2025-06-01", "evidence": "规范化验收报告"})
    assert list(StationStage.objects.values_list("stage", flat=True)) == ["covered", "standardised"]
    assert AuditEvent.objects.filter(action="network.stage.record").count() == 2
    client.post(
        f"/network/{world.station_a.pk}/demonstrations/",
        {"level": "city", "year": "2025", "named_by": "重庆市民政局"},
    )
    assert Demonstration.objects.get().level == "city"
    page = client.get(f"/network/{world.station_a.pk}/").content.decode()
    assert "规范化验收报告" in page and "2025 市级示范站" in page and "“五有”达标情况" in page
    listing = client.get("/network/?level=station").content.decode()
    assert "stage-standardised" in listing and "2025 市级示范站" in listing


def test_rooms_have_no_stage_and_a_worker_cannot_record(world, client):
    login_client(client, make_user("township"))
    response = client.post(
        f"/network/{world.room_a.pk}/stages/",
        {"stage": "covered", "reached_on": "2024-06-01", "evidence": "照片"},
        follow=True,
    )
    assert "只有乡镇（街道）社工站记录发展阶段" in response.content.decode()
    assert not StationStage.objects.exists()
    login_client(client, make_user("worker"))
    response = client.post(
        f"/network/{world.station_a.pk}/stages/",
        {"stage": "covered", "reached_on": "2024-06-01", "evidence": "照片"},
    )
    assert response.status_code == 403
