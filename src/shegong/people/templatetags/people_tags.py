from django import template

from shegong.people.selectors import station_staffing_summary

register = template.Library()


@register.inclusion_tag("people/_station_staff.html", takes_context=True)
def station_staff(context, node):
    """The staffing card of a station: `{% load people_tags %}{% station_staff node %}`."""
    request = context.get("request")
    actor = getattr(request, "actor", None)
    return {
        "staff": station_staffing_summary(node),
        "can_file": bool(actor and actor.can("filing.submit", node.region_code)),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def actor_can(context, permission: str) -> bool:
    """Whether the request's actor holds ``permission`` anywhere: `{% actor_can "policy.change" as can %}`."""
    actor = getattr(context.get("request"), "actor", None)
    return bool(actor and actor.can(permission))


@register.simple_tag(takes_context=True)
def local_policy(context):
    """The local policy in force in the actor's own region, for the rules a page states in words."""
    from shegong.regions.selectors import SEED_POLICY, policy_for

    actor = getattr(context.get("request"), "actor", None)
    code = getattr(actor, "home_region_code", "") if actor else ""
    return policy_for(code) if code else SEED_POLICY
