"""The shapes of the national division files: cities without counties, a county without townships, --under,
and a whole-country villages file streaming through in bounded memory."""

import csv
import tracemalloc
from pathlib import Path

import pytest

from shegong.regions import loader
from shegong.regions.loader import RegionLoadError, load_regions
from shegong.regions.models import Region

STREETS_HEADER = ["code", "name", "areaCode", "provinceCode", "cityCode"]  # the popular files' column order
VILLAGES_HEADER = ["code", "name", "streetCode", "areaCode", "provinceCode", "cityCode"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def national_files(tmp_path: Path, *, extra: dict[str, list[list[str]]] | None = None) -> list[Path]:
    """广东 (an ordinary city, 东莞 and 中山), 海南 (儋州), 甘肃 (嘉峪关), 福建 (泉州 with 金门) and 重庆."""
    extra = extra or {}
    rows = {
        "provinces": [
            ["44", "广东省"],
            ["46", "海南省"],
            ["62", "甘肃省"],
            ["35", "福建省"],
            ["50", "重庆市"],
        ],
        "cities": [
            ["4401", "广州市", "44"],
            ["4419", "东莞市", "44"],
            ["4420", "中山市", "44"],
            ["4604", "儋州市", "46"],
            ["6202", "嘉峪关市", "62"],
            ["3505", "泉州市", "35"],
            ["5001", "市辖区", "50"],
        ],
        "areas": [
            ["440103", "荔湾区", "4401", "44"],
            ["441900", "东莞市", "4419", "44"],  # placeholder: the city's own code
            ["442000", "中山市", "4420", "44"],
            ["460400", "儋州市", "4604", "46"],
            ["620200", "嘉峪关市", "6202", "62"],
            ["350502", "鲤城区", "3505", "35"],
            ["500103", "渝中区", "5001", "50"],
        ],
        "streets": [
            ["440103001", "沙面街道", "440103", "44", "4401"],
            ["441900003", "东城街道", "441900", "44", "4419"],  # names the city as its county
            ["441900101", "石龙镇", "441900", "44", "4419"],
            ["442000001", "石岐街道", "442000", "44", "4420"],
            ["460400100", "那大镇", "460400", "46", "4604"],
            ["620201001", "雄关街道", "620201", "62", "6202"],  # names a county that exists nowhere
            ["620201100", "新城镇", "620201", "62", "6202"],
            ["350502001", "海滨街道", "350502", "35", "3505"],
            [
                "350527000",
                "金门县",
                "350527",
                "35",
                "3505",
            ],  # a county without townships, as its own township
            ["500103001", "七星岗街道", "500103", "50", "5001"],
        ],
        "villages": [
            ["440103001001", "沙面社区居委会", "440103001", "440103", "44", "4401"],
            ["441900003001", "东城社区居委会", "441900003", "441900", "44", "4419"],
            ["441900101201", "西湖村委会", "441900101", "441900", "44", "4419"],
            ["442000001001", "孙文社区居委会", "442000001", "442000", "44", "4420"],
            ["460400100201", "那大村委会", "460400100", "460400", "46", "4604"],
            ["620201001001", "雄关社区居委会", "620201001", "620201", "62", "6202"],
            ["350502001001", "海滨社区居委会", "350502001", "350502", "35", "3505"],
            ["500103001001", "金汤街社区居委会", "500103001", "500103", "50", "5001"],
        ],
    }
    headers = {
        "provinces": ["code", "name"],
        "cities": ["code", "name", "provinceCode"],
        "areas": ["code", "name", "cityCode", "provinceCode"],
        "streets": STREETS_HEADER,
        "villages": VILLAGES_HEADER,
    }
    return [
        write_csv(tmp_path / f"{stem}.csv", headers[stem], rows[stem] + extra.get(stem, [])) for stem in rows
    ]


@pytest.mark.django_db
def test_cities_without_counties_hang_their_townships_on_the_city(tmp_path):
    result = load_regions(national_files(tmp_path))
    # 5 provinces, 7 cities, 3 counties + 金门, 10 townships less 金门, 8 villages; the 4 placeholders are not stored.
    assert result.created == 5 + 7 + 4 + 9 + 8
    for city in ("441900000000", "442000000000", "460400000000", "620200000000"):
        assert Region.objects.get(code=city).level == 2
        assert not Region.objects.filter(level=3, code__startswith=city[:4]).exists()
    dongcheng = Region.objects.get(code="441900003000")
    assert (dongcheng.level, dongcheng.parent_id) == (4, "441900000000")
    assert Region.objects.get(code="460400100000").parent_id == "460400000000"
    # 嘉峪关's townships name county 620201, which is in no file: they hang on the city, and no 620201 appears.
    assert Region.objects.get(code="620201001000").parent_id == "620200000000"
    assert not Region.objects.filter(code="620201000000").exists()
    assert Region.objects.get(code="620201001001").parent_id == "620201001000"
    assert set(Region.objects.filter(parent_id="441900000000").values_list("code", flat=True)) == {
        "441900003000",
        "441900101000",
    }


@pytest.mark.django_db
def test_a_county_listed_in_the_township_file_loads_as_a_county(tmp_path):
    load_regions(national_files(tmp_path))
    jinmen = Region.objects.get(code="350527000000")
    assert (jinmen.name, jinmen.level, jinmen.parent_id) == ("金门县", 3, "350500000000")
    assert not Region.objects.filter(parent_id="350527000000").exists()


@pytest.mark.django_db
def test_a_county_in_both_files_is_one_county_and_a_reload_changes_nothing(tmp_path):
    files = national_files(tmp_path, extra={"areas": [["350527", "金门县", "3505", "35"]]})
    first = load_regions(files)
    assert first.created == 33
    again = load_regions(files)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 33)
    assert Region.objects.count() == 33


