"""A synthetic province in the per-level CSV layout, for load tests and benchmarks."""

from __future__ import annotations

import csv
from pathlib import Path


def write_province(
    directory: Path,
    *,
    province: str = "99",
    cities: int = 10,
    counties_per_city: int = 10,
    townships_per_county: int = 10,
    villages_per_township: int = 10,
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "provinces": (["code", "name"], []),
        "cities": (["code", "name", "provinceCode"], []),
        "areas": (["code", "name", "cityCode", "provinceCode"], []),
        "streets": (["code", "name", "areaCode", "cityCode", "provinceCode"], []),
        "villages": (["code", "name", "streetCode", "areaCode", "cityCode", "provinceCode"], []),
    }
    files["provinces"][1].append([province, f"测试省{province}"])
    for c in range(1, cities + 1):
        city = f"{province}{c:02d}"
        files["cities"][1].append([city, f"第{c}市", province])
        for d in range(1, counties_per_city + 1):
            county = f"{city}{d:02d}"
            files["areas"][1].append([county, f"第{c}-{d}县", city, province])
            for t in range(1, townships_per_county + 1):
                township = f"{county}{t:03d}"
                files["streets"][1].append([township, f"第{c}-{d}-{t}街道", county, city, province])
                for v in range(1, villages_per_township + 1):
                    village = f"{township}{v:03d}"
                    files["villages"][1].append([village, f"第{v}社区", township, county, city, province])
    paths = []
    for stem, (header, rows) in files.items():
        path = directory / f"{stem}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        paths.append(path)
    return paths
