from django.db.models import Q, QuerySet

from shegong.core.scoping import Scope

from .models import AuditEvent


def events_for(
    scope_codes: list[str], *, action: str = "", actor: str = "", date_from=None, date_to=None, q: str = ""
) -> QuerySet[AuditEvent]:
    """Entries in the audit admin's region subtrees; entries with no region are shown to every audit admin."""
    scope = Scope.of(scope_codes)
    queryset = AuditEvent.objects.filter(scope.q("region_code") | Q(region_code=""))
    if action:
        queryset = queryset.filter(action__startswith=action)
    if actor:
        queryset = queryset.filter(actor_name__contains=actor)
    if date_from:
        queryset = queryset.filter(at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(at__date__lte=date_to)
    if q:
        # Who did what to which record, never the person's data: names, reasons and changed values are free text
        # about people, so the search matches record numbers and types only.
        queryset = queryset.filter(Q(object_id=q) | Q(object_type=q))
    return queryset.order_by("-seq")


def changed_fields(changes) -> str:
    """The names of what an entry changed, without the values (which may be a person's name, address or notes)."""
    if not isinstance(changes, dict):
        return ""
    return "、".join(sorted(str(key) for key in changes))
