"""The bureau's local-policy page: a region's own values, and the values in force there with where each comes from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shegong.core.forms import submit
from shegong.core.regioncodes import Level
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.models import Region, RegionStandard
from shegong.regions.selectors import POLICY_FIELDS, area_choices, policy_for

from .. import services
from ..forms import PolicyForm


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    roots = request.actor.regions_with("policy.change")
    if not roots:
        request.actor.require("policy.change")
    code = request.GET.get("region", "").strip() or roots[0]
    region = get_scoped_or_404(Region, code=code)
    if not request.actor.can("policy.change", region.code):
        raise Http404
    row = RegionStandard.objects.filter(region=region).first()
    own = {name: getattr(row, name) if row else None for name in POLICY_FIELDS}
    form = PolicyForm(request.POST if request.method == "POST" else None, initial=own)

    def save(form):
        return services.region_policy_update(actor=request.actor, region=region, values=form.cleaned_data)

    if submit(request, form, save) is not None:
        messages.success(request, _("已保存%(region)s的地方政策。") % {"region": region.name})
        return redirect(f"{reverse('people:policy')}?region={region.code}")
    policy = policy_for(region.code)
    sources = {c for c in dict(policy.sources).values() if c}
    names = dict(Region.objects.filter(code__in=sources).values_list("code", "name"))
    rows = [
        {
            "field": form[name],
            "value": getattr(policy, name),
            "source": names.get(policy.source_of(name), "") if policy.source_of(name) else "",
            "own": policy.source_of(name) == region.code,
        }
        for name in POLICY_FIELDS
    ]
    context = {
        "region": region,
        "form": form,
        "rows": rows,
        "choices": area_choices(roots, lowest=Level.TOWNSHIP),
    }
    return render(request, "people/policy.html", context)