@pytest.mark.parametrize(
    ("stem", "row", "fragment"),
    [
        # A township naming as its county a city that has counties of its own.
        ("streets", ["440100001", "某街道", "440100", "44", "4401"], "下设县级区划"),
        # A placeholder for a city that has counties.
        ("areas", ["440100", "广州市", "4401", "44"], "不应有与其同码的县级占位行"),
        # A placeholder for a city that is nowhere.
        ("areas", ["449900", "无此市", "4499", "44"], "对应的地级区划不存在"),
        # A township naming a missing county under an ordinary city: still refused.
        ("streets", ["440199001", "无主街道", "440199", "44", "4401"], "上级区划 440199000000 不存在"),
        # A county-level code in the township file that does not name itself: still the wrong level.
        ("streets", ["350528000", "某县", "3505", "35", "3505"], "只应包含乡级"),
        # A city-level code in the county file that names its province: still the wrong level.
        ("areas", ["441900", "东莞市", "", "44"], "只应包含县级"),
        # A township naming itself.
        ("streets", ["440103002", "自指街道", "440103002", "44", "4401"], "级别不符"),
    ],
)
@pytest.mark.django_db
def test_level_and_parent_rules_stay_strict_for_everything_else(tmp_path, stem, row, fragment):
    files = national_files(tmp_path, extra={stem: [row]})
    with pytest.raises(RegionLoadError) as caught:
        load_regions(files)
    errors = caught.value.errors
    assert len(errors) == 1, errors
    assert errors[0].source == f"{stem}.csv"
    assert fragment in errors[0].message
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_official_layout_handles_the_same_shapes(tmp_path):
    path = write_csv(
        tmp_path / "regions.csv",
        ["code", "name", "parent_code"],
        [
            ["440000000000", "广东省", ""],
            ["441900000000", "东莞市", "440000000000"],
            ["441900000000", "东莞市", "441900000000"],  # placeholder: names itself
            ["441900003000", "东城街道", "441900000000"],
            ["441900003001", "东城社区居委会", "441900003000"],
            ["620000000000", "甘肃省", ""],
            ["620200000000", "嘉峪关市", "620000000000"],
            ["620200000000", "嘉峪关市", "620200000000"],
            ["620201001000", "雄关街道", "620201000000"],
            ["350000000000", "福建省", ""],
            ["350500000000", "泉州市", "350000000000"],
            ["350527000000", "金门县", "350527000000"],  # a county named as its own parent
        ],
    )
    assert load_regions([path]).created == 10
    assert Region.objects.get(code="441900003000").parent_id == "441900000000"
    assert Region.objects.get(code="620201001000").parent_id == "620200000000"
    assert Region.objects.get(code="350527000000").parent_id == "350500000000"
    assert Region.objects.get(code="350527000000").level == 3


