"""What the shared templates show: the account menu, section tabs, names instead of codes, checkbox labels."""

from __future__ import annotations

import pytest
from django.conf import settings

from shegong.people.models import Volunteer
from tests.factories import TOWN_A, make_user
from tests.people.helpers import valid_id

pytestmark = pytest.mark.django_db


def test_top_bar_links_to_password_and_tokens(world, login, client):
    login(make_user("volunteer"))
    html = client.get("/people/hours/mine/").content.decode()
    assert 'href="/accounts/password/"' in html and 'href="/accounts/tokens/"' in html


def test_recipient_pages_link_to_overdue_rules_and_categories(world, login, client):
    login(world.user_a)
    for url in ("/recipients/", "/visits/overdue/", "/recipients/rules/", "/recipients/categories/"):
        html = client.get(url).content.decode()
        for target in ("/visits/overdue/", "/recipients/rules/", "/recipients/categories/"):
            assert f'href="{target}"' in html, (url, target)


def test_rules_name_categories_instead_of_showing_codes(world, login, client):
    login(world.user_a)
    html = client.get(f"/recipients/rules/?region={TOWN_A}").content.decode()
    assert "困难老人（空巢）" in html
    assert "elderly_empty_nest" not in html and "SPEC" not in html


def test_volunteer_skills_use_the_readers_separator(world, login, client):
    Volunteer.objects.create(
        region=world.regions["village_a1"],
        name="周志愿",
        phone="13800000001",
        id_number=valid_id(seq=5),
        skills=["care", "medical"],
    )
    login(world.user_a)
    assert "生活照料、医疗护理" in client.get("/people/volunteers/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/people/volunteers/").content.decode()
    assert "、" not in html.split("<tbody>")[1].split("</tbody>")[0]


def test_a_checkbox_label_follows_the_box_without_a_colon(world, login, client):
    login(world.official_a)
    html = client.get("/network/new/").content.decode()
    assert '<label for="id_has_signage">已挂牌</label>' in html


def test_a_townships_coverage_leaves_out_the_station_columns_its_villages_cannot_fill(world, login, client):
    # The coverage table (an official's home is its level's dashboard; the table is one region away from it).
    login(world.user_a)  # a township: its children are villages
    assert "有站" not in client.get(f"/?region={world.regions['town_a'].code}").content.decode()
    login(world.official_a)  # the district: its children are townships
    assert "有站" in client.get(f"/?region={world.regions['district'].code}").content.decode()
