"""Region scoping that fails closed.

Every region-owned row carries ``region_code``, the 12-digit code of the lowest region it belongs to. An actor's
scope is a set of region subtrees. Querying a region-owned model through its default manager while no scope is
active raises ``ScopeNotActive``; with a scope active, only rows inside one of its subtrees come back.

Inside a region, some roles see only what is related to them (SPEC §1, ARCHITECTURE "Region scoping fails
closed" point 5). The scope carries those grants as ``Relation``s; every region-owned model declares, in its
``relationship`` class attribute, how its rows relate to each such role, and the scoped manager applies it. A role a
model does not name sees none of its rows; a test fails for a region-owned model without the declaration.

There are two ways out, each with one greppable name:
- ``across_regions(reason)``: a deliberate read across regions on a request path — a uniqueness check over the
  whole database, a public page, the actor's own record filed elsewhere. The reason is required; a test fails on
  any call without one and on any other spelling (``_base_manager``, ``._base``, raw SQL) outside commands,
  migrations and tests.
- ``unscoped()``: management commands, migrations, background set-up and tests. Pages and the API never use it;
  the actor middleware activates the actor's scope for every request.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.http import Http404

from shegong.core.regioncodes import subtree_bounds, subtree_prefix


class ScopeNotActive(RuntimeError):
    """A region-owned model was queried with no scope active: a bug, never an empty result."""


@dataclass(frozen=True)
class Relation:
    """A relationship-bound grant: inside ``region_code``'s subtree the actor sees only rows related to it.

    ``organisation_ids`` are the organisations the grant is bound to (an operator's); ``user_id`` is the actor's
    own account (a volunteer's record, a supervisor's or evaluator's assignments).
    """

    role: str
    region_code: str
    organisation_ids: frozenset[int] = frozenset()
    user_id: int | None = None


# A model's ``relationship`` maps a role to a function of the Relation returning a Q over the model's rows.
RelationshipRule = Callable[[Relation], Q]


def by_organisation(lookup: str) -> RelationshipRule:
    """Rows whose ``lookup`` (an organisation id path) is one of the grant's organisations."""
    return lambda relation: Q(**{f"{lookup}__in": sorted(relation.organisation_ids)})


def by_user(lookup: str) -> RelationshipRule:
    """Rows whose ``lookup`` (an account id path) is the actor's own account."""
    return lambda relation: Q(**{lookup: relation.user_id}) if relation.user_id else Q(pk__in=[])


def every_row(relation: Relation) -> Q:
    """Every row in the grant's region: for data that is no one's personal data (policy tables, counts)."""
    return Q()


# The declaration of a model that only region-wide roles see.
REGION_WIDE_ONLY: dict[str, RelationshipRule] = {}


@dataclass(frozen=True)
class Scope:
    """The region subtrees an actor may see. ``everything`` is only set by ``unscoped()``.

    ``region_codes`` is the actor's whole area (what region pickers and breadcrumbs offer). ``wide_codes`` are the
    subtrees where it sees every row (None: all of ``region_codes``); elsewhere in the area it sees only the rows
    its ``relations`` reach.
    """

    region_codes: frozenset[str] = frozenset()
    everything: bool = False
    wide_codes: frozenset[str] | None = None
    relations: frozenset[Relation] = frozenset()

    @classmethod
    def of(cls, codes: Iterable[str], *, wide: Iterable[str] | None = None, relations=()) -> Scope:
        return cls(
            region_codes=frozenset(_minimal_roots(codes)),
            wide_codes=None if wide is None else frozenset(_minimal_roots(wide)),
            relations=frozenset(relations),
        )

    @property
    def region_wide(self) -> Scope:
        """The same area with every row visible: for bookkeeping of a region's aggregates, never for display."""
        return Scope(region_codes=self.region_codes, everything=self.everything)

    def rows_q(self, model, field: str = "region_code") -> Q:
        """What a region-owned model's scoped manager selects: wide subtrees, then each relation's rows."""
        if self.everything:
            return Q()
        wide = self.region_codes if self.wide_codes is None else self.wide_codes
        condition = Scope(region_codes=wide).q(field)
        declared = getattr(model, "relationship", None) or {}
        for relation in sorted(self.relations, key=lambda r: (r.role, r.region_code)):
            rule = declared.get(relation.role)
            if rule is None:
                continue
            # A subquery on the plain queryset: a rule that follows a to-many relation never duplicates rows.
            related = models.QuerySet(model).filter(rule(relation)).values("pk")
            condition |= Scope(region_codes=frozenset({relation.region_code})).q(field) & Q(pk__in=related)
        return condition

    def contains(self, region_code: str | None) -> bool:
        if self.everything:
            return True
        if not region_code:
            return False
        return any(region_code.startswith(subtree_prefix(root)) for root in self.region_codes)

    def q(self, field: str = "region_code") -> Q:
        """A filter selecting rows whose ``field`` lies in one of the subtrees (index-friendly ranges)."""
        if self.everything:
            return Q()
        condition = Q(pk__in=[])
        for root in sorted(self.region_codes):
            low, high = subtree_bounds(root)
            condition |= Q(**{f"{field}__gte": low, f"{field}__lte": high})
        return condition

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.region_codes


def _minimal_roots(codes: Iterable[str]) -> set[str]:
    """Drop codes already covered by an ancestor in the same set."""
    unique = sorted(set(codes), key=lambda c: len(subtree_prefix(c)))
    roots: set[str] = set()
    for code in unique:
        if not any(code.startswith(subtree_prefix(root)) for root in roots):
            roots.add(code)
    return roots


_current_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("shegong_scope", default=None)


def current_scope() -> Scope:
    scope = _current_scope.get()
    if scope is None:
        raise ScopeNotActive(
            "No region scope is active. Requests get one from ActorMiddleware; background work must enter "
            "`activate(scope)`; maintenance code must say `unscoped()` explicitly."
        )
    return scope


def scope_is_active() -> bool:
    return _current_scope.get() is not None


@contextlib.contextmanager
def activate(scope: Scope) -> Iterator[Scope]:
    token = _current_scope.set(scope)
    try:
        yield scope
    finally:
        _current_scope.reset(token)


@contextlib.contextmanager
def no_scope() -> Iterator[None]:
    """Leave every scope: what a request that bypassed the middleware would see. For tests of fail-closed."""
    token = _current_scope.set(None)
    try:
        yield
    finally:
        _current_scope.reset(token)


def region_wide(reason: str) -> contextlib.AbstractContextManager[Scope]:
    """Lift the relationship restriction inside the active scope's own regions, never beyond them.

    For bookkeeping that keeps a region's aggregates whole (the visit-care ledger counts every recipient of a
    village, not only the ones the acting operator serves); never for what is shown. ``reason`` says why.
    """
    if not reason or not reason.strip():
        raise ValueError("region_wide() needs a reason")
    return activate(current_scope().region_wide)


def unscoped() -> contextlib.AbstractContextManager[Scope]:
    """The escape hatch: see every region. For management commands, migrations and tests only."""
    return activate(Scope(everything=True))


def across_regions(reason: str) -> contextlib.AbstractContextManager[Scope]:
    """A deliberate read across every region on a request path; ``reason`` says why in one line."""
    if not reason or not reason.strip():
        raise ValueError("across_regions() needs a reason")
    return activate(Scope(everything=True))


class ScopedQuerySet(models.QuerySet):
    """A queryset built while no scope was active: it selects nothing and raises when evaluated.

    Building one is allowed (model forms build querysets at import time); running one is a bug.
    """

    _scope_missing = False

    def _clone(self):
        clone = super()._clone()
        clone._scope_missing = self._scope_missing
        return clone

    def _refuse(self):
        if self._scope_missing:
            current_scope()

    def _fetch_all(self):
        self._refuse()
        super()._fetch_all()

    def count(self):
        self._refuse()
        return super().count()

    def exists(self):
        self._refuse()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._refuse()
        return super().aggregate(*args, **kwargs)

    def iterator(self, *args, **kwargs):
        self._refuse()
        return super().iterator(*args, **kwargs)

    def update(self, **kwargs):
        self._refuse()
        return super().update(**kwargs)

    def delete(self):
        self._refuse()
        return super().delete()


class RegionScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    """Default manager of region-owned models: filters by the active scope, fails closed when there is none."""

    region_field = "region_code"

    def get_queryset(self) -> models.QuerySet:
        scope = _current_scope.get()
        queryset = self.scope_queryset(super().get_queryset(), scope)
        return queryset

    def scope_queryset(self, queryset, scope: Scope | None):
        if scope is None:
            # Selects nothing even if used as a subquery; raises if evaluated.
            queryset = queryset.filter(pk__in=[])
            queryset._scope_missing = True
            return queryset
        if scope.everything:
            return queryset
        return queryset.filter(scope.rows_q(self.model, self.region_field))


class RegionOwned(models.Model):
    """Abstract base for every region-owned row."""

    region_code = models.CharField(max_length=12, db_index=True)

    objects = RegionScopedManager()
    # Following a foreign key to a row you already hold, saving and deleting go through the base manager;
    # it must not filter, or an update could silently miss its own row.
    _base = models.Manager()  # noqa: DJ012 - the plain base manager sits beside the scoped one

    class Meta:
        abstract = True
        base_manager_name = "_base"
        default_manager_name = "objects"

    # The relation a row's region_code is copied from on every save: "region" (a regions.Region foreign key) or a
    # region-owned parent such as "node" or "recipient". None: the code sets region_code itself.
    region_from: str | None = None

    # How rows relate to the relationship-bound roles (operator, supervisor, evaluator, volunteer): role → rule
    # (``by_organisation``, ``by_user``, ``every_row`` or a function of the Relation returning a Q). A role not
    # named sees no row of the model; ``REGION_WIDE_ONLY`` says so for all of them. Every concrete region-owned
    # model must declare it (a test walks them); None means "not declared", and then nothing is related.
    relationship: dict[str, RelationshipRule] | None = None

    def save(self, *args, **kwargs):
        if self.region_from:
            self.region_code = self.derived_region_code()
        super().save(*args, **kwargs)

    def derived_region_code(self) -> str:
        field = self._meta.get_field(self.region_from)
        if field.related_model._meta.label == "regions.Region":
            return getattr(self, field.attname)
        return getattr(self, self.region_from).region_code

    def validate_unique(self, exclude=None):
        # Uniqueness holds across the whole database, not only across what the actor can see.
        with unscoped():
            super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        with unscoped():
            super().validate_constraints(exclude=exclude)


def get_scoped_or_404(queryset_or_model, **lookup):
    """Fetch one row from the scoped queryset: the same 404 for 'does not exist' and 'not in your scope'."""
    queryset = (
        queryset_or_model._default_manager.all() if isinstance(queryset_or_model, type) else queryset_or_model
    )
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
