"""Writes on demand intake and dispatch: every transition of a request is one function here, atomic, audited,
kept in the request's history, and counted (``core.tallies``) in the same transaction.

Flow (SPEC §5, 前台全科、后台专业): received (any channel) → the desk classifies and dispatches → the receiver
accepts or hands it back (退单, back to the desk) → in progress (the clock pauses while waiting for the resident)
→ resolved → the resident rates it; a dissatisfied rating (≤ 2) reopens it once.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role
from shegong.accounts.selectors import role_holders
from shegong.audit.services import record
from shegong.core import projectlinks, standing, tallies
from shegong.core.identity import IdentityError, validate_phone
from shegong.core.regioncodes import Level, ancestors_of
from shegong.core.scoping import across_regions
from shegong.notifications.models import Kind
from shegong.notifications.services import Notice, notify
from shegong.regions.models import Region

from . import policy as rules
from .catalogue import items_for
from .models import (
    AT_DESK,
    Clock,
    DemandEvent,
    DemandRequest,
    EventKind,
    ReceiverKind,
    RequestChannel,
    Status,
    Urgency,
)
from .selectors import OPEN_COUNTED

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
URL_PATTERN = re.compile(r"https?://|www\.|\.(com|cn|net)\b", re.IGNORECASE)
DESK_CHANNELS = (
    RequestChannel.PHONE,
    RequestChannel.WALK_IN,
    RequestChannel.VOLUNTEER,
    RequestChannel.GRID,
    RequestChannel.CASE,
)
DISSATISFIED = 2  # a rating at or below this reopens a request (once)


def public_limit() -> tuple[int, int]:
    """(submissions per address per hour, per day) for the public form: a deployment setting, not a region's."""
    return tuple(getattr(settings, "SHEGONG_PUBLIC_REQUEST_LIMIT", (5, 20)))


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


def address_hash(address: str) -> str:
    """A keyed hash of a submitter's network address: enough to count its submissions, never the address."""
    secret = settings.SECRET_KEY.encode()
    return hashlib.blake2b(address.encode(), key=secret[:64], digest_size=16).hexdigest()


def _actor_user(actor):
    user = getattr(actor, "user", None)
    return user if user is not None and getattr(user, "pk", None) else None


def _event(req, kind, *, actor=None, note: str = "", at=None, actor_name: str = "", **params) -> DemandEvent:
    user = _actor_user(actor)
    event = DemandEvent(
        request=req,
        kind=kind,
        at=at or timezone.now(),
        actor=user,
        actor_name=actor_name
        or (getattr(user, "display_name", "") or getattr(user, "username", "") if user else ""),
        note=note,
        params=params,
        region_code=req.region_code,
    )
    event.save()
    return event


def _village(code: str) -> Region:
    with across_regions("a request names its community by code; the code is checked against the whole tree"):
        region = Region.objects.filter(code=str(code or ""), level=Level.VILLAGE).first()
    if region is None:
        raise ValidationError({"region": [_("请选择所在社区（村）")]})
    return region


