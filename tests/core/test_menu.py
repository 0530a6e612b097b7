"""The main menu: flat while short; a long one keeps the daily work in the bar and folds the rest into groups."""

from shegong.core.context_processors import FLAT_MENU_MAX, group_of, menu


def _item(name, active=False, badge=0):
    item = {"name": name, "label": name, "url": "/" + name.replace(":", "/") + "/", "active": active}
    if badge:
        item["badge"] = badge
    return item


def test_a_short_menu_stays_flat():
    items = [_item(n) for n in ("visits:worklist", "recipients:list", "cases:list")]
    assert [e["item"]["name"] for e in menu(items)] == ["visits:worklist", "recipients:list", "cases:list"]


def test_a_long_menu_keeps_daily_work_in_the_bar_and_groups_the_rest():
    names = [
        "dashboards:home",
        "recipients:list",
        "cases:list",
        "visits:overdue",
        "demands:board",
        "regions:browse",
        "network:list",
        "people:workers",
        "projects:list",
        "charity:funds",
        "audit:list",
    ]
    assert len(names) > FLAT_MENU_MAX
    items = [_item(n, active=(n == "cases:list"), badge=(2 if n == "visits:overdue" else 0)) for n in names]
    entries = menu(items)
    flat = [e["item"]["name"] for e in entries if "item" in e]
    assert flat == ["dashboards:home", "demands:board", "audit:list"]  # a group of one shows as its link
    groups = {e["key"]: e for e in entries if "items" in e}
    assert [i["name"] for i in groups["services"]["items"]] == [
        "recipients:list",
        "cases:list",
        "visits:overdue",
    ]
    assert groups["services"]["active"] is True and groups["services"]["badge"] == 2
    assert groups["network"]["active"] is False and groups["network"]["badge"] == 0
    assert [i["name"] for i in groups["oversight"]["items"]] == ["projects:list", "charity:funds"]


def test_an_unlisted_entry_goes_by_its_namespace_or_to_oversight():
    assert group_of("orgs:list") == "network"
    assert group_of("integrity:list") == "oversight"
    assert group_of("people:my_hours") == "work"


def test_the_official_menu_renders_grouped(db, client):
    from ..factories import build_world, login_client

    world = build_world()
    login_client(client, world.official_a)
    html = client.get("/").content.decode()
    assert 'class="nav-group' in html
    assert html.count("<summary>") >= 2
