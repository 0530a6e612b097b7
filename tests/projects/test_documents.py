"""Project documents: versions, type and size checks, the documents each step needs, and who may download them."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shegong.audit.models import AuditEvent
from shegong.core.uploads import MAX_DOCUMENT_BYTES, Upload, document_type
from shegong.projects import selectors, services
from shegong.projects.models import ProjectDocument, ProjectState

from ..factories import TOWN_A, login_client, make_user
from .helpers import make_project, make_worker, official, operator, pdf, township, upload_document

pytestmark = pytest.mark.django_db


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def test_the_type_is_read_from_the_bytes():
    assert document_type(pdf().data) == "application/pdf"
    assert document_type(_office("word/document.xml")).endswith("wordprocessingml.document")
    assert document_type(_office("xl/workbook.xml")).endswith("spreadsheetml.sheet")
    assert document_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert document_type(b"\xff\xd8\xff\xe0....") == "image/jpeg"
    assert document_type(_office("other/thing.xml")) is None  # a zip that is no Word or Excel file
    assert document_type(b"MZ\x90\x00 an executable") is None
    assert document_type(b"GIF89a") is None


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (Upload("run.exe", b"MZ\x90\x00"), "不是 PDF"),
        (Upload("plan.pdf", b""), "请选择"),
        (None, "请选择"),
        (Upload("big.pdf", b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES), "超过 10 MB"),
    ],
    ids=["wrong-type", "empty", "missing", "too-large"],
)
def test_a_bad_file_is_refused_naming_the_field(world, upload, words):
    project = make_project(world)
    with pytest.raises(ValidationError) as refused:
        services.document_upload(actor=operator(world), project=project, doc_type="plan", upload=upload)
    assert words in refused.value.message_dict["file"][0]
    assert not ProjectDocument.objects.filter(project=project).exists()


def test_an_unknown_type_is_refused_naming_the_field(world):
    project = make_project(world)
    with pytest.raises(ValidationError) as refused:
        services.document_upload(actor=operator(world), project=project, doc_type="secret", upload=pdf())
    assert "doc_type" in refused.value.message_dict


def test_a_new_upload_of_a_type_is_a_new_version_and_earlier_ones_are_kept(world):
    project = make_project(world)
    first = upload_document(world, project, "plan", "计划书初稿.pdf")
    second = upload_document(world, project, "plan", "计划书修订.pdf")
    other = upload_document(world, project, "agreement")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    [agreement, plan] = sorted(selectors.documents(project), key=lambda g: g.doc_type)
    assert [d.name for d in plan.versions] == ["计划书修订.pdf", "计划书初稿.pdf"]  # newest first, both kept
    assert [d.version for d in agreement.versions] == [1]
    assert bytes(ProjectDocument.objects.get(pk=first.pk).data) == pdf().data


def test_only_those_allowed_upload(world, client):
    from shegong.accounts.actor import Actor

    project = make_project(world)
    with pytest.raises(PermissionDenied):
        services.document_upload(
            actor=Actor.for_user(make_user(("worker", TOWN_A))),
            project=project,
            doc_type="plan",
            upload=pdf(),
        )
    login_client(client, make_user(("operator", TOWN_A), organisation=world.org_b))
    response = client.post(
        f"/projects/{project.pk}/documents/",
        {"doc_type": "plan", "file": SimpleUploadedFile("p.pdf", pdf().data)},
    )
    assert response.status_code == 404 and not ProjectDocument.objects.exists()


@pytest.mark.parametrize(
    ("from_state", "to_state", "actor", "needed", "label"),
    [
        (ProjectState.DEMAND, ProjectState.APPROVED, township, "plan", "计划书"),
        (ProjectState.APPROVED, ProjectState.STAFFING, operator, "agreement", "协议"),
        (ProjectState.EXECUTING, ProjectState.MID_REVIEW, operator, "mid_report", "中期报告"),
        (ProjectState.FINAL_REVIEW, ProjectState.CLOSED, official, "final_report", "末期报告"),
    ],
)
def test_each_step_needs_its_document_and_names_it(world, from_state, to_state, actor, needed, label):
    project = make_project(world, state=from_state)
    services.staff_add(actor=operator(world), project=project, worker=make_worker(world))
    upload_document(world, project, "other")  # another document does not count
    with pytest.raises(ValidationError) as refused:
        services.project_transition(actor=actor(world), project=project, to_state=to_state)
    assert label in refused.value.message_dict["to_state"][0]
    upload_document(world, project, needed)
    services.project_transition(actor=actor(world), project=project, to_state=to_state)
    project.refresh_from_db()
    assert project.state == to_state


def test_the_download_is_audited_and_refused_to_other_regions_and_organisations(world, client):
    project = make_project(world)
    document = upload_document(world, project, "plan")
    url = f"/projects/{project.pk}/documents/{document.pk}/"
    api_url = f"/api/v1/projects/{project.pk}/documents/{document.pk}"

    login_client(client, make_user(("operator", TOWN_A), organisation=world.org_a))
    response = client.get(url)
    assert response.status_code == 200 and response.content == pdf().data
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="projects.document.download").count() == 1
    assert client.get(api_url).status_code == 200
    listed = client.get(f"/api/v1/projects/{project.pk}/documents").json()
    assert [(d["doc_type"], d["version"]) for d in listed] == [("plan", 1)]

    login_client(client, make_user(("operator", TOWN_A), organisation=world.org_b))  # another organisation
    assert client.get(url).status_code == 404
    assert client.get(api_url).status_code == 404

    login_client(client, world.user_b)  # another region
    assert client.get(url).status_code == 404
    assert client.get(api_url).status_code == 404
    assert AuditEvent.objects.filter(action="projects.document.download").count() == 2


def test_the_page_upload_names_the_field_and_the_api_upload_makes_a_version(world, client):
    project = make_project(world)
    login_client(client, make_user(("operator", TOWN_A), organisation=world.org_a))
    refused = client.post(
        f"/projects/{project.pk}/documents/",
        {"doc_type": "plan", "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
    )
    assert refused.status_code == 422 and "不是 PDF" in refused.content.decode()
    made = client.post(
        f"/api/v1/projects/{project.pk}/documents",
        {"doc_type": "plan", "file": SimpleUploadedFile("计划书.pdf", pdf().data)},
    )
    assert made.status_code == 201 and made.json()["version"] == 1
    wrong = client.post(
        f"/api/v1/projects/{project.pk}/documents",
        {"doc_type": "plan", "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "file"
