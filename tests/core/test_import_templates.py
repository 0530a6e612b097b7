"""The downloadable import templates: drop-downs, input messages, the 社区代码 sheet, a filled template round-trip,
and a file uploaded to the wrong import refused with the template it is."""

import io

import pytest
from openpyxl import load_workbook

from shegong.accounts.actor import Actor
from shegong.core.xlsx_import import Column, ImportRejected, ImportSpec, template_workbook
from shegong.orgs.imports import import_organisations
from shegong.people.imports import import_volunteers, import_workers
from shegong.people.models import SocialWorker
from shegong.recipients.imports import import_roster
from shegong.recipients.models import Recipient, RiskTier
from tests.factories import TOWN_A, VILLAGE_A1, VILLAGE_A2
from tests.people.helpers import valid_id
from tests.recipients.helpers import id_number

pytestmark = pytest.mark.django_db

COMMUNITIES_A = [("金汤街社区", "七星岗街道", VILLAGE_A1), ("领事巷社区", "七星岗街道", VILLAGE_A2)]


def download(client, login, user, url):
    login(user)
    response = client.get(url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def validations(sheet) -> dict[str, object]:
    """Each data validation by the column its range covers."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        reference = str(validation.sqref)
        found[reference.split(":")[0].rstrip("0123456789")] = validation
    return found


def column_of(sheet, header: str) -> str:
    for cell in sheet[1]:
        if str(cell.value).rstrip(" *") == header:
            return cell.column_letter
    raise AssertionError(header)


def community_rows(book) -> list[tuple]:
    return [tuple(row) for row in book["社区代码"].iter_rows(min_row=2, values_only=True)]


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_worker_template_has_drop_downs_input_messages_and_the_users_communities(world, client, login):
    book = download(client, login, world.user_a, "/people/workers/import/template/")
    sheet = book.worksheets[0]
    checks = validations(sheet)
    education = checks[column_of(sheet, "学历")]
    assert education.type == "list"
    assert (
        education.formula1 == '"高中/中专及以下,大专,本科,硕士研究生,博士研究生"'
    )  # blank (未填写) is no choice
    certificate = checks[column_of(sheet, "职业资格")]
    assert certificate.formula1 == '"无,助理社会工作师,社会工作师,高级社会工作师"'
    assert certificate.showErrorMessage and certificate.errorStyle == "stop"
    letter = column_of(sheet, "职业资格")
    assert str(certificate.sqref) == f"{letter}2:{letter}200001"  # every row one import reads
    # An input message with the column's help, also on columns without choices.
    employer = checks[column_of(sheet, "用人机构信用代码")]
    assert employer.showInputMessage and "社会组织名录" in employer.prompt
    # The region column offers the 社区代码 sheet's codes and says where they are.
    region = checks[column_of(sheet, "区划代码")]
    assert region.formula1 == "'社区代码'!$C$2:$C$3"
    assert "社区代码" in region.prompt and region.errorStyle == "warning"
    # Only the communities of the user's own area (town A), not town B's 民族路社区.
    assert community_rows(book) == COMMUNITIES_A
    assert book.sheetnames[:3] == ["社工", "填写说明", "社区代码"]


def test_roster_and_organisation_templates_offer_their_choices(world, client, login):
    book = download(client, login, world.user_a, "/recipients/import/template/")
    sheet = book.worksheets[0]
    checks = validations(sheet)
    assert checks[column_of(sheet, "风险等级")].formula1 == '"高风险,重点,一般"'
    assert checks[column_of(sheet, "村（社区）区划代码")].formula1 == "'社区代码'!$C$2:$C$3"
    assert community_rows(book) == COMMUNITIES_A

    book = download(client, login, world.user_b, "/orgs/import/template/")
    sheet = book.worksheets[0]
    checks = validations(sheet)
    assert checks[column_of(sheet, "类型")].formula1 == '"社会工作服务机构,社区社会组织,枢纽型组织,基金会"'
    assert checks[column_of(sheet, "评估等级")].formula1 == '"3A,4A,5A,未评级"'
    assert checks[column_of(sheet, "备案状态")].formula1 == '"待备案,已备案,不适用"'
    assert community_rows(book) == [("民族路社区", "解放碑街道", "500103002001")]


def test_long_choice_lists_come_from_a_hidden_sheet_and_no_communities_is_said():
    many = tuple(f"很长的一个可选项名称第{n}项" for n in range(40))
    spec = ImportSpec("测试", [Column("k", "选项", choices=many, help="说明")])
    book = load_workbook(io.BytesIO(template_workbook(spec)))
    validation = book.worksheets[0].data_validations.dataValidation[0]
    assert validation.formula1 == "'下拉选项'!$A$1:$A$40"
    assert book["下拉选项"].sheet_state == "hidden"
    assert [row[0] for row in book["下拉选项"].iter_rows(values_only=True)] == list(many)
    assert community_rows(book) == [("下载模板时所选区划内没有村（社区）", None, None)]


def test_filled_worker_template_round_trips(world, client, login):
    book = download(client, login, world.user_a, "/people/workers/import/template/")
    sheet = book.worksheets[0]
    columns = {cell.value.rstrip(" *"): cell.column for cell in sheet[1]}
    code = book["社区代码"]["C3"].value
    choices = validations(sheet)[column_of(sheet, "职业资格")].formula1.strip('"').split(",")
    for row, (seq, certificate) in enumerate([(11, choices[2]), (12, choices[0])], start=3):
        sheet.cell(row=row, column=columns["姓名"], value=f"社工{seq}")
        sheet.cell(row=row, column=columns["身份证号"], value=valid_id(seq=seq))
        sheet.cell(row=row, column=columns["学历"], value="本科")
        sheet.cell(row=row, column=columns["职业资格"], value=certificate)
        sheet.cell(row=row, column=columns["证书编号"], value="S-1" if certificate != "无" else None)
        sheet.cell(row=row, column=columns["区划代码"], value=code)
    # Row 2, the template's example, is left in: it is not imported.
    count = import_workers(actor=Actor.for_user(world.user_a), content=saved(book), region_code=TOWN_A)
    assert count == 2
    worker = SocialWorker.objects.get(name="社工11")
    assert worker.certificate == "social_worker" and worker.education == "bachelor"
    assert worker.region_code == VILLAGE_A2


def test_filled_roster_template_round_trips(world, client, login):
    book = download(client, login, world.user_a, "/recipients/import/template/")
    sheet = book.worksheets[0]
    columns = {cell.value.rstrip(" *"): cell.column for cell in sheet[1]}
    code = book["社区代码"]["C2"].value
    for row, tier in enumerate(["高风险", "一般"], start=3):
        sheet.cell(row=row, column=columns["姓名"], value=f"对象{row}")
        sheet.cell(row=row, column=columns["身份证号"], value=id_number())
        sheet.cell(row=row, column=columns["村（社区）区划代码"], value=code)
        sheet.cell(row=row, column=columns["风险等级"], value=tier)
        sheet.cell(row=row, column=columns["评定理由"], value="独居高龄")
    outcome = import_roster(actor=Actor.for_user(world.user_a), content=saved(book), region_code=TOWN_A)
    assert outcome.created == 2
    assert Recipient.objects.get(name="对象3").risk_tier == RiskTier.HIGH


def filled(book, values: dict[str, str]) -> bytes:
    sheet = book.worksheets[0]
    for cell in sheet[1]:
        header = cell.value.rstrip(" *")
        if header in values:
            sheet.cell(row=3, column=cell.column, value=values[header])
    return saved(book)


def refused(importer, content, *, world, **extra) -> str:
    with pytest.raises(ImportRejected) as caught:
        importer(actor=Actor.for_user(world.user_a), content=content, region_code=TOWN_A, **extra)
    assert len(caught.value.errors) == 1
    return caught.value.errors[0].message


def test_a_file_uploaded_to_the_wrong_import_is_refused_naming_its_template(world, client, login):
    roster = download(client, login, world.user_a, "/recipients/import/template/")
    roster = filled(roster, {"姓名": "张三", "身份证号": id_number(), "村（社区）区划代码": VILLAGE_A1})
    workers = download(client, login, world.user_a, "/people/workers/import/template/")
    workers = filled(workers, {"姓名": "李四", "身份证号": valid_id(seq=31)})
    # The roster has 姓名 and 身份证号, all the worker import requires: without the check it would be read.
    assert (
        refused(import_workers, roster, world=world)
        == "这个文件看起来是「服务对象名册」的模板，请到对应的导入页面上传"
    )
    # The worker template's 区划代码 is one of the roster's aliases: its required columns are there too.
    assert refused(import_roster, workers, world=world) == (
        "这个文件看起来是「社工名册」的模板，请到对应的导入页面上传"
    )
    organisations = download(client, login, world.user_a, "/orgs/import/template/")
    volunteers = download(client, login, world.user_a, "/people/volunteers/import/template/")
    volunteers = filled(volunteers, {"姓名": "赵敏", "身份证号": valid_id(seq=32), "手机号": "13800000000"})
    assert "「社会组织名录」" in refused(import_volunteers, saved(organisations), world=world)
    assert "「志愿者名册」" in refused(import_organisations, volunteers, world=world)
    # Workers and volunteers share four columns: the volunteer template is still told apart.
    assert "「志愿者名册」" in refused(import_workers, volunteers, world=world)
    assert SocialWorker.objects.count() == 0 and Recipient.objects.count() == 0


def test_the_import_page_shows_the_wrong_template_message(world, client, login):
    roster = download(client, login, world.user_a, "/recipients/import/template/")
    upload = io.BytesIO(
        filled(roster, {"姓名": "张三", "身份证号": id_number(), "村（社区）区划代码": VILLAGE_A1})
    )
    upload.name = "名册.xlsx"
    response = client.post("/people/workers/import/", {"file": upload, "region": TOWN_A}, follow=True)
    assert "这个文件看起来是「服务对象名册」的模板，请到对应的导入页面上传" in response.content.decode()
