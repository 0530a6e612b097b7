"""Pages of the integrity checks: thin — parse, scoped fetch, one service call, render."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shegong.core.forms import submit
from shegong.core.pagination import paginate
from shegong.core.scoping import get_scoped_or_404
from shegong.core.tasks import dispatch
from shegong.regions.models import Region

from . import checks, selectors, services
from .checks.base import threshold_label
from .forms import DecideForm, FilterForm
from .models import Finding, FindingState, IntegrityRun
from .tasks import integrity_run

# Where an evidence record is shown (a URL name taking its pk); records without a page of their own show as text.
EVIDENCE_PAGES = {
    "visits.visit": "visits:visit_detail",
    "recipients.recipient": "recipients:detail",
    "projects.project": "projects:detail",
    "people.socialworker": "people:worker_detail",
    "demands.demandrequest": "demands:detail",
    "charity.disbursement": "charity:disbursement",
}


# What an evidence record is, for models whose own name is not one a reader knows.
EVIDENCE_KINDS = {
    "projects.budgetline": gettext_lazy("预算科目"),
    "projects.target": gettext_lazy("项目指标"),
}


def _evidence_kind(label: str) -> str:
    """A reader's name for the kind of record (服务诉求, 探访记录), never the model's code."""
    if label in EVIDENCE_KINDS:
        return str(EVIDENCE_KINDS[label])
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return _("记录")


def evidence_rows(finding: Finding) -> list[dict]:
    rows = []
    for item in finding.evidence:
        url = ""
        item = {**item, "kind": _evidence_kind(item.get("model", ""))}
        name = EVIDENCE_PAGES.get(item.get("model", ""))
        if name:
            try:
                url = reverse(name, args=[item["id"]])
            except NoReverseMatch:
                url = ""
        rows.append({**item, "url": url})
    return rows


def _check_choices():
    return [(c.code, c.title) for c in checks.all_checks()]


@login_required
def home(request):
    request.actor.require("integrity.view")
    form = FilterForm(request.GET or None, check_choices=_check_choices())
    filters = {key: request.GET.get(key, "") for key in selectors.FILTERS}
    queryset = selectors.finding_list(**filters)
    open_findings = selectors.finding_list(state="open")
    paged = paginate(request, queryset, 30)
    page = paged["page"]
    titles = dict(_check_choices())
    for finding in page:
        finding.check_title = titles.get(finding.check_code, finding.check_code)
    trend = selectors.trend(Finding.objects.all())
    context = {
        "form": form,
        "filters": filters,
        **paged,
        "by_check": selectors.counts_by_check(open_findings),
        "by_station": selectors.counts_by_station(open_findings),
        "chart": {
            "labels": trend["labels"],
            "series": [{"name": s["name"], "data": s["data"]} for s in trend["series"]],
            "stack": True,  # each month's findings by their state now: one bar a month
        },
        "runs": selectors.latest_runs(),
        "can_configure": request.actor.can("policy.change"),
        "can_run": any(
            request.actor.can("integrity.decide", code) for code in request.actor.scope.region_codes
        ),
    }
    return render(request, "integrity/home.html", context)


def _detail(request, finding, form):
    check = checks.REGISTRY.get(finding.check_code)
    return render(
        request,
        "integrity/finding.html",
        {
            "finding": finding,
            "check": check,
            "evidence": evidence_rows(finding),
            "form": form,
            "can_decide": request.actor.can("integrity.decide", finding.region_code),
        },
    )


@login_required
def finding_detail(request, pk: int):
    request.actor.require("integrity.view")
    finding = get_scoped_or_404(Finding.objects.select_related("node", "decided_by"), pk=pk)
    return _detail(request, finding, DecideForm(initial={"state": finding.state}))


@login_required
@require_POST
def finding_decide(request, pk: int):
    finding = get_scoped_or_404(Finding, pk=pk)
    form = DecideForm(request.POST)
    done = submit(
        request,
        form,
        lambda f: services.finding_decide(
            actor=request.actor,
            finding=finding,
            state=f.cleaned_data["state"],
            reason=f.cleaned_data["reason"],
        ),
    )
    if done is None:
        return _detail(request, finding, form)
    messages.success(request, _("已记录处理结果"))
    return redirect("integrity:finding", pk=finding.pk)


@login_required
@require_POST
def run_create(request):
    codes = [c for c in request.actor.regions_with("integrity.decide") if request.actor.scope.contains(c)]
    if not codes:
        request.actor.require("integrity.decide")
    check = request.POST.get("check", "")
    run = services.run_start(
        actor=request.actor, region_code=codes[0], check_code=check if check in checks.REGISTRY else ""
    )
    dispatch(integrity_run, actor_id=request.user.pk, run_id=run.pk)
    return redirect("integrity:run", pk=run.pk)


@login_required
def run_detail(request, pk: int):
    request.actor.require("integrity.view")
    run = get_scoped_or_404(IntegrityRun, pk=pk)
    template = "integrity/_run.html" if request.htmx else "integrity/run.html"
    return render(request, template, {"run": run, "states": FindingState})


@login_required
def settings_page(request):
    """The checks in force in the actor's region: on or off and their thresholds (inherited when not set here)."""
    codes = [c for c in request.actor.regions_with("policy.change") if request.actor.scope.contains(c)]
    if not codes:
        request.actor.require("policy.change")
    region = get_scoped_or_404(Region.objects.all(), code=codes[0])
    errors = {}
    if request.method == "POST":
        code = request.POST.get("check", "")
        check = checks.REGISTRY.get(code)
        if check is None:
            errors["check"] = [_("未知的检查项")]
        else:
            try:
                services.setting_update(
                    actor=request.actor,
                    region=region,
                    check_code=code,
                    enabled=request.POST.get("enabled") == "on",
                    thresholds={key: request.POST.get(key, "") for key in check.defaults},
                )
            except ValidationError as exc:
                # Name the threshold a message is about by its label, not its key.
                errors = {threshold_label(key): messages_ for key, messages_ in exc.message_dict.items()}
            else:
                messages.success(request, _("已保存检查设置"))
                return redirect("integrity:settings")
    resolver = selectors.SettingsResolver()
    rows = []
    for check in checks.all_checks():
        enabled, values = resolver.resolve(check.code, region.code)
        rows.append(
            {
                "check": check,
                "enabled": enabled,
                "values": values,
                "thresholds": [(key, threshold_label(key), value) for key, value in values.items()],
                "own": (region.code, check.code) in resolver.rows,
            }
        )
    return render(request, "integrity/settings.html", {"region": region, "rows": rows, "errors": errors})
