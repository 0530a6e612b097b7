"""The audit log in words: action labels (with a fallback), record types, actors and regions by name, filters by
words, person, region and dates, the client's address and user agent on every entry, and an export that reads the
same — still without the person's data. The list page's queries do not grow with its rows."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from shegong.audit import actions, services
from shegong.audit.models import USER_AGENT_MAX, AuditEvent
from shegong.audit.selectors import events_for, readable
from shegong.core import current_request

from ..factories import PASSWORD, TOWN_A, TOWN_B, VILLAGE_A1, make_user

SRC = Path(__file__).resolve().parents[2] / "src" / "shegong"
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"


def test_registered_actions_read_in_chinese_and_english():
    assert actions.action_label("login.success") == "登录"
    assert actions.action_label("visits.record") == "记录探访"
    with translation.override("en"):
        assert actions.action_label("login.success") == "Log in"
        assert actions.action_label("visits.record") == "Record visit"


def test_unknown_actions_still_read_from_their_parts():
    assert (
        actions.action_label("recipients.frobnicate.delete") == "删除服务对象（recipients.frobnicate.delete）"
    )
    assert actions.action_label("people.worker.levitate") == "社工的其他操作（people.worker.levitate）"
    assert actions.action_label("zzz") == "其他操作（zzz）"
    with translation.override("en"):
        assert (
            actions.action_label("recipients.frobnicate.delete")
            == "Delete: Service recipients (recipients.frobnicate.delete)"
        )


def test_every_action_the_code_writes_is_registered():
    literal = re.compile(r'record\(\s*"([a-z_.]+)"|(?:REFUSED|THROTTLED) = "([a-z_.]+)"')
    written = set()
    for path in SRC.rglob("*.py"):
        for match in literal.finditer(path.read_text()):
            written.add(match.group(1) or match.group(2))
    kinds = {
        m.group(1) for p in SRC.rglob("*.py") for m in re.finditer(r'action="([a-z_.]+)",', p.read_text())
    }
    written |= {f"{kind}.{verb}" for kind in kinds if "." in kind for verb in ("create", "update")}
    written |= {"people.hours.confirm", "people.hours.reject"}
    assert written and written - set(actions.ACTIONS) == set()


def test_object_types_read_as_the_models_names():
    assert actions.object_label("recipients.recipient") == "服务对象"
    assert actions.object_label("network.servicenode") == "服务阵地"
    assert actions.object_label("no.such_model") == "no.such_model"
    assert actions.field_labels("recipients.recipient", ["name", "filters", "nosuchfield"]) == [
        "筛选条件",
        "姓名",
        "nosuchfield",
    ]


@pytest.fixture
def log(world):
    worker = make_user("worker", region_code=VILLAGE_A1, username="xiaozhang", display_name="张小红")
    other = make_user("worker", region_code=TOWN_B, username="laoli", display_name="李大伟")
    entries = {
        "login": services.record("login.success", actor=worker, region_code=VILLAGE_A1),
        "failure": services.record("login.failure", actor_name="xiaozhang", region_code=VILLAGE_A1),
        "visit": services.record("visits.record", actor=worker, obj=world.station_a),
        "other": services.record("login.success", actor=other, region_code=TOWN_B),
    }
    return worker, other, entries


def _seqs(queryset):
    return {e.seq for e in queryset}


@pytest.mark.django_db
def test_filters_by_action_words_person_region_and_dates(log):
    worker, other, e = log
    everywhere = [TOWN_A, TOWN_B]
    assert _seqs(events_for(everywhere, action="登录")) >= {e["login"].seq, e["failure"].seq, e["other"].seq}
    assert e["visit"].seq not in _seqs(events_for(everywhere, action="登录"))
    assert _seqs(events_for(everywhere, action="login.success")) >= {e["login"].seq, e["other"].seq}
    assert e["failure"].seq not in _seqs(events_for(everywhere, action="login.success"))
    assert _seqs(events_for(everywhere, action="探访")) == {e["visit"].seq}
    # A person by display name (today's) or username (what a failed login typed).
    by_name = _seqs(events_for(everywhere, actor="张小红"))
    assert by_name == {e["login"].seq, e["failure"].seq, e["visit"].seq}
    assert _seqs(events_for(everywhere, actor="xiaozhang")) == by_name
    # A region: its subtree only.
    assert _seqs(events_for(everywhere, region=VILLAGE_A1)) == {e["login"].seq, e["failure"].seq}
    assert e["other"].seq not in _seqs(events_for(everywhere, region=TOWN_A))
    # Dates are local days (Asia/Shanghai).
    today = timezone.localdate()
    assert _seqs(events_for(everywhere, date_from=today, date_to=today)) >= set(x.seq for x in e.values())
    assert not _seqs(events_for(everywhere, date_to=today - datetime.timedelta(days=1)))


@pytest.mark.django_db
def test_entries_read_with_names_and_no_personal_data(log, world):
    worker, other, e = log
    rows = {row.seq: row for row in readable(AuditEvent.objects.all())}
    assert rows[e["login"].seq].actor == "张小红（xiaozhang）"
    assert rows[e["failure"].seq].actor == "xiaozhang"
    assert rows[e["login"].seq].region == "金汤街社区"
    assert rows[e["visit"].seq].action == "记录探访" and rows[e["visit"].seq].object_type == "服务阵地"
    assert not hasattr(rows[e["visit"].seq], "object_repr") and not hasattr(rows[e["visit"].seq], "reason")


@pytest.mark.django_db
def test_a_write_from_a_view_keeps_the_clients_address_and_user_agent(client, login, world):
    user = make_user("worker", username="xiaowang")
    login(user)
    new = "Another-Horse-43!"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        REMOTE_ADDR="10.7.7.7",
        HTTP_USER_AGENT=UA,
    )
    assert response.status_code == 302
    # password_change(actor=…) is handed no request: the middleware bound it for the audit writer.
    entry = AuditEvent.objects.get(action="password.change", actor_id=user.pk)
    assert (entry.ip, entry.user_agent) == ("10.7.7.7", UA)


@pytest.mark.django_db
def test_user_agent_is_truncated_and_covered_by_the_chain():
    request = RequestFactory().get("/", HTTP_USER_AGENT="x" * 1000, REMOTE_ADDR="10.0.0.9")
    with current_request.bound(request):
        bound = services.record("test.write", actor_name="u")
    services.record("test.write", actor_name="no request")
    assert bound.user_agent == "x" * USER_AGENT_MAX and bound.ip == "10.0.0.9"
    assert AuditEvent.objects.get(actor_name="no request").user_agent == ""
    assert services.verify().ok


@pytest.mark.django_db
def test_export_reads_in_words(client, login, log, world):
    from python_calamine import CalamineWorkbook

    login(world.user_a)
    export = client.get("/audit/export/?action=登录")
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    text = "\n".join(str(c) for row in book for c in row)
    assert "登录" in text and "张小红（xiaozhang）" in text and "金汤街社区" in text
    assert "login.success" not in text and "{" not in text
    assert "记录探访" not in text  # the filter by words held


@pytest.mark.django_db
def test_list_page_queries_do_not_grow_with_rows(client, login, world, django_assert_max_num_queries):
    users = [make_user("worker", username=f"w{i}", display_name=f"社工{i}") for i in range(20)]
    for i in range(60):
        services.record("visits.record", actor=users[i % 20], obj=world.station_a)
        services.record("login.success", actor=users[i % 20], region_code=[TOWN_A, VILLAGE_A1][i % 2])
    login(world.user_a)
    # 15: three of them are the menu's badges: waiting hours, the dispatch desk and offline conflicts (user_a is also a worker).
    with django_assert_max_num_queries(15):
        page = client.get("/audit/")
    assert page.status_code == 200 and "社工19（w19）" in page.content.decode()
