"""The public sign-up page's community picker: only served townships, narrowed lists, and a no-JavaScript path."""

import pytest

from shegong.network.models import NodeLevel, NodeStatus
from shegong.people import forms as people_forms
from shegong.people.models import Volunteer, VolunteerStatus

from ..factories import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, make_node, region

URL = "/people/volunteers/signup/"
VILLAGES = "/people/volunteers/signup/villages/"
TOWN_C = "500103003000"  # no service node
TOWN_D = "500103004000"  # only a closed station
TOWN_E = "500103005000"  # only a planned station


@pytest.fixture
def served(world):
    """World A and B have stations; C, D and E are townships the platform does not serve (yet)."""
    district = world.regions["district"].code
    for code, name, village in (
        (TOWN_C, "未覆盖街道", "未覆盖社区"),
        (TOWN_D, "撤站街道", "撤站社区"),
        (TOWN_E, "筹建街道", "筹建社区"),
    ):
        region(code, name, 4, district)
        region(code[:9] + "001", village, 5, code)
    make_node(world.regions["district"], NodeLevel.CENTRE, name="区中心")  # a county node serves no township
    make_node(region(TOWN_D, "撤站街道", 4, district), status=NodeStatus.CLOSED)
    make_node(region(TOWN_E, "筹建街道", 4, district), status=NodeStatus.PLANNED)
    return world


def _signup(**extra):
    data = {"name": "新志愿者", "phone": "13800000009", "consent": "on", "skills": ["care"]}
    data.update(extra)
    return data


def test_the_page_offers_only_served_townships_and_their_communities(served, client):
    content = client.get(URL).content.decode()
    assert "七星岗街道" in content and "解放碑街道" in content
    for name in ("未覆盖", "撤站", "筹建"):
        assert name not in content
    # Few enough to list at once: every served community, named with its township.
    assert "七星岗街道 · 金汤街社区" in content and "解放碑街道 · 民族路社区" in content
    assert '<optgroup label="渝中区">' in content


def test_villages_of_one_township(served, client):
    response = client.get(VILLAGES, {"township": TOWN_A})
    content = response.content.decode()
    assert response.status_code == 200
    assert f'value="{VILLAGE_A1}"' in content and ">金汤街社区<" in content and "领事巷社区" in content
    assert "民族路社区" not in content
    assert "七星岗街道共 2 个社区（村）" in content and 'hx-swap-oob="innerHTML"' in content


@pytest.mark.parametrize("township", [TOWN_C, TOWN_D, TOWN_E, VILLAGE_A1, "500103", "x' OR 1=1"])
def test_a_township_not_served_is_404(served, client, township):
    assert client.get(VILLAGES, {"township": township}).status_code == 404


def test_search_by_community_or_township_name(served, client):
    by_village = client.get(VILLAGES, {"q": "金汤"}).content.decode()
    assert "七星岗街道 · 金汤街社区" in by_village and "领事巷" not in by_village
    assert "找到 1 个社区（村）" in by_village
    by_township = client.get(VILLAGES, {"q": "解放碑"}).content.decode()
    assert "民族路社区" in by_township and "金汤街" not in by_township
    both = client.get(VILLAGES, {"township": TOWN_A, "q": "领事"}).content.decode()
    assert "领事巷社区" in both and "金汤街" not in both
    nothing = client.get(VILLAGES, {"q": "未覆盖"}).content.decode()
    assert 'value="2' not in nothing and "没有名称含“未覆盖”的社区（村）" in nothing


def test_a_long_list_asks_to_narrow_first(served, client, monkeypatch):
    monkeypatch.setattr(people_forms, "SIGNUP_VILLAGE_LIMIT", 2)
    page = client.get(URL).content.decode()
    assert "请先选择街道（乡镇）或输入名称" in page and "金汤街社区" not in page
    assert "共 3 个社区（村）" in page
    many = client.get(VILLAGES, {"q": "社区"}).content.decode()
    assert many.count('<option value="5') == 2
    assert "找到 3 个，只列出前 2 个" in many
    # A link to one community (a poster's QR code) opens with its township listed and the community chosen.
    linked = client.get(URL, {"region": VILLAGE_B1}).content.decode()
    assert f'<option value="{TOWN_B}" selected>' in linked
    assert f'<option value="{VILLAGE_B1}" selected>民族路社区</option>' in linked


def test_the_list_is_public_and_the_same_for_everyone(served, client, login):
    anonymous = client.get(VILLAGES, {"township": TOWN_A}).content
    login(served.user_b)
    assert client.get(VILLAGES, {"township": TOWN_A}).content == anonymous
    assert "MARKERA" not in anonymous.decode()


