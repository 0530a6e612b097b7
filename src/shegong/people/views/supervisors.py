"""The supervisor register and who supervises whom."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.forms import submit
from shegong.core.scoping import get_scoped_or_404

from .. import selectors, services
from ..forms import SupervisionAssignmentForm, SupervisorForm
from ..models import SupervisionAssignment, Supervisor, SupervisorLevel
from ._shared import _submit_and_report


@login_required
def supervisor_list(request):
    request.actor.require("supervisors.view")
    filters = {"q": request.GET.get("q", "").strip(), "level": request.GET.get("level", ""), "kind": ""}
    page = Paginator(selectors.supervisors(**filters), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "levels": SupervisorLevel.choices,
        "can_change": request.actor.can("supervisors.change"),
    }
    return render(request, "people/supervisors.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def supervisor_create(request):
    request.actor.require("supervisors.change")
    form = SupervisorForm(request.POST or None)
    supervisor = submit(
        request, form, lambda form: services.supervisor_create(actor=request.actor, data=form.service_data())
    )
    if supervisor is not None:
        messages.success(request, _("已新增督导“%(name)s”。") % {"name": supervisor.name})
        return redirect("people:supervisor_detail", pk=supervisor.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "title": _("新增督导"), "back": reverse("people:supervisors")}
    return render(request, "people/form.html", context, status=status)


def _context(request, supervisor: Supervisor, form=None) -> dict:
    today = timezone.localdate()
    assignments = list(supervisor.assignments.select_related("worker", "node").order_by("-start_date", "id"))
    for a in assignments:
        a.in_force = a.start_date <= today and (a.end_date is None or a.end_date >= today)
    return {
        "supervisor": supervisor,
        "assignments": assignments,
        "form": form or SupervisionAssignmentForm(),
        "open_form": form is not None,
        "can_change": request.actor.can("supervisors.change", supervisor.region_code),
        "today": today,
    }


@login_required
def supervisor_detail(request, pk: int):
    request.actor.require("supervisors.view")
    supervisor = get_scoped_or_404(Supervisor.objects.select_related("organisation", "region"), pk=pk)
    return render(request, "people/supervisor_detail.html", _context(request, supervisor))


@login_required
@require_POST
def supervision_assign(request, pk: int):
    supervisor = get_scoped_or_404(Supervisor, pk=pk)
    request.actor.require("supervisors.change")
    form = SupervisionAssignmentForm(request.POST)
    done = submit(
        request,
        form,
        lambda form: services.supervision_assign(
            actor=request.actor, supervisor=supervisor, **form.cleaned_data
        ),
    )
    if done is not None:
        messages.success(request, _("已建立督导关系。"))
        return redirect("people:supervisor_detail", pk=pk)
    return render(request, "people/supervisor_detail.html", _context(request, supervisor, form), status=422)


@login_required
@require_POST
def supervision_end(request, pk: int):
    assignment = get_scoped_or_404(SupervisionAssignment, pk=pk)
    request.actor.require("supervisors.change", assignment.region_code)
    _submit_and_report(
        request,
        None,
        lambda form: services.supervision_end(
            actor=request.actor, assignment=assignment, end_date=timezone.localdate()
        ),
    )
    return redirect("people:supervisor_detail", pk=assignment.supervisor_id)
