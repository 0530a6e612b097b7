"""The regions page: it starts at the actor's own region and shows per child the figures other apps contribute."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..factories import make_node, make_user, region
from ..people.helpers import make_worker


def test_starts_at_the_officials_own_district_with_counts_and_links(world, login, client):
    make_worker(world.regions["town_a"], name="在岗甲")
    login(world.official_a)
    page = client.get("/regions/").content.decode()
    assert "<strong>渝中区</strong>" in page
    assert "重庆市" not in page and "市辖区" not in page  # above the official's own region
    # 七星岗: one station, one worker; links to the lists filtered to the township.
    town = world.regions["town_a"].code
    assert f'/network/?under={town}&amp;level=station&amp;status=operating">1</a>' in page
    assert f'/people/workers/?under={town}&amp;status=active">1</a>' in page
    assert "社工站覆盖街镇" in page and "在册服务对象" in page


def test_childless_empty_regions_are_plain_text(world, login, client):
    login(world.official_a)
    page = client.get(f"/regions/{world.regions['town_a'].code}/").content.decode()
    # 金汤街 has a room (a link); 领事巷 has nothing and no children (plain text).
    assert f'href="/regions/{world.regions["village_a1"].code}/"' in page
    assert f'href="/regions/{world.regions["village_a2"].code}/"' not in page
    assert "领事巷社区" in page


def test_a_childless_region_shows_its_own_figures(world, login, client):
    login(world.official_a)
    page = client.get(f"/regions/{world.regions['village_a1'].code}/").content.decode()
    assert "金汤街社区" in page and "1/1" in page  # its own room covers it


def test_the_query_count_does_not_grow_with_children_or_rows(world, login, client):
    login(world.official_a)
    district = world.regions["district"].code
    client.get(f"/regions/{district}/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/regions/{district}/").status_code == 200
    for n in range(4):
        town = region(f"5001030{n + 10}000", f"新街道{n}", 4, district)
        make_node(town, name=f"站{n}")
        make_worker(town, name=f"社工{n}", seq=n + 2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/regions/{district}/").status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 20, [q["sql"] for q in few.captured_queries]


def test_figures_are_hidden_from_roles_that_cannot_open_them(world, login, client):
    volunteer = make_user("volunteer", region_code=world.regions["town_a"].code)
    login(volunteer)
    page = client.get("/regions/").content.decode()
    assert "在岗社工" not in page and "在册服务对象" not in page