def _clean_contact(data: dict[str, Any], errors: dict, *, phone_required: bool) -> tuple[str, str]:
    name = (data.get("requester_name") or "").strip()[:50]
    phone = (data.get("requester_phone") or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except IdentityError as exc:
            errors["requester_phone"] = [str(exc)]
    elif phone_required:
        errors["requester_phone"] = [_("请填写联系电话，以便社工与您联系")]
    return name, phone


def _description(data, errors) -> str:
    text = (data.get("description") or "").strip()
    if len(text) < 4:
        errors["description"] = [_("请用几句话说明需要什么帮助（至少 4 个字）")]
    elif len(text) > 1000:
        errors["description"] = [_("诉求内容不能超过 1000 字")]
    return text


def _received(req, *, actor=None, actor_name: str = "") -> None:
    req.region_code = req.derived_region_code()
    req.full_clean()
    standing.save(req, OPEN_COUNTED)
    _event(req, EventKind.RECEIVED, actor=actor, actor_name=actor_name, channel=req.channel)
    tallies.add(req.region_code, req.received_at, "demands.received", 1)


def request_submit_public(*, data: dict[str, Any], address: str = "", request=None) -> DemandRequest:
    """The resident's own request from the public page or endpoint: no login, rate-limited per address."""
    errors: dict[str, list[str]] = {}
    description = _description(data, errors)
    if description and URL_PATTERN.search(description):
        errors["description"] = [_("诉求内容中不能包含网址")]
    name, phone = _clean_contact(data, errors, phone_required=True)
    if not data.get("consent_contact"):
        errors["consent_contact"] = [_("请勾选同意社工与您联系，否则无法为您服务")]
    try:
        region = _village(data.get("region"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        region = None
    if errors:
        raise ValidationError(errors)
    source = address_hash(address) if address else ""
    now = timezone.now()
    with across_regions("a public submission is filed in the community the resident chose"):
        if source:
            per_hour, per_day = public_limit()
            recent = DemandRequest.objects.filter(
                source_hash=source, created_at__gte=now - datetime.timedelta(days=1)
            )
            if (
                recent.filter(created_at__gte=now - datetime.timedelta(hours=1)).count() >= per_hour
                or recent.count() >= per_day
            ):
                raise ValidationError(
                    {
                        "__all__": ValidationError(
                            _("提交过于频繁，请稍后再试；紧急情况请直接拨打社区电话"), code="rate_limited"
                        )
                    }
                )
        with transaction.atomic():
            req = DemandRequest(
                tracking_code=new_tracking_code(),
                region=region,
                channel=RequestChannel.ONLINE,
                description=description,
                requester_name=name,
                requester_phone=phone,
                address=(data.get("address") or "").strip()[:200],
                consent_contact=True,
                received_at=now,
                source_hash=source,
            )
            _received(req, actor_name="public")
            record(
                "demands.request.submit",
                actor=None,
                obj=req,
                request=request,
                actor_name="public",
                changes={"channel": req.channel, "region": region.code},
            )
    return req


def request_create(
    *, actor, data: dict[str, Any], idempotency_key: uuid.UUID | None = None, channels=DESK_CHANNELS
) -> DemandRequest:
    """A request taken by the desk (phone, walk-in) or reported by a worker, volunteer or grid member.
    ``idempotency_key``: the client's key of a report from the field app (see ``request_report``)."""
    errors: dict[str, list[str]] = {}
    description = _description(data, errors)
    channel = data.get("channel")
    if channel not in channels:
        errors["channel"] = [_("请选择受理渠道")]
    name, phone = _clean_contact(data, errors, phone_required=False)
    recipient = data.get("recipient")
    try:
        region = recipient.region if recipient is not None else _village(data.get("region"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        region = None
    if region is not None and not actor.scope.contains(region.code):
        errors["region"] = [_("请选择所在社区（村）")]  # another region's community: as if it did not exist
    if errors:
        raise ValidationError(errors)
    actor.require("demands.report", region.code)
    with transaction.atomic():
        req = DemandRequest(
            tracking_code=new_tracking_code(),
            region=region,
            channel=channel,
            description=description,
            requester_name=name or (recipient.name if recipient is not None else ""),
            requester_phone=phone or (getattr(recipient, "phone", "") if recipient is not None else ""),
            address=(data.get("address") or "").strip()[:200],
            consent_contact=bool(data.get("consent_contact")),
            recipient=recipient,
            source_ref=(data.get("source_ref") or "")[:40],
            received_at=timezone.now(),
            reported_by=_actor_user(actor),
            idempotency_key=idempotency_key,
        )
        _received(req, actor=actor)
        record(
            "demands.request.create",
            actor=actor,
            obj=req,
            changes={"channel": channel, "region": region.code},
        )
    return req


def _reported(key: uuid.UUID) -> DemandRequest | None:
    with across_regions("an idempotency key is unique across the whole database"):
        return DemandRequest.objects.filter(idempotency_key=key).first()


def request_report(*, actor, data: dict[str, Any], idempotency_key) -> tuple[DemandRequest, bool]:
    """A request a worker found in the field (探访发现), sent from the phone: ``request_create`` under the phone's
    key. A resend with the same key returns the first request and writes nothing."""
    try:
        key = uuid.UUID(str(idempotency_key))
    except ValueError:
        raise ValidationError({"idempotency_key": [_("提交编号无效，请刷新页面后重试")]}) from None
    existing = _reported(key)
    if existing is not None:
        if existing.reported_by_id != getattr(_actor_user(actor), "pk", None):
            raise ValidationError({"idempotency_key": [_("提交编号已被另一条记录使用，请刷新页面后重试")]})
        return existing, False
    try:
        with transaction.atomic():
            req = request_create(
                actor=actor,
                data={**data, "channel": RequestChannel.VISIT},
                idempotency_key=key,
                channels=(RequestChannel.VISIT,),
            )
            return req, True
    except IntegrityError:
        existing = _reported(key)
        if existing is None:
            raise
        return existing, False


def request_from_visit(*, actor, visit) -> tuple[DemandRequest, bool]:
    """The need found on a visit becomes a request in one step (once per visit)."""
    existing = DemandRequest.objects.filter(visit=visit).first()
    if existing is not None:
        return existing, False
    recipient = visit.recipient
    actor.require("demands.report", recipient.region_code)
    text = (visit.needs_found or "").strip()
    if not text:
        raise ValidationError({"description": [_("这次探访没有记录发现的需求")]})
    with transaction.atomic():
        req = DemandRequest(
            tracking_code=new_tracking_code(),
            region=recipient.region,
            channel=RequestChannel.VISIT,
            description=text[:1000],
            requester_name=recipient.name,
            requester_phone=recipient.phone or "",
            consent_contact=True,
            recipient=recipient,
            visit=visit,
            received_at=timezone.now(),
            reported_by=_actor_user(actor),
        )
        _received(req, actor=actor)
        record(
            "demands.request.create",
            actor=actor,
            obj=req,
            changes={"channel": req.channel, "visit": visit.pk},
        )
    return req, True


# Dispatch -------------------------------------------------------------------------------------------------------


def receiver_users(req) -> list[int]:
    """Who is told of an assignment or a reminder: the worker; the organisation's managers; the station head."""
    if req.receiver_kind == ReceiverKind.WORKER and req.worker is not None:
        return [req.worker.user_id] if req.worker.user_id else role_holders([Role.TOWNSHIP], req.region_code)
    if req.receiver_kind == ReceiverKind.ORGANISATION and req.organisation is not None:
        return role_holders([Role.OPERATOR], req.region_code, organisation_id=req.organisation_id)
    if req.receiver_kind == ReceiverKind.STATION and req.station is not None:
        return role_holders([Role.TOWNSHIP], req.station.region_code)
    if req.receiver_kind == ReceiverKind.TEAM and req.team is not None:
        return role_holders([Role.TOWNSHIP], req.team.region_code)
    return []


def _lock(req) -> DemandRequest:
    """Re-read the request for update: two people acting on one request at once are serialised, and the second
    sees what the first did."""
    return DemandRequest.objects.select_for_update().get(pk=req.pk)


def _expect(req, statuses, message) -> None:
    if req.status not in statuses:
        raise ValidationError(
            {"__all__": [message % {"status": Status(req.status).label}]}, code="wrong_status"
        )


def _link(req) -> str:
    return reverse("demands:detail", args=[req.pk])


def _rules(req):
    policy = rules.policy_for(req.region_code)
    return policy, rules.calendar_for(req.region_code, policy)


def _set_next_check(req, policy, calendar) -> None:
    due, clock = _current_deadline(req)
    if due is None:
        req.next_check_at = None
    elif req.reminded_due != due:
        req.next_check_at = rules.remind_at(calendar, policy, clock, due)
    elif req.escalation == 0:
        req.next_check_at = due
    elif req.escalation == 1:
        req.next_check_at = due + datetime.timedelta(hours=policy.district_after_hours)
    else:
        req.next_check_at = None


def _current_deadline(req):
    if req.status == Status.DISPATCHED:
        return req.accept_due_at, Clock.WORKING
    if req.status in (Status.ACCEPTED, Status.IN_PROGRESS):
        return req.resolve_due_at, req.resolve_clock
    return None, None


def request_dispatch(*, actor, req, item, urgency: str, kind: str, receiver) -> DemandRequest:
    """Classify against the catalogue and send to a station, worker, organisation or volunteer team."""
    actor.require("demands.dispatch", req.region_code)
    errors: dict[str, list[str]] = {}
    if item is None or item.pk not in {i.pk for i in items_for(req.region_code)}:
        errors["item"] = [_("请选择本地服务目录中的事项")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("请选择紧急程度")]
    if kind not in ReceiverKind.values:
        errors["kind"] = [_("请选择承接方类型")]
    elif item is not None and item.receivers and kind not in item.receivers:
        errors["kind"] = [
            _("“%(item)s”不由%(kind)s承接，可选：%(allowed)s")
            % {
                "item": item.name,
                "kind": ReceiverKind(kind).label,
                "allowed": "、".join(str(ReceiverKind(k).label) for k in item.receivers),
            }
        ]
    if receiver is None:
        errors["receiver"] = [_("请选择承接方")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        req = _lock(req)
        _expect(req, AT_DESK, _("诉求当前状态为“%(status)s”，不能派单"))
        now = timezone.now()
        policy, calendar = _rules(req)
        limits = rules.deadlines(policy, calendar, urgency, item)
        req.item, req.urgency, req.receiver_kind = item, urgency, kind
        req.station = receiver if kind == ReceiverKind.STATION else None
        req.worker = receiver if kind == ReceiverKind.WORKER else None
        req.organisation = receiver if kind == ReceiverKind.ORGANISATION else None
        req.team = receiver if kind == ReceiverKind.TEAM else None
        req.status = Status.DISPATCHED
        req.dispatched_at = now
        req.accept_due_at = calendar.add_working_minutes(now, limits.accept_minutes)
        if req.resolve_due_at is None:  # a request handed back keeps the resolution deadline it was given
            req.resolve_clock = limits.resolve_clock
            req.resolve_due_at = calendar.add(limits.resolve_clock, now, limits.resolve_minutes)
        req.escalation, req.reminded_due = 0, None
        _set_next_check(req, policy, calendar)
        req.full_clean()
        standing.save(req, OPEN_COUNTED)
        _event(
            req,
            EventKind.DISPATCHED,
            actor=actor,
            item=item.name,
            urgency=urgency,
            receiver_kind=kind,
            receiver=str(receiver),
        )
        record(
            "demands.request.dispatch",
            actor=actor,
            obj=req,
            changes={"item": item.code, "urgency": urgency, "receiver_kind": kind, "receiver": receiver.pk},
        )
        notify(
            users=receiver_users(req),
            notice=Notice(
                kind=Kind.DEMAND_ASSIGNED,
                title=gettext_noop("新派单：%(item)s"),
                body=gettext_noop("诉求 %(code)s（%(item)s，%(urgency)s）已派给您，请在 %(due)s 前接单。"),
                params={
                    "item": item.name,
                    "code": req.tracking_code,
                    "urgency": urgency,
                    "due": f"{timezone.localtime(req.accept_due_at):%Y-%m-%d %H:%M}",
                },
                link=_link(req),
            ),
            region_code=req.region_code,
            dedupe_key=f"demand-assigned:{req.pk}:{now:%Y%m%d%H%M%S%f}",
        )
    return req


def _require_handle(actor, req) -> None:
    actor.require("demands.handle", req.region_code)


def request_accept(*, actor, req) -> DemandRequest:
    _require_handle(actor, req)
    with transaction.atomic():
        req = _lock(req)
        _expect(req, (Status.DISPATCHED,), _("诉求当前状态为“%(status)s”，不能接单"))
        policy, calendar = _rules(req)
        req.status, req.accepted_at = Status.ACCEPTED, timezone.now()
        req.escalation, req.reminded_due = 0, None
        _set_next_check(req, policy, calendar)
        standing.save(req, OPEN_COUNTED)
        _event(req, EventKind.ACCEPTED, actor=actor)
        record("demands.request.accept", actor=actor, obj=req, changes={"status": req.status})
    return req


def request_return(*, actor, req, reason: str) -> DemandRequest:
    """退单: the receiver hands the request back to the desk with a reason."""
    _require_handle(actor, req)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请填写退单原因")]})
    with transaction.atomic():
        req = _lock(req)
        _expect(req, (Status.DISPATCHED, Status.ACCEPTED), _("诉求当前状态为“%(status)s”，不能退单"))
        previous = ReceiverKind(req.receiver_kind).label if req.receiver_kind else ""
        req.status = Status.RETURNED
        req.returns += 1
        req.receiver_kind, req.station, req.worker, req.organisation, req.team = "", None, None, None, None
        req.accept_due_at, req.accepted_at, req.next_check_at = None, None, None
        req.escalation, req.reminded_due = 0, None
        standing.save(req, OPEN_COUNTED)
        _event(req, EventKind.RETURNED, actor=actor, note=reason[:500], receiver_kind=str(previous))
        record("demands.request.return", actor=actor, obj=req, changes={"returns": req.returns})
    return req


def request_start(*, actor, req) -> DemandRequest:
    _require_handle(actor, req)
    with transaction.atomic():
        req = _lock(req)
        _expect(req, (Status.ACCEPTED,), _("诉求当前状态为“%(status)s”，不能开始办理"))
        req.status = Status.IN_PROGRESS
        standing.save(req, OPEN_COUNTED, update_fields=["status"])
        _event(req, EventKind.STARTED, actor=actor)
        record("demands.request.start", actor=actor, obj=req, changes={"status": req.status})
    return req


def request_pause(*, actor, req, reason: str) -> DemandRequest:
    """Waiting for the resident (not at home, materials to bring): the resolution clock stops."""
    _require_handle(actor, req)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请说明在等待居民什么")]})
    with transaction.atomic():
        req = _lock(req)
        _expect(req, (Status.ACCEPTED, Status.IN_PROGRESS), _("诉求当前状态为“%(status)s”，不能暂停计时"))
        _policy, calendar = _rules(req)
        req.paused_minutes_left = calendar.between(req.resolve_clock, timezone.now(), req.resolve_due_at)
        req.status, req.next_check_at = Status.WAITING, None
        standing.save(req, OPEN_COUNTED)
        _event(req, EventKind.PAUSED, actor=actor, note=reason[:500])
        record("demands.request.pause", actor=actor, obj=req, changes={"left": req.paused_minutes_left})
    return req


def request_resume(*, actor, req) -> DemandRequest:
    _require_handle(actor, req)
    with transaction.atomic():
        req = _lock(req)
        _expect(req, (Status.WAITING,), _("诉求当前状态为“%(status)s”，无需恢复计时"))
        policy, calendar = _rules(req)
        req.resolve_due_at = calendar.add(req.resolve_clock, timezone.now(), req.paused_minutes_left or 0)
        req.paused_minutes_left = None
        req.status = Status.IN_PROGRESS
        req.reminded_due, req.escalation = None, 0
        _set_next_check(req, policy, calendar)
        standing.save(req, OPEN_COUNTED)
        _event(req, EventKind.RESUMED, actor=actor)
        record("demands.request.resume", actor=actor, obj=req, changes={"resolve_due_at": req.resolve_due_at})
    return req


def request_resolve(*, actor, req, resolution: str, project_id=None) -> DemandRequest:
    """Resolve a request. It counts for the project its worker serves on that day (core.projectlinks); a
    reopened request keeps the project it was first resolved under."""
    _require_handle(actor, req)
    resolution = (resolution or "").strip()
    if len(resolution) < 2:
        raise ValidationError({"resolution": [_("请填写办理情况")]})
    linked = req.project_id
    if linked is None:
        linked = projectlinks.choose(worker_id=req.worker_id, on=timezone.localdate(), project_id=project_id)
    with transaction.atomic():
        req = _lock(req)
        _expect(
            req,
            (Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING),
            _("诉求当前状态为“%(status)s”，不能办结"),
        )
        now = timezone.now()
        if req.status == Status.WAITING:
            _policy, calendar = _rules(req)
            req.resolve_due_at = calendar.add(req.resolve_clock, now, req.paused_minutes_left or 0)
            req.paused_minutes_left = None
        req.status, req.resolved_at, req.resolution = Status.RESOLVED, now, resolution[:2000]
        req.project_id = linked
        req.resolved_on_time = req.resolve_due_at is None or now <= req.resolve_due_at
        req.next_check_at = None
        first_time = req.served_on is None
        if first_time:
            req.served_on = timezone.localdate(now)
        standing.save(req, OPEN_COUNTED)
        _event(req, EventKind.RESOLVED, actor=actor, note=resolution[:500], on_time=req.resolved_on_time)
        tallies.add(req.region_code, now, "demands.completed", 1)
        if first_time and req.recipient_id:
            tallies.add_member(
                req.region_code, req.served_on, "served.people", f"recipient:{req.recipient_id}"
            )
        record(
            "demands.request.resolve",
            actor=actor,
            obj=req,
            changes={"on_time": req.resolved_on_time, "project": req.project_id},
        )
    return req


def request_rate(*, actor=None, req, rating, comment: str = "", via: str = "tracking") -> DemandRequest:
    """The resident's rating, through the tracking page (no actor) or a phone callback the desk records. A
    dissatisfied rating reopens the request once (back to its receiver, with a fresh resolution deadline)."""
    if actor is not None:
        actor.require("demands.dispatch", req.region_code)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("请选择 1 到 5 星的评价")]})
    comment = (comment or "").strip()[:500]
    with transaction.atomic():
        req = _lock(req)
        _expect(req, (Status.RESOLVED,), _("诉求当前状态为“%(status)s”，不能评价"))
        actor_name = "" if actor is not None else "public"
        if rating <= DISSATISFIED and not req.reopened:
            _event(
                req, EventKind.RATED, actor=actor, actor_name=actor_name, note=comment, rating=rating, via=via
            )
            tallies.add(req.region_code, req.resolved_at, "demands.completed", -1)
            now = timezone.now()
            policy, calendar = _rules(req)
            limits = rules.deadlines(policy, calendar, req.urgency, req.item)
            req.status, req.reopened = Status.ACCEPTED, True
            req.resolved_at, req.resolved_on_time = None, None
            req.resolve_clock = limits.resolve_clock
            req.resolve_due_at = calendar.add(limits.resolve_clock, now, limits.resolve_minutes)
            req.escalation, req.reminded_due = 0, None
            _set_next_check(req, policy, calendar)
            standing.save(req, OPEN_COUNTED)
            _event(req, EventKind.REOPENED, actor=actor, actor_name=actor_name, rating=rating)
            notify(
                users=receiver_users(req),
                notice=Notice(
                    kind=Kind.DEMAND_DUE,
                    title=gettext_noop("居民不满意，诉求已重新办理"),
                    body=gettext_noop("诉求 %(code)s 的评价为 %(rating)d 星，已退回重新办理。"),
                    params={"code": req.tracking_code, "rating": rating},
                    link=_link(req),
                ),
                region_code=req.region_code,
                dedupe_key=f"demand-reopened:{req.pk}",
            )
        else:
            req.status, req.rating, req.rating_comment = Status.CLOSED, rating, comment
            standing.save(req, OPEN_COUNTED)
            _event(
                req, EventKind.RATED, actor=actor, actor_name=actor_name, note=comment, rating=rating, via=via
            )
        record(
            "demands.request.rate",
            actor=actor,
            obj=req,
            actor_name=actor_name,
            changes={"rating": rating, "via": via, "status": req.status},
        )
    return req


def request_cancel(*, actor, req, reason: str) -> DemandRequest:
    """A duplicate or an empty request is set aside by the desk (its history stays)."""
    actor.require("demands.dispatch", req.region_code)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请填写作废原因")]})
    with transaction.atomic():
        req = _lock(req)
        _expect(req, AT_DESK, _("诉求当前状态为“%(status)s”，不能作废"))
        req.status, req.next_check_at = Status.CANCELLED, None
        standing.save(req, OPEN_COUNTED, update_fields=["status", "next_check_at"])
        _event(req, EventKind.CANCELLED, actor=actor, note=reason[:500])
        record("demands.request.cancel", actor=actor, obj=req, changes={"status": req.status})
    return req


def _district_of(code: str) -> str:
    chain = [*ancestors_of(code), code]
    return chain[2] if len(chain) > 2 else chain[-1]


def check_deadlines(req, now=None) -> list[str]:
    """Send what is due on one request: the reminder (催办) before its current deadline, the escalation to the
    station heads when it passes, to the district's officials ``district_after_hours`` later. Idempotent."""
    now = now or timezone.now()
    done: list[str] = []
    with transaction.atomic():
        req = _lock(req)
        due, clock = _current_deadline(req)
        if due is None:
            if req.next_check_at is not None:
                req.next_check_at = None
                standing.save(req, OPEN_COUNTED, update_fields=["next_check_at"])
            return done
        policy, calendar = _rules(req)
        stage = "accept" if req.status == Status.DISPATCHED else "resolve"
        params = {
            "code": req.tracking_code,
            "item": req.item.name if req.item else "",
            "due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}",
        }
        key = f"{req.pk}:{stage}:{due:%Y%m%d%H%M}"
        if req.reminded_due != due and now >= rules.remind_at(calendar, policy, clock, due):
            req.reminded_due = due
            if now < due:
                _event(req, EventKind.REMINDED, at=now, actor_name="system", stage=stage)
                notify(
                    users=receiver_users(req),
                    notice=Notice(
                        kind=Kind.DEMAND_DUE,
                        title=gettext_noop("催办：诉求即将到期"),
                        body=gettext_noop("诉求 %(code)s（%(item)s）应于 %(due)s 前处理，请抓紧办理。"),
                        params=params,
                        link=_link(req),
                    ),
                    region_code=req.region_code,
                    dedupe_key=f"demand-remind:{key}",
                )
                done.append("reminded")
        if now >= due and req.escalation == 0:
            req.escalation = 1
            _event(req, EventKind.ESCALATED, at=now, actor_name="system", stage=stage, level=1)
            notify(
                users=[*role_holders([Role.TOWNSHIP], req.region_code), *receiver_users(req)],
                notice=Notice(
                    kind=Kind.DEMAND_ESCALATED,
                    title=gettext_noop("诉求逾期未办（已上报站长）"),
                    body=gettext_noop("诉求 %(code)s（%(item)s）应于 %(due)s 前处理，已逾期，请督促落实。"),
                    params=params,
                    link=_link(req),
                ),
                region_code=req.region_code,
                dedupe_key=f"demand-escalate1:{key}",
            )
            done.append("escalated")
        if req.escalation == 1 and now >= due + datetime.timedelta(hours=policy.district_after_hours):
            req.escalation = 2
            _event(req, EventKind.ESCALATED, at=now, actor_name="system", stage=stage, level=2)
            notify(
                users=role_holders([Role.OFFICIAL], _district_of(req.region_code)),
                notice=Notice(
                    kind=Kind.DEMAND_ESCALATED,
                    title=gettext_noop("诉求逾期未办（已上报区级）"),
                    body=gettext_noop(
                        "诉求 %(code)s（%(item)s）应于 %(due)s 前处理，逾期已超过时限，请督办。"
                    ),
                    params=params,
                    link=_link(req),
                ),
                region_code=req.region_code,
                dedupe_key=f"demand-escalate2:{key}",
            )
            done.append("district")
        _set_next_check(req, policy, calendar)
        standing.save(req, OPEN_COUNTED, update_fields=["reminded_due", "escalation", "next_check_at"])
    return done


def check_all_due(now=None) -> int:
    """Every request whose next check is due (the schedule's task; runs unscoped)."""
    now = now or timezone.now()
    count = 0
    for req in DemandRequest.objects.filter(next_check_at__lte=now).order_by("next_check_at")[:5000]:
        if check_deadlines(req, now):
            count += 1
    return count