@pytest.mark.django_db
def test_official_layout_needs_the_placeholder_for_an_absent_county(tmp_path):
    """Without 嘉峪关's placeholder row, a township under the missing county 620201 is an error as ever."""
    path = write_csv(
        tmp_path / "regions.csv",
        ["code", "name", "parent_code"],
        [
            ["620000000000", "甘肃省", ""],
            ["620200000000", "嘉峪关市", "620000000000"],
            ["620201001000", "雄关街道", "620201000000"],
        ],
    )
    with pytest.raises(RegionLoadError) as caught:
        load_regions([path])
    assert [(e.source, e.line) for e in caught.value.errors] == [("regions.csv", 4)]


@pytest.mark.django_db
def test_under_reads_only_the_subtree_and_ignores_broken_rows_elsewhere(tmp_path):
    broken = {
        "streets": [["500103XYZ", "坏代码", "500103", "50", "5001"]],
        "villages": [
            ["500103001002", "", "500103001", "500103", "50", "5001"],  # empty name
            ["", "无代码", "500107009", "500107", "50", "5001"],  # no code: placed by its parent
        ],
    }
    files = national_files(tmp_path, extra=broken)
    with pytest.raises(RegionLoadError) as caught:
        load_regions(files)
    assert {(e.source, e.line) for e in caught.value.errors} == {
        ("streets.csv", 12),
        ("villages.csv", 10),
        ("villages.csv", 11),
    }
    assert Region.objects.count() == 0

    result = load_regions(files, under="44")
    assert result.created == 1 + 3 + 1 + 4 + 4  # 广东, 3 cities, 荔湾, 4 townships, 4 villages
    assert not Region.objects.exclude(code__startswith="44").exists()
    assert Region.objects.get(code="441900003000").parent_id == "441900000000"


@pytest.mark.django_db
def test_under_still_refuses_a_broken_row_inside_the_subtree(tmp_path):
    files = national_files(tmp_path, extra={"villages": [["4419000030X1", "坏代码", "441900003"]]})
    with pytest.raises(RegionLoadError) as caught:
        load_regions(files, under="44")
    assert [(e.source, e.line) for e in caught.value.errors] == [("villages.csv", 10)]
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_a_village_read_twice_is_harmless_with_one_name_and_an_error_with_two(tmp_path):
    same = ["441900003001", "东城社区居委会", "441900003", "441900", "44", "4419"]
    assert load_regions(national_files(tmp_path, extra={"villages": [same]})).created == 33
    for level in range(5, 0, -1):
        Region.objects.filter(level=level).delete()
    other = ["441900003001", "另一个名字", "441900003", "441900", "44", "4419"]
    with pytest.raises(RegionLoadError) as caught:
        load_regions(national_files(tmp_path, extra={"villages": [other]}))
    (error,) = caught.value.errors
    assert (error.source, error.line) == ("villages.csv", 10)
    assert "villages.csv 第 3 行" in error.message


@pytest.mark.django_db
def test_a_bad_row_after_many_written_batches_leaves_nothing(tmp_path, monkeypatch):
    from shegong.regions.synthetic import write_province

    monkeypatch.setattr(loader, "BATCH_SIZE", 7)
    files = write_province(
        tmp_path, cities=2, counties_per_city=2, townships_per_county=3, villages_per_township=5
    )
    with files[-1].open("a", encoding="utf-8") as handle:
        handle.write("990101001X01,坏代码,990101001,990101,9901,99\n")
    with pytest.raises(RegionLoadError) as caught:
        load_regions(files)
    assert [(e.source, e.line) for e in caught.value.errors] == [("villages.csv", 62)]
    assert Region.objects.count() == 0
    assert load_regions(files[:-1]).created == 1 + 2 + 4 + 12


@pytest.mark.django_db
def test_villages_stream_in_bounded_memory(tmp_path):
    """Peak Python memory does not grow with the villages file: 6,000 and 30,000 villages peak alike (one batch)."""
    from shegong.regions.synthetic import write_province

    peaks = []
    for villages in (100, 500):
        directory = tmp_path / str(villages)
        files = write_province(
            directory, cities=2, counties_per_city=5, townships_per_county=6, villages_per_township=villages
        )
        tracemalloc.start()
        result = load_regions(files, dry_run=True)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert result.created == 1 + 2 + 10 + 60 + 60 * villages
    assert peaks[1] < 8 * 2**20, peaks  # under 8 MiB for 30,000 villages
    assert peaks[1] < peaks[0] * 1.25, peaks
