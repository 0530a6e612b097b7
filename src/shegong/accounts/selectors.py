from django.db.models import Prefetch, Q, QuerySet

from shegong.core.scoping import Scope

from .models import RoleAssignment, User


def manageable_users(actor, *, q: str = "") -> QuerySet[User]:
    """Users with at least one role inside the security admin's subtrees and none outside them."""
    scope = Scope.of(actor.regions_with("accounts.manage"))
    if scope.is_empty:
        return User.objects.none()
    inside = RoleAssignment.objects.filter(scope.q("region_id"))
    outside = RoleAssignment.objects.exclude(scope.q("region_id"))
    queryset = (
        User.objects.filter(pk__in=inside.values("user_id"))
        .exclude(pk__in=outside.values("user_id"))
        .prefetch_related(Prefetch("assignments", queryset=RoleAssignment.objects.select_related("region")))
        .order_by("username")
    )
    if q:
        queryset = queryset.filter(Q(username__contains=q) | Q(display_name__contains=q))
    return queryset


def role_holders(roles, region_code: str, *, organisation_id: int | None = None) -> list[int]:
    """Active users holding one of ``roles`` over ``region_code`` (a grant on it or on one of its ancestors).

    With ``organisation_id``, only grants on behalf of that organisation (an operator's). For notices: who is told.
    """
    from shegong.core.regioncodes import ancestors_of

    grants = RoleAssignment.objects.filter(
        role__in=list(roles),
        region_id__in=[*ancestors_of(region_code), region_code],
        user__is_active=True,
    )
    if organisation_id is not None:
        grants = grants.filter(organisation_id=organisation_id)
    return sorted(set(grants.values_list("user_id", flat=True)))