def test_the_list_costs_a_fixed_number_of_queries(served, client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the township check, then its villages
        client.get(VILLAGES, {"township": TOWN_A})
    with django_assert_num_queries(1):
        client.get(VILLAGES, {"q": "社区"})


def test_without_javascript_the_list_button_narrows_and_keeps_what_was_typed(served, client, monkeypatch):
    monkeypatch.setattr(people_forms, "SIGNUP_VILLAGE_LIMIT", 2)
    narrowed = client.post(URL, _signup(township=TOWN_A, narrow="1"))
    content = narrowed.content.decode()
    assert narrowed.status_code == 200 and not Volunteer.objects.exists()
    assert 'value="新志愿者"' in content and 'value="13800000009"' in content
    assert 'value="care" checked' in content.replace(' id="id_skills_0"', "")
    assert ">金汤街社区<" in content and ">领事巷社区<" in content and "民族路" not in content
    assert 'class="error"' not in content and "七星岗街道共 2 个社区（村）" in content
    by_name = client.post(URL, _signup(q="民族", narrow="1")).content.decode()
    assert "解放碑街道 · 民族路社区" in by_name
    done = client.post(URL, _signup(township=TOWN_A, region=VILLAGE_A1))
    assert "登记已提交" in done.content.decode()
    volunteer = Volunteer.objects.get()
    assert volunteer.region_id == VILLAGE_A1 and volunteer.status == VolunteerStatus.PENDING


def test_a_community_outside_the_served_townships_is_refused(served, client):
    refused = client.post(URL, _signup(region=TOWN_C[:9] + "001"))
    assert "请选择所在社区" in refused.content.decode() and not Volunteer.objects.exists()
    missing = client.post(URL, _signup())
    assert "请选择所在社区" in missing.content.decode()


def test_a_failed_signup_keeps_the_chosen_community(served, client, monkeypatch):
    monkeypatch.setattr(people_forms, "SIGNUP_VILLAGE_LIMIT", 2)
    # Chosen from a name search across townships, then the phone number was wrong.
    bad = client.post(URL, _signup(phone="123", q="民族", region=VILLAGE_B1)).content.decode()
    assert "电话号码" in bad or "手机号" in bad
    assert f'<option value="{VILLAGE_B1}" selected>' in bad
    assert not Volunteer.objects.exists()


def test_township_codes_come_from_nodes_not_from_the_actor(served, client):
    """Both townships with a node are offered to an anonymous visitor, whose scope is empty."""
    content = client.get(URL).content.decode()
    assert f'value="{TOWN_A}"' in content and f'value="{TOWN_B}"' in content


def test_communities_found_in_two_districts_are_grouped_under_their_district(served, client):
    other = region("500104000000", "大渡口区", 3, served.regions["city"].code)
    town = region("500104001000", "七星街道", 4, other.code)
    region("500104001001", "七星社区", 5, town.code)
    make_node(town)
    content = client.get(VILLAGES, {"q": "七星"}).content.decode()
    assert '<optgroup label="渝中区">' in content and '<optgroup label="大渡口区">' in content
    assert (
        content.index('label="渝中区"')
        < content.index("七星岗街道 · 金汤街社区")
        < content.index('label="大渡口区"')
        < content.index("七星街道 · 七星社区")
    )
    # One district: no group label to read past.
    assert "optgroup" not in client.get(VILLAGES, {"q": "金汤"}).content.decode()


def test_the_poster_is_a_qr_code_of_the_sign_up_link_for_those_who_manage_volunteers(served, client, login):
    login(served.user_a)
    listing = client.get("/people/volunteers/").content.decode()
    assert 'href="/people/volunteers/signup/poster/"' in listing
    page = client.get("/people/volunteers/signup/poster/", {"region": VILLAGE_A1}).content.decode()
    assert (
        "<svg" in page and "<path" in page and "@media print" not in page
    )  # the print rules live in the css
    assert "people/poster.css" in page
    assert f"http://testserver/people/volunteers/signup/?region={VILLAGE_A1}" in page
    assert "七星岗街道 · 金汤街社区" in page
    # The encoded link opens the form with the community chosen.
    form = client.get(URL, {"region": VILLAGE_A1}).content.decode()
    assert f'value="{VILLAGE_A1}" selected' in form
    # Another township's community is not A's to print; a role that does not manage volunteers sees no poster.
    assert client.get("/people/volunteers/signup/poster/", {"region": VILLAGE_B1}).status_code == 404
    from ..factories import make_user

    login(make_user("supervisor", region_code=TOWN_A))
    assert client.get("/people/volunteers/signup/poster/").status_code == 403
