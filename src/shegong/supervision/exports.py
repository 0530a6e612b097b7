"""A course's attendance as an audited Excel export (shegong.core.exports). Nothing in it is sensitive."""

from django.utils.translation import gettext_lazy as _

from shegong.core.exports import Column, ExportSpec, register
from shegong.core.params import as_int

from .models import Enrolment


def _filters(request) -> dict:
    match = getattr(request, "resolver_match", None)
    return {"course": str(match.kwargs.get("pk", "")) if match else ""}


def _rows(filters: dict, actor):
    course = filters.get("course", "")
    if (course_id := as_int(course)) is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(course_id=course_id).order_by("worker__name", "id")


def _attended(e) -> str:
    if e.attended is None:
        return str(_("未登记"))
    return str(_("出勤")) if e.attended else str(_("缺勤"))


ATTENDANCE_EXPORT = register(
    ExportSpec(
        key="supervision.attendance",
        title=_("培训出勤表"),
        permission="training.view",
        filters=_filters,
        rows=_rows,
        select_related=("course", "worker", "worker__employer"),
        columns=[
            Column(_("课程"), lambda e: e.course.title),
            Column(_("类别"), lambda e: e.course.get_kind_display()),
            Column(_("开始日期"), lambda e: e.course.starts_on),
            Column(_("社工"), lambda e: e.worker.name),
            Column(_("用人机构"), lambda e: e.worker.employer.name if e.worker.employer else ""),
            Column(_("区划代码"), lambda e: e.region_code),
            Column(_("出勤"), _attended),
            Column(_("计入学时"), lambda e: e.hours),
        ],
    )
)
