import pytest

from shegong.network.models import NodeLevel, NodeStatus
from shegong.network.selectors import coverage
from shegong.regions.models import Region

from ..factories import make_node, region


@pytest.fixture
def district(db):
    region("500000000000", "重庆市", 1, None)
    region("500100000000", "市辖区", 2, "500000000000")
    region("500103000000", "渝中区", 3, "500100000000")
    for t in range(1, 5):
        region(f"500103{t:03d}000", f"街道{t}", 4, "500103000000")
        for v in range(1, 4):
            region(f"500103{t:03d}{v:03d}", f"社区{t}-{v}", 5, f"500103{t:03d}000")
    return Region.objects.get(code="500103000000")


def test_coverage_equals_the_hand_count(district):
    make_node(Region.objects.get(code="500103001000"))
    make_node(Region.objects.get(code="500103002000"))
    make_node(Region.objects.get(code="500103003000"), status=NodeStatus.PLANNED)  # not operating
    make_node(Region.objects.get(code="500103001001"), NodeLevel.ROOM, standardised=True)
    make_node(Region.objects.get(code="500103001002"), NodeLevel.ROOM)
    make_node(Region.objects.get(code="500103004003"), NodeLevel.ROOM, status=NodeStatus.CLOSED)

    result = coverage(district)
    total = result.total
    assert (total.townships, total.townships_covered, total.station_rate) == (4, 2, 50.0)
    assert (total.villages, total.villages_covered, total.room_rate) == (12, 2, 16.7)
    assert total.rooms_standardised == 1

    by_code = {row.code: row for row in result.children}
    assert by_code["500103001000"].villages_covered == 2
    assert by_code["500103001000"].station_rate == 100.0
    assert by_code["500103003000"].station_rate == 0.0
    assert by_code["500103004000"].room_rate == 0.0


def test_coverage_of_a_region_without_townships_has_no_rate(district):
    village = Region.objects.get(code="500103001001")
    result = coverage(village)
    assert result.total.station_rate is None
    assert result.children == []


def test_city_level_coverage_aggregates_districts(district):
    make_node(Region.objects.get(code="500103001000"))
    city = Region.objects.get(code="500100000000")
    result = coverage(city)
    assert [row.code for row in result.children] == ["500103000000"]
    assert result.children[0].townships_covered == 1
    assert result.total.station_rate == 25.0


def test_coverage_query_count_is_fixed(district, django_assert_max_num_queries):
    for t in range(1, 5):
        make_node(Region.objects.get(code=f"500103{t:03d}000"))
    with django_assert_max_num_queries(6):
        coverage(district)
