import datetime

from . import Endpoint


def _p(w):
    return w.extras["project_a"].pk


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n")


def _form(name, url, body):
    return Endpoint(name, "write", url, method="POST", body=body, content_type="form")


ENDPOINTS = [
    Endpoint("projects:desk", "list", lambda w: "/projects/desk/"),
    Endpoint("projects:list", "list", lambda w: "/projects/"),
    Endpoint("projects:list#flags", "list", lambda w: "/projects/?flag=over_budget&state=executing"),
    Endpoint("projects:export", "list", lambda w: "/projects/export/"),
    Endpoint("projects:create", "create", lambda w: "/projects/new/"),
    Endpoint("projects:detail", "detail", lambda w: f"/projects/{_p(w)}/"),
    Endpoint(
        "projects:drilldown", "detail", lambda w: f"/projects/{_p(w)}/targets/drilldown/?indicator=visits"
    ),
    _form(
        "projects:transition",
        lambda w: f"/projects/{_p(w)}/step/",
        lambda w: {"to_state": "terminated", "note": "x"},
    ),
    _form(
        "projects:staff_add",
        lambda w: f"/projects/{_p(w)}/staff/",
        lambda w: {"worker": w.extras["worker_a"].pk, "role": "worker"},
    ),
    _form(
        "projects:staff_action",
        lambda w: f"/projects/{_p(w)}/staff/{w.extras['staff_a'].pk}/",
        lambda w: {"action": "end"},
    ),
    _form(
        "projects:target_set",
        lambda w: f"/projects/{_p(w)}/targets/",
        lambda w: {"indicator": "visits", "quantity": "5"},
    ),
    _form(
        "projects:budget_set",
        lambda w: f"/projects/{_p(w)}/budget/",
        lambda w: {"category": "other", "amount": "10"},
    ),
    _form(
        "projects:expenditure_add",
        lambda w: f"/projects/{_p(w)}/spending/",
        lambda w: {
            "line": w.extras["line_a"].pk,
            "amount": "1",
            "spent_on": "2026-03-01",
            "description": "x",
            "voucher": w.extras["voucher_a"].pk,
        },
    ),
    _form(
        "projects:expenditure_action",
        lambda w: f"/projects/{_p(w)}/spending/{w.extras['expenditure_a'].pk}/",
        lambda w: {"action": "approve"},
    ),
    _form(
        "projects:document_upload",
        lambda w: f"/projects/{_p(w)}/documents/",
        lambda w: {"doc_type": "other", "file": _pdf()},
    ),
    Endpoint(
        "projects:document_download",
        "detail",
        lambda w: f"/projects/{_p(w)}/documents/{w.extras['document_a'].pk}/",
    ),
    _form(
        "projects:payment_add",
        lambda w: f"/projects/{_p(w)}/payments/",
        lambda w: {"milestone": "x", "amount": "1", "paid_on": "2026-03-01"},
    ),
    _form(
        "projects:clawback_add",
        lambda w: f"/projects/{_p(w)}/clawbacks/",
        lambda w: {"amount": "1", "reason": "x"},
    ),
    _form(
        "projects:release_correct",
        lambda w: f"/projects/{_p(w)}/releases/{w.extras['release_a'].pk}/correct/",
        lambda w: {"note": "x"},
    ),
    # The public three-affairs pages: no login, no personal data, every region by design.
    Endpoint("disclosure:list", "open", lambda w: "/public/disclosure/"),
    Endpoint("disclosure:detail", "open", lambda w: f"/public/disclosure/{w.extras['release_a'].pk}/"),
    Endpoint("disclosure:json", "open", lambda w: f"/public/disclosure/{w.extras['release_a'].pk}.json"),
    Endpoint("disclosure:xlsx", "open", lambda w: f"/public/disclosure/{w.extras['release_a'].pk}.xlsx"),
    Endpoint("shegong_projects_api_list_projects", "list", lambda w: "/api/v1/projects", api=True),
    Endpoint(
        "shegong_projects_api_list_documents",
        "detail",
        lambda w: f"/api/v1/projects/{_p(w)}/documents",
        api=True,
    ),
    Endpoint(
        "shegong_projects_api_download_document",
        "detail",
        lambda w: f"/api/v1/projects/{_p(w)}/documents/{w.extras['document_a'].pk}",
        api=True,
    ),
    Endpoint(
        "shegong_projects_api_upload_document",
        "write",
        lambda w: f"/api/v1/projects/{_p(w)}/documents",
        method="POST",
        api=True,
        content_type="form",
        body=lambda w: {"doc_type": "other", "file": _pdf()},
    ),
    Endpoint(
        "shegong_projects_api_approve_expenditure",
        "write",
        lambda w: f"/api/v1/projects/{_p(w)}/expenditures/{w.extras['expenditure_a'].pk}/approve",
        method="POST",
        api=True,
    ),
    Endpoint(
        "shegong_projects_api_review_expenditure",
        "write",
        lambda w: f"/api/v1/projects/{_p(w)}/expenditures/{w.extras['expenditure_a'].pk}/review",
        method="POST",
        api=True,
    ),
    Endpoint("shegong_projects_api_get_project", "detail", lambda w: f"/api/v1/projects/{_p(w)}", api=True),
    Endpoint(
        "shegong_projects_api_get_actual",
        "detail",
        lambda w: f"/api/v1/projects/{_p(w)}/actuals/visits",
        api=True,
    ),
    Endpoint(
        "shegong_projects_api_add_staff",
        "write",
        lambda w: f"/api/v1/projects/{_p(w)}/staff",
        method="POST",
        api=True,
        body=lambda w: {"worker": w.extras["worker_a"].pk},
    ),
    Endpoint(
        "shegong_projects_api_record_expenditure",
        "write",
        lambda w: f"/api/v1/projects/{_p(w)}/expenditures",
        method="POST",
        api=True,
        body=lambda w: {
            "line": w.extras["line_a"].pk,
            "amount": "1.00",
            "spent_on": "2026-03-01",
            "description": "x",
            "voucher": w.extras["voucher_a"].pk,
        },
    ),
    Endpoint(
        "shegong_projects_api_create_project",
        "create",
        lambda w: "/api/v1/projects",
        method="POST",
        api=True,
        body=lambda w: {
            "code": "XM-CREATED",
            "name": "新项目",
            "buyer": w.regions["town_a"].code,
            "operator": w.org_a.pk,
            "kind": "core",
            "field": "elderly",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "contract_amount": "1000.00",
            "service_regions": [w.regions["village_a1"].code],
        },
    ),
    *[
        Endpoint(
            f"shegong_projects_api_{name}",
            "detail",
            lambda w, tail=tail: f"/api/v1/projects/{_p(w)}/{tail}",
            api=True,
        )
        for name, tail in [
            ("list_steps", "steps"),
            ("list_releases", "releases"),
            ("list_staff", "staff"),
            ("list_expenditures", "expenditures"),
            ("list_payments", "payments"),
            ("list_clawbacks", "clawbacks"),
        ]
    ],
    *[
        Endpoint(
            f"shegong_projects_api_{name}",
            "write",
            lambda w, tail=tail: f"/api/v1/projects/{_p(w)}/{tail(w)}",
            method=method,
            api=True,
            body=body,
        )
        for name, method, tail, body in [
            ("take_step", "POST", lambda w: "steps", lambda w: {"to_state": "terminated", "note": "x"}),
            (
                "correct_release",
                "POST",
                lambda w: f"releases/{w.extras['release_a'].pk}/corrections",
                lambda w: {"correction_note": "x"},
            ),
            ("set_target", "PUT", lambda w: "targets/visits", lambda w: {"quantity": "5"}),
            ("set_budget_line", "PUT", lambda w: "budget/other", lambda w: {"amount": "10.00"}),
            ("submit_staff_filing", "POST", lambda w: f"staff/{w.extras['staff_a'].pk}/filing", None),
            (
                "confirm_staff_filing",
                "POST",
                lambda w: f"staff/{w.extras['staff_a'].pk}/filing/confirm",
                None,
            ),
            (
                "give_staff_notice",
                "POST",
                lambda w: f"staff/{w.extras['staff_a'].pk}/notice",
                lambda w: {"notice_date": "2026-03-01"},
            ),
            (
                "end_staff",
                "POST",
                lambda w: f"staff/{w.extras['staff_a'].pk}/end",
                lambda w: {"end_date": "2026-03-01"},
            ),
            (
                "reject_expenditure",
                "POST",
                lambda w: f"expenditures/{w.extras['expenditure_a'].pk}/reject",
                lambda w: {"rejection_note": "x"},
            ),
            (
                "record_payment",
                "POST",
                lambda w: "payments",
                lambda w: {"milestone": "x", "amount": "1.00", "paid_on": "2026-03-01"},
            ),
            (
                "record_clawback",
                "POST",
                lambda w: "clawbacks",
                lambda w: {"amount": "1.00", "reason": "x", "staff": w.extras["staff_a"].pk},
            ),
        ]
    ],
]


