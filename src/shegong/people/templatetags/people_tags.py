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
