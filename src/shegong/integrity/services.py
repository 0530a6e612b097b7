"""Writes: running checks into findings, deciding a finding, and a region's settings for a check."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.audit.services import record
from shegong.core.regioncodes import subtree_bounds

from . import checks
from .models import (
    DECIDED_STATES,
    AssignedTo,
    Finding,
    FindingState,
    IntegrityRun,
    IntegritySetting,
    RunKind,
    RunStatus,
)
from .selectors import SettingsResolver

logger = logging.getLogger(__name__)

CLOSE_NOTE = gettext_noop("检查复核时该问题已不再成立，自动关闭")


@dataclass
class RunOutcome:
    found: int = 0
    opened: int = 0
    closed: int = 0


def _in_under(queryset, under: str):
    if not under:
        return queryset
    low, high = subtree_bounds(under)
    return queryset.filter(region_code__gte=low, region_code__lte=high)


def _apply(check: checks.Check, hits: list[checks.Hit], *, under: str, full: bool, now) -> RunOutcome:
    """Write one check's hits: a subject found again updates its finding (a closed one opens again), a new one
    opens, and — on a full run — an unfinished finding the check no longer finds closes with a note."""
    outcome = RunOutcome(found=len(hits))
    by_subject = {hit.subject: hit for hit in hits}
    existing = {}
    subjects = list(by_subject)
    for start in range(0, len(subjects), 1000):
        for finding in Finding.objects.filter(
            check_code=check.code, subject__in=subjects[start : start + 1000]
        ):
            existing[finding.subject] = finding
    fresh, changed = [], []
    for subject, hit in by_subject.items():
        evidence = [item.as_dict() for item in hit.evidence]
        finding = existing.get(subject)
        if finding is None:
            fresh.append(
                Finding(
                    region_code=hit.region_code,
                    check_code=check.code,
                    subject=subject,
                    summary=hit.summary[:300],
                    evidence=evidence,
                    occurred_on=hit.occurred_on,
                    node_id=hit.node_id,
                    assigned_to=AssignedTo.STATION if hit.node_id else AssignedTo.BUREAU,
                    last_found_at=now,
                )
            )
            continue
        finding.summary, finding.evidence, finding.last_found_at = hit.summary[:300], evidence, now
        finding.occurred_on, finding.region_code = hit.occurred_on, hit.region_code
        if finding.resolved_at is not None:
            finding.resolved_at, finding.resolved_note = None, ""
            if finding.state == FindingState.CLOSED:
                finding.state = FindingState.OPEN
                outcome.opened += 1
        changed.append(finding)
    Finding.objects.bulk_create(fresh, batch_size=1000)
    outcome.opened += len(fresh)
    Finding.objects.bulk_update(
        changed,
        [
            "summary",
            "evidence",
            "last_found_at",
            "occurred_on",
            "region_code",
            "resolved_at",
            "resolved_note",
            "state",
        ],
        batch_size=1000,
    )
    if full:
        gone = (
            _in_under(Finding.objects.filter(check_code=check.code, resolved_at__isnull=True), under).exclude(
                subject__in=subjects
            )
            if len(subjects) < 20000
            else None
        )
        if gone is None:  # too many subjects for one NOT IN: compare in Python
            gone_ids = [
                pk
                for pk, subject in _in_under(
                    Finding.objects.filter(check_code=check.code, resolved_at__isnull=True), under
                ).values_list("pk", "subject")
                if subject not in by_subject
            ]
            gone = Finding.objects.filter(pk__in=gone_ids)
        outcome.closed += gone.filter(state=FindingState.OPEN).update(
            state=FindingState.CLOSED, resolved_at=now, resolved_note=CLOSE_NOTE
        )
        # A decided finding keeps its decision; it only records that the problem is gone.
        gone.exclude(state=FindingState.CLOSED).filter(resolved_at__isnull=True).update(
            resolved_at=now, resolved_note=CLOSE_NOTE
        )
    return outcome


def run_checks(
    *,
    under: str = "",
    codes: list[str] | None = None,
    since: datetime.datetime | None = None,
    run: IntegrityRun | None = None,
) -> RunOutcome:
    """Run the checks (all, or ``codes``) over the region ``under`` in the active scope. ``since`` makes it an
    incremental run: only problems touching records written since then are looked at, and nothing closes."""
    selected = [checks.get(code) for code in codes] if codes else checks.all_checks()
    resolver = SettingsResolver()
    total = RunOutcome()
    if run is not None:
        run.total, run.done, run.status, run.started_at = len(selected), 0, RunStatus.RUNNING, timezone.now()
        run.save(update_fields=["total", "done", "status", "started_at"])
    for check in selected:
        if run is not None:
            run.current = str(check.title)
            run.save(update_fields=["current"])
        now = timezone.now()
        narrow = since if check.incremental else None
        with transaction.atomic():
            hits = [
                hit
                for hit in check.run(under, narrow, params=resolver.params_for(check.code))
                if resolver.enabled(check.code, hit.region_code)
            ]
            outcome = _apply(check, hits, under=under, full=since is None or not check.incremental, now=now)
        total.found += outcome.found
        total.opened += outcome.opened
        total.closed += outcome.closed
        if run is not None:
            run.done += 1
            run.found, run.opened, run.closed = total.found, total.opened, total.closed
            run.save(update_fields=["done", "found", "opened", "closed"])
    if run is not None:
        run.status, run.finished_at, run.current = RunStatus.DONE, timezone.now(), ""
        run.save(update_fields=["status", "finished_at", "current"])
    logger.info(
        "integrity run under %r: %d found, %d opened, %d closed",
        under,
        total.found,
        total.opened,
        total.closed,
    )
    return total


def run_start(
    *, actor, region_code: str, check_code: str = "", kind: str = RunKind.FULL, since=None
) -> IntegrityRun:
    """Record a run the page or the schedule asked for; the task does the work (``tasks.integrity_run``)."""
    actor.require("integrity.decide", region_code)
    if check_code and check_code not in checks.REGISTRY:
        raise ValidationError({"check": [_("未知的检查项")]})
    run = IntegrityRun(
        region_code=region_code,
        kind=kind,
        check_code=check_code,
        since=since,
        requested_by=getattr(actor, "user", None),
    )
    run.full_clean(exclude=["region_code"])  # "" is a run over every region (the nightly run, a command)
    with transaction.atomic():
        run.save()
        record("integrity.run", actor=actor, obj=run, changes={"check": check_code, "kind": kind})
    return run


def finding_decide(*, actor, finding: Finding, state: str, reason: str) -> Finding:
    actor.require("integrity.decide", finding.region_code)
    errors = {}
    if state not in [s.value for s in DECIDED_STATES]:
        errors["state"] = [_("请选择处理结果：已说明、已确认问题或误报")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写处理意见")]
    if errors:
        raise ValidationError(errors)
    before = finding.state
    finding.state = state
    finding.reason = reason.strip()[:500]
    finding.decided_by = actor.user
    finding.decided_at = timezone.now()
    finding.full_clean()
    with transaction.atomic():
        finding.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        record(
            "integrity.finding.decide",
            actor=actor,
            obj=finding,
            changes={"state": {"before": before, "after": state}},
            reason=finding.reason,
        )
    return finding


def setting_update(*, actor, region, check_code: str, enabled: bool, thresholds: dict) -> IntegritySetting:
    actor.require("policy.change", region.code)
    check = checks.REGISTRY.get(check_code)
    if check is None:
        raise ValidationError({"check": [_("未知的检查项")]})
    clean = {}
    for key, value in (thresholds or {}).items():
        if key not in check.defaults:
            raise ValidationError({key: [_("该检查项没有此阈值")]})
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            raise ValidationError({key: [_("阈值须为非负整数")]})
        clean[key] = number
    with transaction.atomic():
        setting, _created = IntegritySetting.objects.get_or_create(region=region, check_code=check_code)
        before = {"enabled": setting.enabled, "thresholds": setting.thresholds}
        setting.enabled, setting.thresholds = bool(enabled), clean
        setting.full_clean()
        setting.save()
        record(
            "integrity.setting.update",
            actor=actor,
            region_code=region.code,
            object_type="integrity.integritysetting",
            object_id=str(setting.pk),
            changes={"before": before, "after": {"enabled": setting.enabled, "thresholds": clean}},
        )
    return setting
