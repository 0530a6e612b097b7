from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.export_views import export_page
from shegong.core.forms import apply_errors, submit
from shegong.core.pagination import paginate
from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .exports import GROUPS_EXPORT
from .forms import GroupForm, MemberForm, ScheduleForm, SessionForm, StageForm
from .models import Group, GroupKind, GroupMember, GroupSession, GroupStage


@login_required
def group_list(request):
    request.actor.require("groups.view")
    filters = {name: request.GET.get(name, "").strip() for name in selectors.LIST_FILTERS}
    paged = paginate(request, selectors.groups(**filters), 50)
    return render(
        request,
        "groups/list.html",
        {
            **paged,
            "filters": filters,
            "stages": GroupStage.choices,
            "kinds": GroupKind.choices,
            "query": request.GET.urlencode(),
            "can_change": request.actor.can("groups.change"),
        },
    )


@login_required
def group_export(request):
    return export_page(request, GROUPS_EXPORT)


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    request.actor.require("groups.change")
    form = GroupForm(request.POST or None)
    group = submit(
        request,
        form,
        lambda f: services.group_create(
            actor=request.actor, data=f.service_data(), co_leaders=f.cleaned_data["co_leaders"]
        ),
    )
    if group is not None:
        messages.success(request, _("已新建小组“%(n)s”。") % {"n": group.name})
        return redirect("groups:detail", pk=group.pk)
    return render(request, "groups/form.html", {"form": form})


def _fetch(pk: int) -> Group:
    return get_scoped_or_404(Group.objects.select_related("node", "leader"), pk=pk)


@login_required
def group_detail(request, pk: int):
    request.actor.require("groups.view")
    group = _fetch(pk)
    can_change = request.actor.can("groups.change", group.region_code)
    return render(
        request,
        "groups/detail.html",
        {
            "group": group,
            "grid": selectors.attendance_grid(group),
            "co_leaders": group.co_leaders.order_by("name"),
            "can_change": can_change,
            "stage_form": StageForm(initial={"to": group.next_stage})
            if can_change and group.is_open
            else None,
            "member_form": MemberForm(group=group) if can_change and group.is_open else None,
            "stages": GroupStage.choices,
            "next_session": selectors.next_session_of(group),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_schedule(request, pk: int):
    """Set when and where the group meets (每周/每两周, a weekday and a time): its sessions due follow from it."""
    group = _fetch(pk)
    request.actor.require("groups.change", group.region_code)
    initial = {name: getattr(group, name) for name in services.SCHEDULE_FIELDS}
    form = ScheduleForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda f: services.group_schedule(actor=request.actor, group=group, data=f.schedule_data()),
    )
    if done is not None:
        messages.success(request, _("已保存小组活动安排。"))
        return redirect("groups:detail", pk=group.pk)
    return render(request, "groups/schedule_form.html", {"form": form, "group": group})


@login_required
@require_POST
def group_stage(request, pk: int):
    group = _fetch(pk)
    request.actor.require("groups.change", group.region_code)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.group_advance(
                actor=request.actor,
                group=group,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("小组已进入“%(s)s”。") % {"s": group.get_stage_display()})
    else:
        messages.error(request, _("请选择要进入的阶段"))
    return redirect("groups:detail", pk=group.pk)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk: int):
    group = _fetch(pk)
    request.actor.require("groups.change", group.region_code)
    form = MemberForm(request.POST or None, group=group)
    member = submit(
        request,
        form,
        lambda f: services.member_add(
            actor=request.actor,
            group=group,
            recipient=f.cleaned_data["recipient"],
            name=f.cleaned_data["name"],
            phone=f.cleaned_data["phone"],
            joined_on=f.cleaned_data["joined_on"],
        ),
    )
    if member is not None:
        messages.success(request, _("已添加成员%(n)s。") % {"n": member.display_name})
        return redirect("groups:detail", pk=group.pk)
    return render(request, "groups/member_form.html", {"form": form, "group": group})


@login_required
@require_POST
def member_leave(request, pk: int):
    member = get_scoped_or_404(GroupMember.objects.select_related("group", "recipient"), pk=pk)
    try:
        services.member_leave(actor=request.actor, member=member)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)s已退出小组。") % {"n": member.display_name})
    return redirect("groups:detail", pk=member.group_id)


# Where a service error lands when it names no form field.
PAGE_ERRORS = ("present", "measures", "group", "idempotency_key")


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request, pk: int):
    """Record a session on a phone: tick who came (one big checkbox per member), a few words, save."""
    group = _fetch(pk)
    request.actor.require("groups.change", group.region_code)
    members = [
        m for m in group.members.select_related("recipient").order_by("joined_on", "pk") if m.left_on is None
    ]
    if request.method == "POST":
        # Members who left since stay on the form if the session's date is before they left.
        members = list(group.members.select_related("recipient").order_by("joined_on", "pk"))
    last = group.sessions.order_by("-number").first()
    form = SessionForm(
        request.POST or None,
        members=members,
        place=last.place if last else group.node.name,
        worker_id=group.leader_id,  # the session counts for the leader's project (core.projectlinks)
    )
    page_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            session, created = services.session_record(
                actor=request.actor,
                group=group,
                data=form.service_data(),
                present=[int(i) for i in form.cleaned_data["present"]],
                measures=form.measures(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            page_errors = [m for k, ms in errors.items() if k not in form.fields for m in ms]
            apply_errors(form, ValidationError({k: v for k, v in errors.items() if k in form.fields}))
        else:
            if created:
                messages.success(
                    request,
                    _("已记录第 %(n)s 节，出席 %(p)s 人。")
                    % {"n": session.number, "p": len(form.cleaned_data["present"])},
                )
            else:
                messages.info(request, _("这节活动已经保存过，没有重复记录。"))
            return redirect("groups:detail", pk=group.pk)
    return render(
        request,
        "groups/session_form.html",
        {
            "form": form,
            "group": group,
            "page_errors": page_errors,
            "next_number": (last.number if last else 0) + 1,
        },
    )


@login_required
def session_detail(request, pk: int):
    request.actor.require("groups.view")
    session = get_scoped_or_404(GroupSession.objects.select_related("group", "group__node"), pk=pk)
    attendance = session.attendance.select_related("member__recipient").order_by(
        "member__joined_on", "member_id"
    )
    return render(request, "groups/session_detail.html", {"session": session, "attendance": attendance})
