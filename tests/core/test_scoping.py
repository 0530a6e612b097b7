import pytest
from django.http import Http404

from shegong.core.scoping import Scope, ScopeNotActive, activate, get_scoped_or_404, no_scope
from shegong.network.models import ServiceNode
from shegong.regions.models import Region

from ..factories import DISTRICT, TOWN_A, TOWN_B


def test_query_outside_any_scope_raises(world):
    with no_scope():
        with pytest.raises(ScopeNotActive):
            list(ServiceNode.objects.all())
        with pytest.raises(ScopeNotActive):
            ServiceNode.objects.count()
        with pytest.raises(ScopeNotActive):
            ServiceNode.objects.get(pk=world.station_a.pk)
        with pytest.raises(ScopeNotActive):
            ServiceNode.objects.filter(name="x").update(name="y")
        with pytest.raises(ScopeNotActive):
            Region.objects.filter(code=TOWN_A).exists()


def test_a_queryset_built_without_scope_selects_nothing_as_a_subquery(world):
    with no_scope():
        inner = ServiceNode.objects.values("region_code")
    with activate(Scope(everything=True)):
        assert not Region.objects.filter(code__in=inner).exists()


def test_scope_filters_to_the_subtree(world):
    with activate(Scope.of([TOWN_B])):
        names = set(ServiceNode.objects.values_list("name", flat=True))
        assert names == {world.station_b.name}
        with pytest.raises(Http404):
            get_scoped_or_404(ServiceNode, pk=world.station_a.pk)
        with pytest.raises(Http404):
            get_scoped_or_404(ServiceNode, pk=999999)


def test_regions_show_ancestors_but_not_siblings(world):
    with activate(Scope.of([TOWN_B])):
        codes = set(Region.objects.values_list("code", flat=True))
    assert DISTRICT in codes and TOWN_B in codes and TOWN_A not in codes


def test_scope_roots_are_minimal():
    scope = Scope.of([DISTRICT, TOWN_A, "500107001000"])
    assert scope.region_codes == frozenset({DISTRICT, "500107001000"})
    assert scope.contains(TOWN_A) and not scope.contains("500108001000") and not scope.contains(None)


def test_empty_scope_sees_nothing_without_raising(world):
    with activate(Scope()):
        assert ServiceNode.objects.count() == 0
