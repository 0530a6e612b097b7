"""The worker's installable field app (its page, service worker and manifest) and the sync conflicts' pages."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shegong.core import sync
from shegong.core.models import ConflictStatus
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.selectors import SEED_POLICY

from .field import form_choices

SHELL_VERSION = (
    "8"  # bumped when the shell assets change (app.css, field.css, app.js), so phones re-cache them
)
SHELL_ASSETS = [
    "shegong/app.css",
    "visits/field/field.css",
    "visits/field/app.js",
    "visits/field/store.js",
    "shegong/favicon.svg",
]


def strings() -> dict[str, str]:
    """The app script's words, translated here (the script is static and has no catalogue of its own)."""
    return {
        "online": _("在线"),
        "offline": _("离线"),
        "first_online": _("第一次使用需要联网，请在有信号的地方打开"),
        "wrong_password": _("密码不正确"),
        "wiped_old": _("本机离线数据超过规定天数未同步，已自动清除"),
        "revoked": _("此账号或设备已停用，本机离线数据已清除"),
        "login_again": _("登录已过期，请重新登录后再同步；待发送的记录仍保存在本机"),
        "sync_failed": _("同步未完成，稍后会再试；待发送的记录仍保存在本机"),
        "sync_interrupted": _(
            "网络中断，同步未完成；待发送的记录仍保存在本机，恢复网络后会重新发送，不会重复"
        ),
        "syncing": _("正在同步…"),
        "synced": _("已同步（%(time)s）"),
        "progress": _("已发送 %(n)s / %(total)s"),
        "conflict_message": _("服务器上的信息已被他人修改，已保留双方的值，请处理冲突"),
        "waiting_count": _("%(n)s 条待发送"),
        "nothing_waiting": _("没有待发送的记录"),
        "last_sync": _("上次同步：%(time)s"),
        "never_synced": _("尚未同步"),
        "today_title": _("今日待访"),
        "nothing_due": _("今天没有到期的探访"),
        "visited_here": _("另有 %(n)s 人的探访已在本机记录，待发送"),
        "visit_waiting": _("本机已记录探访，待发送"),
        "no_recipients": _("没有分配给您的服务对象"),
        "search_recipients": _("搜索姓名、地址、村居、类别或个案编号"),
        "no_match": _("没有符合搜索的服务对象"),
        "recipients_found": _("共 %(n)s 位服务对象"),
        "recipients_more": _("显示前 %(shown)s 人，共 %(n)s 人，请输入更多字词缩小范围"),
        "due_on": _("应访日期：%(date)s"),
        "last_visit": _("最近探访：%(date)s %(method)s"),
        "record_visit": _("记录探访"),
        "edit_contact": _("修改联系方式"),
        "call": _("拨打 %(phone)s"),
        "state_waiting": _("待发送"),
        "state_sending": _("发送中"),
        "state_sent": _("已发送"),
        "state_conflict": _("有冲突"),
        "state_attention": _("需处理"),
        "outbox_title": _("待发送"),
        "oldest": _("%(n)s 条待发送，最早一条记于 %(time)s"),
        "conflicts_open": _("%(n)s 处修改冲突待处理"),
        "resolve": _("处理冲突"),
        "retry": _("重新发送"),
        "discard": _("放弃这条记录"),
        "discard_confirm": _("放弃后这条记录将从本机删除，确定吗？"),
        "logout_unsent": _("还有 %(n)s 条记录没有发送，退出会清除本机数据，这些记录将丢失。仍要退出吗？"),
        "save": _("保存"),
        "cancel": _("取消"),
        "saved_sending": _("已保存，正在发送"),
        "saved_offline": _("已保存在本机，恢复网络后自动发送"),
        "findings": _("探访发现"),
        "visit_title": _("探访 %(name)s"),
        "visit_label": _("探访：%(name)s"),
        "visited_at": _("探访时间"),
        "method": _("探访方式"),
        "notes": _("情况记录"),
        "needs_found": _("发现需求"),
        "follow_up": _("后续跟进"),
        "photos": _("照片"),
        "photos_hint": _("照片会先在手机上压缩再保存"),
        "need_time": _("请填写探访时间"),
        "time_future": _("探访时间不能晚于现在"),
        "contact_title": _("修改 %(name)s 的联系方式"),
        "contact_label": _("修改联系方式：%(name)s"),
        "new_phone": _("新的联系电话"),
        "phone_now": _("现在：%(phone)s"),
        "address": _("居住地址"),
        "bad_phone": _("联系电话格式不正确：手机号为 11 位数字，固话如 023-12345678"),
        "nothing_changed": _("没有修改任何内容"),
        "call_offline": _("离线时无法查看完整号码，请在有信号时拨打"),
        "call_failed": _("无法获取号码"),
        "bad_photo": _("无法读取所选照片，请换一张 JPEG 或 PNG 照片"),
        "save_failed": _("未能保存在本机"),
        "cases_title": _("个案待办"),
        "other_cases": _("其他个案"),
        "no_steps_due": _("没有到期的个案步骤"),
        "step_due": _("%(step)s：%(date)s 到期"),
        "open_case": _("个案 %(number)s：%(stage)s"),
        "record_note": _("记录介入"),
        "edit_plan": _("修改服务计划"),
        "note_title": _("个案 %(number)s（%(name)s）介入记录"),
        "note_label": _("个案记录：%(number)s %(name)s"),
        "noted_on": _("服务日期"),
        "note_method": _("介入方式"),
        "note_content": _("服务内容"),
        "next_step": _("下一步"),
        "plan_title": _("修改个案 %(number)s（%(name)s）的服务计划"),
        "plan_label": _("服务计划：%(number)s %(name)s"),
        "plan_text": _("服务计划"),
        "plan_hint": _("如果站长同时修改了计划，两份都会保留，由人来选择"),
        "groups_title": _("小组活动"),
        "no_groups": _("没有您带领的小组"),
        "groups_today_title": _("今天的小组活动"),
        "group_schedule": _("%(rhythm)s%(weekday)s %(at)s"),
        "group_today": _("今天 %(at)s 第 %(n)s 节"),
        "group_missed": _("第 %(n)s 节应于 %(d)s 开展，尚未记录"),
        "sessions_held": _("已开展 %(held)s / %(planned)s 节 · %(place)s"),
        "record_attendance": _("记录本节出席"),
        "attendance_title": _("%(name)s：本节活动与出席"),
        "attendance_label": _("小组出席：%(name)s（%(n)s 人出席）"),
        "held_on": _("活动日期"),
        "place": _("地点"),
        "place_hint": _("不填则为所选阵地"),
        "session_content": _("活动内容"),
        "observations": _("观察记录"),
        "present": _("出席成员"),
        "requests_title": _("派给我的需求"),
        "no_requests": _("没有派给您的需求"),
        "request_due": _("办理时限：%(time)s"),
        "record_activity": _("记录社区活动"),
        "activity_title": _("记录社区活动"),
        "activity_label": _("社区活动：%(title)s"),
        "activity_site": _("举办阵地"),
        "activity_name": _("活动名称"),
        "activity_kind": _("活动类型"),
        "participants": _("参与人数"),
        "outcome": _("活动成效"),
        "no_sites": _("还没有可选的活动阵地，请联网同步后再试"),
        "report_request": _("上报需求"),
        "request_title": _("上报在外勤中发现的需求"),
        "request_label": _("发现的需求：%(name)s"),
        "request_for": _("服务对象"),
        "request_what": _("需要什么帮助"),
        "request_hint": _("用几句话说明，至少 4 个字"),
        "request_consent": _("服务对象同意社工与其联系"),
        "choose_recipient": _("请选择服务对象"),
        "choose_project": _("请选择这次探访所属的项目"),
        "project": _("所属项目"),
        "need_date": _("请填写日期"),
        "need_content": _("请填写内容"),
        "need_place": _("请填写地点"),
        "need_title": _("请填写活动名称"),
        "need_count": _("请填写参与人数"),
        "need_description": _("请用几句话说明需要什么帮助（至少 4 个字）"),
    }


