"""Reading the service catalogue: a region uses the catalogue of the nearest region (itself or an ancestor) that
has its own copy, else the shipped default. Suggestion of items from the words a resident typed."""

from __future__ import annotations

from django.db.models import Q

from shegong.core.regioncodes import ancestors_of

from .models import CatalogueDomain, CatalogueItem


def owner_of(code: str) -> str | None:
    """The region whose catalogue applies to ``code`` (None: the shipped default)."""
    chain = [*ancestors_of(code), code]
    owners = set(
        CatalogueDomain.objects.filter(region_id__in=chain).values_list("region_id", flat=True).distinct()
    )
    for candidate in reversed(chain):
        if candidate in owners:
            return candidate
    return None


def _owned_by(owner: str | None) -> Q:
    return Q(domain__region__isnull=True) if owner is None else Q(domain__region_id=owner)


def items_for(code: str, *, include_retired: bool = False):
    items = CatalogueItem.objects.filter(_owned_by(owner_of(code))).select_related("domain")
    if not include_retired:
        items = items.filter(active=True)
    return items.order_by("domain__position", "position", "pk")


def domains_for(code: str):
    owner = owner_of(code)
    domains = (
        CatalogueDomain.objects.filter(region__isnull=True)
        if owner is None
        else (CatalogueDomain.objects.filter(region_id=owner))
    )
    return domains.order_by("position", "pk")


def grouped(items) -> list[tuple[CatalogueDomain, list[CatalogueItem]]]:
    groups: dict[int, tuple[CatalogueDomain, list]] = {}
    for item in items:
        groups.setdefault(item.domain_id, (item.domain, []))[1].append(item)
    return list(groups.values())


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if not ch.isspace())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def suggest(text: str, items, limit: int = 3) -> list[CatalogueItem]:
    """The items whose keywords and name best match ``text`` (a keyword found counts more than a shared pair of
    characters); none when nothing matches."""
    text = (text or "").strip()
    if not text:
        return []
    words = _bigrams(text)
    scored = []
    for item in items:
        score = sum(3 * len(k) for k in item.keywords.split() if k and k in text)
        score += len(words & _bigrams(item.name + item.description))
        if score:
            scored.append((score, -item.pk, item))
    scored.sort(key=lambda row: (row[0], row[1]), reverse=True)
    return [item for _score, _pk, item in scored[:limit]]
