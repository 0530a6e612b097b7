import pytest

from shegong.core.regioncodes import (
    Level,
    RegionCodeError,
    ancestors_of,
    in_subtree,
    level_of,
    normalise,
    parent_code_of,
    subtree_bounds,
    township_kind,
    village_kind,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50", "500000000000"),
        ("5001", "500100000000"),
        ("500103", "500103000000"),
        ("500103001", "500103001000"),
        ("500103001001", "500103001001"),
        (" 500103 ", "500103000000"),
        ("５００１０３", "500103000000"),
        (500103001001, "500103001001"),
        (500103.0, "500103000000"),
    ],
)
def test_normalise_accepts_every_significant_length(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", None, "5", "50010", "5001030010011", "50a103", "00", 500103.5, "-50103"])
def test_normalise_rejects_malformed_codes(raw):
    with pytest.raises(RegionCodeError):
        normalise(raw)


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("500000000000", Level.PROVINCE),
        ("500100000000", Level.CITY),
        ("500103000000", Level.COUNTY),
        ("500103001000", Level.TOWNSHIP),
        ("500103001001", Level.VILLAGE),
    ],
)
def test_level_is_read_from_trailing_zeros(code, level):
    assert level_of(code) == level


def test_parent_and_ancestors():
    assert parent_code_of("500103001001") == "500103001000"
    assert parent_code_of("500103001000") == "500103000000"
    assert parent_code_of("500000000000") is None
    assert ancestors_of("500103001001") == ["500000000000", "500100000000", "500103000000", "500103001000"]


def test_subtree_bounds_are_a_range_covering_exactly_the_subtree():
    low, high = subtree_bounds("500103001000")
    assert (low, high) == ("500103001000", "500103001999")
    assert low <= "500103001234" <= high
    assert not (low <= "500103002001" <= high)
    assert in_subtree("500103001234", "500103001000")
    assert not in_subtree("500103002001", "500103001000")
    assert in_subtree("500103002001", "500000000000")


def test_township_and_village_kinds_follow_the_code_ranges():
    assert township_kind("500103001000") == "street"
    assert township_kind("500103100000") == "town"
    assert township_kind("500103200000") == "township"
    assert village_kind("500103001001") == "community"
    assert village_kind("500103001200") == "village"
