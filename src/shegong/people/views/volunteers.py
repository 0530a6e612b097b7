"""Volunteers: registry, approval, public self-registration, import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shegong.core.excel import xlsx_response
from shegong.core.export_views import export_options, export_page
from shegong.core.exports import Column, ExportSpec, choice_label, choices_label, register, sealed_value
from shegong.core.forms import submit
from shegong.core.importpage import import_page
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.params import int_param
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.imports import template_for
from shegong.regions.selectors import region_choices

from .. import imports, selectors, services
from ..forms import (
    RevealForm,
    SignupForm,
    VillagePicker,
    VolunteerForm,
)
from ..models import (
    HoursStatus,
    Skill,
    Volunteer,
    VolunteerStatus,
    VolunteerTeam,
)
from ._shared import _back, _reveal, _submit_and_report


def _volunteer_filters(request) -> dict:
    return {
        "status": request.GET.get("status", ""),
        "team": request.GET.get("team", ""),
        "skill": request.GET.get("skill", "") if request.GET.get("skill", "") in Skill.values else "",
        "under": request.GET.get("under", "").strip(),
        "recruited_by": int_param(request.GET.get("recruited_by")),
        "q": request.GET.get("q", "").strip(),
    }


@login_required
def volunteer_list(request):
    request.actor.require("volunteers.view")
    filters = _volunteer_filters(request)
    page = Paginator(selectors.volunteers(**filters), 30).get_page(request.GET.get("page"))
    for v in page:
        v.masked_phone = mask_phone(v.phone)
    context = {
        "page": page,
        "filters": filters,
        "statuses": VolunteerStatus.choices,
        "skills": Skill.choices,
        "teams": VolunteerTeam.objects.order_by("region_code", "level", "name"),
        "query": request.GET.urlencode(),
        "pending": Volunteer.objects.filter(status=VolunteerStatus.PENDING).count(),
        "can_change": request.actor.can("volunteers.change"),
        **export_options(request, VOLUNTEER_EXPORT),
    }
    template = "people/_volunteers_table.html" if request.htmx else "people/volunteers.html"
    return render(request, template, context)


_skill = choices_label(Skill.choices)  # each item of the skills list
_volunteer_status = choice_label(Volunteer, "status")

VOLUNTEER_EXPORT = register(
    ExportSpec(
        key="people.volunteer",
        title=gettext_lazy("志愿者"),
        permission="volunteers.view",
        reveal_permission="people.reveal",
        filters=_volunteer_filters,
        rows=lambda filters, actor: selectors.volunteers(**filters),
        # Named tuples of the written values: no model instance (and its region, team, recruiter) per row.
        values=(
            "uid",
            "region_code",
            "name",
            "id_number",
            "phone",
            "skills",
            "team__name",
            "recruited_by__name",
            "status",
            "region__name",
            "registered_on",
            "confirmed_hours",
        ),
        columns=[
            Column(gettext_lazy("姓名"), lambda v: v.name),
            Column(gettext_lazy("身份证号"), sealed_value(Volunteer, "id_number"), mask_id_number),
            Column(gettext_lazy("手机号"), sealed_value(Volunteer, "phone"), mask_phone),
            Column(gettext_lazy("技能"), lambda v: "、".join(_skill(s) for s in v.skills or [])),
            Column(gettext_lazy("所属队伍"), lambda v: v.team__name or ""),
            Column(gettext_lazy("招募社工"), lambda v: v.recruited_by__name or ""),
            Column(gettext_lazy("状态"), lambda v: _volunteer_status(v.status)),
            Column(gettext_lazy("所在区划"), lambda v: v.region__name),
            Column(gettext_lazy("登记日期"), lambda v: v.registered_on),
            Column(gettext_lazy("已确认时长"), lambda v: v.confirmed_hours or 0),
        ],
    )
)


@login_required
def volunteer_export(request):
    return export_page(request, VOLUNTEER_EXPORT)


@login_required
def volunteer_detail(request, pk: int):
    request.actor.require("volunteers.view")
    volunteer = get_scoped_or_404(Volunteer.objects.select_related("region", "team", "recruited_by"), pk=pk)
    hours = volunteer.hours.select_related("team", "activity").order_by("-served_on")[:50]
    total = sum((h.hours for h in volunteer.hours.filter(status=HoursStatus.CONFIRMED)), 0)
    context = {
        "volunteer": volunteer,
        "hours": hours,
        "total": total,
        "reveal_form": RevealForm(),
        "masked_id": mask_id_number(volunteer.id_number),
        "masked_phone": mask_phone(volunteer.phone),
        "can_change": request.actor.can("volunteers.change", volunteer.region_code),
        "can_reveal": request.actor.can("people.reveal", volunteer.region_code),
    }
    return render(request, "people/volunteer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request):
    request.actor.require("volunteers.change")
    form = VolunteerForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    volunteer = submit(
        request, form, lambda form: services.volunteer_create(actor=request.actor, data=form.service_data())
    )
    if volunteer is not None:
        messages.success(request, _("已登记志愿者“%(name)s”。") % {"name": volunteer.name})
        return redirect("people:volunteer_detail", pk=volunteer.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("登记志愿者"), "back": reverse("people:volunteers")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request, pk: int):
    volunteer = get_scoped_or_404(Volunteer, pk=pk)
    request.actor.require("volunteers.change", volunteer.region_code)
    form = VolunteerForm(request.POST or None, instance=volunteer)
    saved = submit(
        request,
        form,
        lambda form: services.volunteer_update(
            actor=request.actor, volunteer=volunteer, data=form.service_data()
        ),
    )
    if saved is not None:
        messages.success(request, _("已保存。"))
        return redirect("people:volunteer_detail", pk=pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("编辑志愿者"), "back": reverse("people:volunteer_detail", args=[pk])},
    )


@login_required
@require_POST
def volunteer_reveal(request, pk: int):
    volunteer = get_scoped_or_404(Volunteer, pk=pk)
    return _reveal(request, volunteer, "people.reveal", reverse("people:volunteer_detail", args=[pk]))


@login_required
@require_POST
def volunteer_approve(request, pk: int):
    volunteer = get_scoped_or_404(Volunteer, pk=pk)
    approved = _submit_and_report(
        request, None, lambda form: services.volunteer_approve(actor=request.actor, volunteer=volunteer)
    )
    if approved is not None:
        messages.success(request, _("已通过“%(n)s”的志愿者登记。") % {"n": volunteer.name})
    return redirect(_back(request, reverse("people:volunteer_detail", args=[pk])))


@require_http_methods(["GET", "POST"])
def volunteer_signup(request):
    """Public self-registration: no login; the registration waits for the station's approval.

    The community list is narrowed by township or name. With JavaScript the page fetches the narrowed list from
    ``volunteer_signup_villages``; without it the "列出社区" button posts the form, which comes back with the
    narrowed list, what was typed, and no errors.
    """
    if request.method == "POST" and "narrow" in request.POST:
        form = SignupForm(initial=SignupForm.typed(request.POST))
        return render(request, "people/signup.html", {"form": form, "done": False})
    form = SignupForm(
        request.POST or None,
        initial={"region": request.GET.get("region", ""), "township": request.GET.get("township", "")},
    )

    def register(form):
        if form.cleaned_data.get("website"):
            return True  # a bot filled the hidden field: say thanks, store nothing
        return services.volunteer_self_register(data=form.cleaned_data, request=request)

    done = submit(request, form, register) is not None
    return render(request, "people/signup.html", {"form": form, "done": done})


@require_GET
def volunteer_signup_villages(request):
    """The sign-up page's community list for a township and/or a name, as <option>s for htmx. Public like the page;
    a township the platform does not serve is the same 404 as one that does not exist."""
    township = request.GET.get("township", "").strip()
    if township and all(t.code != township for t in selectors.signup_townships()):
        raise Http404
    picker = VillagePicker.build(
        township=township, query=request.GET.get("q", ""), selected=request.GET.get("region", "")
    )
    return render(request, "people/_signup_villages.html", {"picker": picker, "oob": True})


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_import(request):
    return import_page(
        request,
        kind="people.volunteers",
        region_choices=region_choices(request.actor.regions_with("volunteers.change")),
        template_url=reverse("people:volunteers_template"),
    )


@login_required
def volunteer_template(request):
    request.actor.require("volunteers.view")
    template = template_for(imports.VOLUNTEER_SPEC, actor=request.actor, permission="volunteers.change")
    return xlsx_response("志愿者导入模板.xlsx", template)


@login_required
@require_GET
def volunteer_signup_poster(request):
    """A printable poster of the public sign-up link as a QR code, for the roles that manage volunteers; with
    ``?region=`` (one of the actor's communities) the code opens the form with that community already chosen."""
    import segno
    from django.utils.safestring import mark_safe

    from shegong.regions.selectors import village_choices

    request.actor.require("volunteers.change")
    groups = village_choices(request.actor.regions_with("volunteers.change"))
    names = {code: f"{township} · {name}" for township, options in groups for code, name in options}
    code = request.GET.get("region", "").strip()
    if code and code not in names:
        raise Http404
    url = request.build_absolute_uri(reverse("people:volunteer_signup"))
    if code:
        url += f"?region={code}"
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, omitsize=True, title=_("志愿者登记二维码"))
    context = {
        "url": url,
        "qr": mark_safe(svg),
        "groups": groups,
        "region": code,
        "place": names.get(code, ""),
    }  # noqa: S308 - segno's own SVG
    return render(request, "people/signup_poster.html", context)
