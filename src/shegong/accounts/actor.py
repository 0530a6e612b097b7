"""The actor of a request: a user, its role assignments and the region scope they give."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from shegong.core.regioncodes import in_subtree
from shegong.core.scoping import Relation, Scope

from .roles import ADMIN_ROLES, BUSINESS_ROLES, RELATIONSHIP_ROLES, roles_with


@dataclass(frozen=True)
class Grant:
    role: str
    region_code: str
    organisation_id: int | None = None


@dataclass
class Actor:
    user: object | None
    grants: list[Grant] = field(default_factory=list)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(user=None)

    @classmethod
    def for_user(cls, user) -> Actor:
        if user is None or not user.is_authenticated:
            return cls.anonymous()
        grants = [
            Grant(a.role, a.region_id, a.organisation_id) for a in user.assignments.all().order_by("id")
        ]
        return cls(user=user, grants=grants)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    @property
    def scope(self) -> Scope:
        """Business data is visible only through business roles; the administrators see none of it.

        A region-wide role sees every row of its subtree; a relationship-bound role only the rows related to it
        (its grant's organisation, its own account), as each region-owned model declares.
        """
        business = [g for g in self.grants if g.role in BUSINESS_ROLES]
        user_id = getattr(self.user, "pk", None)
        return Scope.of(
            (g.region_code for g in business),
            wide=(g.region_code for g in business if g.role not in RELATIONSHIP_ROLES),
            relations=(
                Relation(
                    role=g.role,
                    region_code=g.region_code,
                    organisation_ids=frozenset({g.organisation_id}) if g.organisation_id else frozenset(),
                    user_id=user_id,
                )
                for g in business
                if g.role in RELATIONSHIP_ROLES
            ),
        )

    @property
    def home_region_code(self) -> str:
        return self.grants[0].region_code if self.grants else ""

    @property
    def is_admin_only(self) -> bool:
        return bool(self.grants) and all(g.role in ADMIN_ROLES for g in self.grants)

    def can(self, permission: str, region_code: str | None = None) -> bool:
        allowed = roles_with(permission)
        for grant in self.grants:
            if grant.role in allowed and (region_code is None or in_subtree(region_code, grant.region_code)):
                return True
        return False

    def require(self, permission: str, region_code: str | None = None) -> None:
        if not self.can(permission, region_code):
            raise PermissionDenied(permission)

    def regions_with(self, permission: str) -> list[str]:
        allowed = roles_with(permission)
        return sorted({g.region_code for g in self.grants if g.role in allowed})

    def organisations(self) -> set[int]:
        return {g.organisation_id for g in self.grants if g.organisation_id}

    def __str__(self) -> str:
        return str(self.user) if self.user else "anonymous"


class SystemActor(Actor):
    """Management commands act as the system: everything, and it says so in the audit log."""

    def __init__(self, name: str = "system"):
        super().__init__(user=None)
        self.name = name

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def scope(self) -> Scope:
        return Scope(everything=True)

    def can(self, permission: str, region_code: str | None = None) -> bool:
        roles_with(permission)
        return True

    def __str__(self) -> str:
        return self.name