def extend(world):
    """A running project of township A run by A's organisation, with a worker on it, a budget line and a release."""
    from shegong.accounts.actor import SystemActor
    from shegong.people.models import SocialWorker
    from shegong.projects import services
    from shegong.projects.models import (
        BudgetLine,
        Expenditure,
        Project,
        ProjectDocument,
        ProjectStaff,
        Release,
    )

    town = world.regions["town_a"]
    project = Project.objects.create(
        code="XM-MARKERA",
        name="七星岗项目MARKERA",
        buyer=town,
        buyer_name="七星岗街道",
        operator=world.org_a,
        kind="core",
        field="elderly",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        contract_amount="100000.00",
        state="executing",
        approved_on=datetime.date(2026, 1, 1),
    )
    project.service_regions.set([world.regions["village_a1"]])
    worker = SocialWorker.objects.create(region=town, name="项目社工甲", employer=world.org_a)
    staff_worker = SocialWorker.objects.create(region=town, name="项目社工乙", employer=world.org_a)
    staff = ProjectStaff.objects.create(
        project=project, worker=staff_worker, start_date=datetime.date(2026, 1, 2)
    )
    line = BudgetLine.objects.create(project=project, category="activities", amount="5000.00")
    document = ProjectDocument.objects.create(
        project=project,
        doc_type="plan",
        version=1,
        name="计划书MARKERA.pdf",
        content_type="application/pdf",
        size=16,
        data=b"%PDF-1.4\nMARKERA",
    )
    voucher = ProjectDocument.objects.create(
        project=project,
        doc_type="voucher",
        version=1,
        name="凭证MARKERA.pdf",
        content_type="application/pdf",
        size=16,
        data=b"%PDF-1.4\nMARKERA",
    )
    expenditure = Expenditure.objects.create(
        project=project,
        line=line,
        amount="10.00",
        spent_on=datetime.date(2026, 3, 1),
        description="支出MARKERA",
        voucher=voucher,
    )
    world.extras.update(
        document_a=document,
        voucher_a=ProjectDocument.objects.create(
            project=project,
            doc_type="voucher",
            version=2,
            name="凭证2.pdf",
            content_type="application/pdf",
            size=16,
            data=b"%PDF-1.4\nMARKERA",
        ),
        expenditure_a=expenditure,
        project_a=project,
        worker_a=worker,
        staff_a=staff,
        line_a=line,
        release_a=services.release_publish(project=project, month=datetime.date(2026, 2, 1)),
        marker_project="七星岗项目MARKERA",
    )
    _ = (SystemActor, Release)
