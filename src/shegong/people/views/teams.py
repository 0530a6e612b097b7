"""Volunteer teams and hours: the hierarchy, logging and confirming hours."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.export_views import export_page
from shegong.core.exports import Column, ExportSpec, choice_label, register
from shegong.core.forms import submit
from shegong.core.params import as_int
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.models import Region
from shegong.regions.selectors import scope_roots

from .. import selectors, services
from ..forms import (
    DecisionForm,
    HoursForm,
    TeamForm,
)
from ..models import (
    HoursStatus,
    TeamLevel,
    Volunteer,
    VolunteerHours,
    VolunteerTeam,
)
from ._shared import _back, _submit_and_report


@login_required
def team_list(request):
    request.actor.require("volunteers.view")
    under = request.GET.get("under", "").strip()
    rows = selectors.flatten(selectors.team_tree(under=under))
    return render(
        request,
        "people/teams.html",
        {"rows": rows, "levels": TeamLevel.choices, "can_change": request.actor.can("volunteers.change")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    request.actor.require("volunteers.change")
    form = TeamForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    team = submit(
        request, form, lambda form: services.team_create(actor=request.actor, data=form.service_data())
    )
    if team is not None:
        messages.success(request, _("已建立队伍“%(n)s”。") % {"n": team.name})
        return redirect("people:team_detail", pk=team.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("新建志愿服务队伍"), "back": reverse("people:teams")},
    )


@login_required
def team_detail(request, pk: int):
    request.actor.require("volunteers.view")
    team = get_scoped_or_404(VolunteerTeam.objects.select_related("region", "parent"), pk=pk)
    ids = selectors.team_with_descendants(team.pk)
    context = {
        "team": team,
        "total": selectors.team_total(team),
        "children": team.children.order_by("name"),
        "members": Volunteer.objects.filter(team_id__in=ids).order_by("name")[:200],
        "recent": selectors.hours_entries(team=str(team.pk))[:30],
    }
    return render(request, "people/team_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_hours(request):
    request.actor.require("hours.log")
    volunteer = services.own_volunteer(request.actor)
    form = HoursForm(request.POST or None, volunteer=volunteer)
    logged = submit(
        request, form, lambda form: services.hours_log(actor=request.actor, data=form.cleaned_data)
    )
    if logged is not None:
        messages.success(request, _("已提交，等待社工确认。"))
        return redirect("people:my_hours")
    entries = selectors.hours_entries(volunteer=volunteer.pk)[:100] if volunteer else []
    confirmed = sum((e.hours for e in entries if e.status == HoursStatus.CONFIRMED), 0)
    pending = sum((e.hours for e in entries if e.status == HoursStatus.LOGGED), 0)
    return render(
        request,
        "people/my_hours.html",
        {
            "form": form,
            "volunteer": volunteer,
            "entries": entries,
            "confirmed": confirmed,
            "pending": pending,
        },
        status=422 if request.method == "POST" else 200,
    )


def _hours_filters(request) -> dict:
    return {
        "status": request.GET.get("status", "logged"),
        "team": request.GET.get("team", ""),
        "under": request.GET.get("under", "").strip(),
        "q": request.GET.get("q", "").strip(),
        "month": request.GET.get("month", "").strip(),
    }


@login_required
def hours_list(request):
    request.actor.require("volunteers.view")
    filters = _hours_filters(request)
    page = Paginator(selectors.hours_entries(**filters), 30).get_page(request.GET.get("page"))
    root = Region.objects.filter(code=filters["under"]).first() if filters["under"] else None
    root = root or scope_roots(request.actor.scope).first()
    total, children = selectors.hours_by_region(root) if root else (None, [])
    context = {
        "page": page,
        "filters": filters,
        "statuses": HoursStatus.choices,
        "total": total,
        "children": children,
        "teams": VolunteerTeam.objects.order_by("region_code", "level", "name"),
        "query": request.GET.urlencode(),
        "can_confirm": request.actor.can("hours.confirm"),
        "waiting_ids": [h.pk for h in page if h.status == HoursStatus.LOGGED],
        "decision_form": DecisionForm(),
    }
    return render(request, "people/hours.html", context)


_hours_status = choice_label(VolunteerHours, "status")

HOURS_EXPORT = register(
    ExportSpec(
        key="people.volunteerhours",
        title=gettext_lazy("志愿服务时长"),
        permission="volunteers.view",
        filters=_hours_filters,
        rows=lambda filters, actor: selectors.hours_entries(**filters),
        # Named tuples of the written values: no model instance (and its volunteer, team, activity) per row.
        values=(
            "region_code",
            "volunteer__name",
            "served_on",
            "hours",
            "description",
            "team__name",
            "activity__title",
            "status",
            "confirmed_by__display_name",
            "confirmed_by__username",
            "note",
        ),
        limit=100000,
        columns=[
            Column(gettext_lazy("志愿者"), lambda h: h.volunteer__name),
            Column(gettext_lazy("服务日期"), lambda h: h.served_on),
            Column(gettext_lazy("时长"), lambda h: h.hours),
            Column(gettext_lazy("服务内容"), lambda h: h.description),
            Column(gettext_lazy("队伍"), lambda h: h.team__name or ""),
            Column(gettext_lazy("活动"), lambda h: h.activity__title or ""),
            Column(gettext_lazy("状态"), lambda h: _hours_status(h.status)),
            # The confirmer's label (``User.label``): the display name, else the username.
            Column(
                gettext_lazy("确认人"),
                lambda h: h.confirmed_by__display_name or h.confirmed_by__username or "",
            ),
            Column(gettext_lazy("意见"), lambda h: h.note),
        ],
    )
)


@login_required
def hours_export(request):
    return export_page(request, HOURS_EXPORT)


@login_required
@require_POST
def hours_decide(request, pk: int, decision: str):
    entry = get_scoped_or_404(VolunteerHours, pk=pk)
    decide = services.hours_confirm if decision == "confirm" else services.hours_reject
    decided = _submit_and_report(
        request,
        DecisionForm(request.POST),
        lambda form: decide(actor=request.actor, entry=entry, note=form.cleaned_data["note"]),
    )
    if decided is not None and decision == "confirm":
        messages.success(
            request, _("已确认 %(n)s 的 %(h)s 小时。") % {"n": entry.volunteer.name, "h": entry.hours}
        )
    elif decided is not None:
        messages.info(request, _("已退回。"))
    return redirect(_back(request, reverse("people:hours")))


@login_required
@require_POST
def hours_confirm(request, pk: int):
    return hours_decide(request, pk, "confirm")


@login_required
@require_POST
def hours_confirm_all(request):
    """ "全部确认": confirm the waiting entries the worker saw listed (their ids), each audited.

    None of them in the actor's scope: the same 404 as a single entry that is not theirs.
    """
    ids = [i for i in map(as_int, request.POST.getlist("ids")) if i is not None][:200]
    entries = list(VolunteerHours.objects.filter(pk__in=ids).select_related("volunteer"))
    if not entries:
        raise Http404
    confirmed = _submit_and_report(
        request, None, lambda form: services.hours_confirm_all(actor=request.actor, entries=entries)
    )
    if confirmed == []:
        messages.info(request, _("这些时长已经有人处理过了。"))
    elif confirmed is not None:
        hours = sum((e.hours for e in confirmed), 0)
        messages.success(
            request,
            ngettext("已确认 %(n)d 条，共 %(h)s 小时。", "已确认 %(n)d 条，共 %(h)s 小时。", len(confirmed))
            % {"n": len(confirmed), "h": hours},
        )
    return redirect(_back(request, reverse("people:hours")))


@login_required
@require_POST
def hours_reject(request, pk: int):
    return hours_decide(request, pk, "reject")