@login_required
def field_app(request):
    request.actor.require("visits.record")
    config = {
        "user": request.user.username,
        "csrf": get_token(request),
        "api": "/api/v1",
        "sw_url": reverse("visits:field_sw"),
        "scope": reverse("visits:field_app"),
        "call_url": reverse("visits:call_recipient", args=[0]).rsplit("0/", 1)[0],
        "conflicts_url": reverse("visits:conflicts"),
        "wipe_after_days": SEED_POLICY.offline_wipe_days,
        "strings": strings(),
        "choices": form_choices(),
    }
    return render(request, "visits/field.html", {"config": config})


def field_service_worker(request):
    shell = [reverse("visits:field_app")] + [static(a) for a in SHELL_ASSETS]
    body = render(
        request,
        "visits/field_sw.js",
        {"shell": json.dumps(shell), "page": reverse("visits:field_app"), "version": SHELL_VERSION},
        content_type="text/javascript; charset=utf-8",
    )
    body["Cache-Control"] = "no-cache"
    return body


def field_manifest(request):
    return JsonResponse(
        {
            "name": _("社工外勤"),
            "short_name": _("外勤"),
            "lang": "zh-CN",
            "start_url": reverse("visits:field_app"),
            "scope": reverse("visits:field_app"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d5c96",
            "icons": [{"src": static("shegong/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


def _describe(conflict) -> dict:
    kind = sync.KINDS.get(conflict.kind)
    labels = getattr(kind, "fields", {})
    return {
        "conflict": conflict,
        "kind_label": getattr(kind, "label", conflict.kind),
        "rows": [
            {"name": f, "label": labels.get(f, f), "server": v.get("server"), "device": v.get("device")}
            for f, v in conflict.fields.items()
        ],
    }


@login_required
def conflicts(request):
    rows = sync.conflicts_visible(request.actor).select_related("device_user")
    status = request.GET.get("status") or ConflictStatus.OPEN
    if status in ConflictStatus.values:
        rows = rows.filter(status=status)
    items = [_describe(c) for c in rows[:200]]
    subject = {}
    for item in items:
        kind = sync.KINDS.get(item["conflict"].kind)
        if isinstance(kind, sync.EditKind):
            try:
                row, _values = kind.current(request.actor, item["conflict"].object_id)
                subject[item["conflict"].pk] = kind.describe(row)
            except (Http404, ObjectDoesNotExist, PermissionDenied, ValidationError):
                # A row gone or out of the reader's reach is shown by its number.
                subject[item["conflict"].pk] = item["conflict"].object_id
        item["subject"] = subject.get(item["conflict"].pk, item["conflict"].object_id)
    return render(
        request,
        "visits/conflicts.html",
        {"items": items, "status": status, "statuses": ConflictStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_detail(request, pk: int):
    conflict = get_scoped_or_404(sync.conflicts_visible(request.actor).select_related("device_user"), pk=pk)
    item = _describe(conflict)
    kind = sync.KINDS.get(conflict.kind)
    row, _current = kind.current(request.actor, conflict.object_id)
    item["subject"] = kind.describe(row)
    errors: dict[str, list[str]] = {}
    chosen = {r["name"]: request.POST.get(f"choice_{r['name']}", "") for r in item["rows"]}
    if request.method == "POST":
        try:
            sync.conflict_resolve(actor=request.actor, conflict=conflict, choices=chosen)
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("冲突已处理"))
            return redirect("visits:conflicts")
    for r in item["rows"]:
        r["chosen"] = chosen.get(r["name"], "")
        r["errors"] = errors.get(r["name"], [])
    item["errors"] = [m for f, ms in errors.items() if f not in chosen for m in ms]
    return render(request, "visits/conflict_detail.html", item, status=422 if errors else 200)


def conflicts_badge(actor, shown) -> dict[str, int]:
    """The open conflicts beside the menu entry (one count query)."""
    if "visits:conflicts" not in shown:
        return {}
    return {"visits:conflicts": sync.conflicts_visible(actor).filter(status=ConflictStatus.OPEN).count()}
