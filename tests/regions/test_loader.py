import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shegong.regions.loader import RegionLoadError, load_regions
from shegong.regions.models import Region


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def per_level_files(tmp_path: Path) -> list[Path]:
    return [
        write_csv(tmp_path / "provinces.csv", ["code", "name"], [["50", "重庆市"]]),
        write_csv(tmp_path / "cities.csv", ["code", "name", "provinceCode"], [["5001", "市辖区", "50"]]),
        write_csv(
            tmp_path / "areas.csv",
            ["code", "name", "cityCode", "provinceCode"],
            [["500103", "渝中区", "5001", "50"], ["500107", "九龙坡区", "5001", "50"]],
        ),
        write_csv(
            tmp_path / "streets.csv",
            ["code", "name", "areaCode", "cityCode", "provinceCode"],
            [
                ["500103001", "七星岗街道", "500103", "5001", "50"],
                ["500103002", "解放碑街道", "500103", "5001", "50"],
                ["500107001", "杨家坪街道", "500107", "5001", "50"],
            ],
        ),
        write_csv(
            tmp_path / "villages.csv",
            ["code", "name", "streetCode", "areaCode", "cityCode", "provinceCode"],
            [
                ["500103001001", "金汤街社区居委会", "500103001", "500103", "5001", "50"],
                ["500103001002", "领事巷社区居委会", "500103001", "500103", "5001", "50"],
                ["500103002001", "民族路社区居委会", "500103002", "500103", "5001", "50"],
                ["500107001201", "西郊村委会", "500107001", "500107", "5001", "50"],
            ],
        ),
    ]


@pytest.mark.django_db
def test_per_level_files_load_with_parents_and_levels(tmp_path):
    result = load_regions(per_level_files(tmp_path))
    assert result.created == 11
    village = Region.objects.get(code="500103001002")
    assert village.parent_id == "500103001000"
    assert village.level == 5
    assert Region.objects.filter(parent_id="500103001000").count() == 2
    assert Region.objects.get(code="500100000000").parent_id == "500000000000"


@pytest.mark.django_db
def test_reload_updates_names_and_never_duplicates(tmp_path):
    files = per_level_files(tmp_path)
    load_regions(files)
    write_csv(
        tmp_path / "areas.csv",
        ["code", "name", "cityCode", "provinceCode"],
        [["500103", "渝中区（新）", "5001", "50"], ["500107", "九龙坡区", "5001", "50"]],
    )
    result = load_regions(files)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 10)
    assert Region.objects.count() == 11
    assert Region.objects.get(code="500103000000").name == "渝中区（新）"


@pytest.mark.django_db
def test_official_layout_any_level(tmp_path):
    path = write_csv(
        tmp_path / "regions.csv",
        ["code", "name", "parent_code"],
        [
            ["500000000000", "重庆市", ""],
            ["500100000000", "市辖区", "500000000000"],
            ["500103000000", "渝中区", "500100000000"],
            ["500103001000", "七星岗街道", "500103000000"],
        ],
    )
    assert load_regions([path]).created == 4


@pytest.mark.django_db
def test_one_bad_row_changes_nothing_and_every_bad_row_is_named(tmp_path):
    files = per_level_files(tmp_path)
    write_csv(
        tmp_path / "villages.csv",
        ["code", "name", "streetCode"],
        [
            ["500103001001", "金汤街社区居委会", "500103001"],
            ["5001030010X2", "坏代码", "500103001"],  # line 3: bad code
            ["500103009001", "无主社区", "500103009"],  # line 4: unknown parent
            ["500103001003", "错级社区", "500103"],  # line 5: wrong level parent
            ["500103002002", "挂错街道", "500103001"],  # line 6: code not under its parent
        ],
    )
    with pytest.raises(RegionLoadError) as caught:
        load_regions(files)
    lines = {(e.source, e.line) for e in caught.value.errors}
    assert lines == {("villages.csv", 3), ("villages.csv", 4), ("villages.csv", 5), ("villages.csv", 6)}
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_file_of_the_wrong_level_is_refused(tmp_path):
    path = write_csv(tmp_path / "streets.csv", ["code", "name", "areaCode"], [["500103", "渝中区", "5001"]])
    with pytest.raises(RegionLoadError) as caught:
        load_regions([path])
    assert caught.value.errors[0].line == 2


@pytest.mark.django_db
def test_under_loads_one_subtree_only(tmp_path):
    files = per_level_files(tmp_path)
    load_regions(files[:3])  # provinces, cities, areas
    result = load_regions(files, under="500103")
    assert result.created == 5  # 500103 is already there; its 2 streets + 3 villages are new
    assert not Region.objects.filter(code__startswith="500107001").exists()


@pytest.mark.django_db
def test_command_reports_bad_rows_and_exits_nonzero(tmp_path, capsys):
    path = write_csv(
        tmp_path / "regions.csv",
        ["code", "name", "parent_code"],
        [["500000000000", "重庆市", ""], ["500100000000", "市辖区", "510000000000"]],
    )
    with pytest.raises(CommandError):
        call_command("regions", "load", str(path))
    assert "regions.csv:3" in capsys.readouterr().err
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_gb18030_files_are_read(tmp_path):
    path = tmp_path / "provinces.csv"
    path.write_bytes("code,name\n50,重庆市\n".encode("gb18030"))
    load_regions([path])
    assert Region.objects.get(code="500000000000").name == "重庆市"


@pytest.mark.django_db
def test_province_scale_load_gives_right_child_counts(tmp_path):
    """1 province, 10 cities, 100 counties, 1,000 townships, 10,000 villages: every count checks out."""
    from collections import Counter

    from django.db.models import Count

    from shegong.regions.synthetic import write_province

    files = write_province(
        tmp_path, cities=10, counties_per_city=10, townships_per_county=10, villages_per_township=10
    )
    result = load_regions(files)
    assert result.created == 1 + 10 + 100 + 1000 + 10000
    counts = Counter(
        Region.objects.filter(parent__isnull=False)
        .values("parent_id")
        .annotate(n=Count("code"))
        .values_list("n", flat=True)
    )
    assert counts == {10: 1 + 10 + 100 + 1000}
