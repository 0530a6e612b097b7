"""Relationship rules for the supervisor role: a supervisor sees its supervisees' work and nothing else of the region.

Who supervises whom is a registry fact (``people.SupervisionAssignment``): a supervisor is assigned to a worker, or
to a station (every worker in post there), from a start date to an optional end date. A model whose rows are a
worker's work declares ``relationship = {"supervisor": supervised("path__to__worker"), …}``; rows held at a station
declare ``supervised_node("path__to__node")``. The rules are lookups through reverse relations (no import of the
assignment model), so any app of any layer may use them.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from shegong.core.scoping import Relation, RelationshipRule


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def _active(prefix: str, today) -> Q:
    return Q(**{f"{prefix}start_date__lte": today}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})
    )


def _supervision(prefix: str, user_id: int, today) -> Q:
    """An assignment under ``prefix`` (…supervisions__) held today by the supervisor whose account is ``user_id``."""
    return Q(**{f"{prefix}supervisor__user_id": user_id}) & _active(prefix, today)


def supervised(path_to_worker: str) -> RelationshipRule:
    """Rows whose worker (``path_to_worker``; "" for ``SocialWorker`` itself) the actor supervises today: directly,
    or because the worker is in post at a station the actor supervises."""
    worker = _prefix(path_to_worker)

    def rule(relation: Relation) -> Q:
        if not relation.user_id:
            return Q(pk__in=[])
        today = timezone.localdate()
        direct = _supervision(f"{worker}supervisions__", relation.user_id, today)
        post = f"{worker}assignments__"
        at_station = _active(post, today) & _supervision(
            f"{post}node__supervisions__", relation.user_id, today
        )
        return direct | at_station

    return rule


def supervised_node(path_to_node: str) -> RelationshipRule:
    """Rows held at a station (``path_to_node``; "" for ``ServiceNode`` itself) the actor supervises today."""
    node = _prefix(path_to_node)

    def rule(relation: Relation) -> Q:
        if not relation.user_id:
            return Q(pk__in=[])
        return _supervision(f"{node}supervisions__", relation.user_id, timezone.localdate())

    return rule
