"""The demo city's regions: Chongqing's Yuzhong district (500103) as seed 000 describes it — 11 streets and 79
communities — plus Jiulongpo (500107) for contrast."""

from __future__ import annotations

from .models import Region, RegionStandard

CITY = ("500000000000", "重庆市", None)
CITY_DISTRICTS = ("500100000000", "市辖区", "500000000000")
YUZHONG = "500103000000"

# (township digits, name, community names)
YUZHONG_STREETS = [
    ("001", "七星岗街道", ["七星岗", "领事巷", "金汤街", "通远门", "兴隆街", "中山一路", "和平路", "双钢路"]),
    ("002", "解放碑街道", ["解放碑", "民族路", "五一路", "大井巷", "较场口", "人和街", "青年路"]),
    ("003", "两路口街道", ["两路口", "桂花园", "中山三路", "山城巷", "燕喜洞", "鹅岭", "枇杷山"]),
    (
        "004",
        "上清寺街道",
        ["上清寺", "美专校街", "学田湾", "嘉陵桥东", "牛角沱", "中山四路", "春森路", "王家坡"],
    ),
    ("005", "菜园坝街道", ["菜园坝", "燕子岩", "石板坡", "新民街", "回水沟", "铁路村"]),
    ("006", "南纪门街道", ["南纪门", "凯旋路", "储奇门", "解放西路", "守备街", "花街子", "厚慈街"]),
    ("008", "朝天门街道", ["朝天门", "东水门", "望龙门", "陕西路", "白象街", "新华路"]),
    ("009", "大溪沟街道", ["大溪沟", "人民路", "双溪沟", "黄花园", "马鞍山", "张家花园"]),
    (
        "010",
        "大坪街道",
        ["大坪正街", "大黄路", "袁家岗", "虎头岩", "肖家湾", "马家堡", "黄杨村", "浮图关", "大坪北"],
    ),
    (
        "011",
        "化龙桥街道",
        ["化龙桥", "李子坝", "红岩村", "佛图关", "虎头岩北", "嘉陵新村", "重庆村", "鹅岭正街"],
    ),
    ("012", "石油路街道", ["石油路", "大坪东", "渝州路", "龙湖", "万科", "时代天街", "石油村"]),
]
HUB_STREETS = ["002", "004", "010", "011"]

JIULONGPO = "500107000000"
JIULONGPO_STREETS = [
    ("001", "杨家坪街道", ["杨家坪", "西郊", "兴胜路", "团结路"]),
    ("002", "黄桷坪街道", ["黄桷坪", "正街", "铁路三村"]),
    ("003", "谢家湾街道", ["谢家湾", "鹤兴路", "华岩村"]),
    ("004", "石坪桥街道", ["石坪桥", "横街", "兴隆"]),
    ("005", "石桥铺街道", ["石桥铺", "科园", "高新"]),
]


def _region(code: str, name: str, level: int, parent: str | None) -> Region:
    region, _ = Region.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent_id": parent}
    )
    return region


def _district(code: str, name: str, streets) -> list[tuple[Region, list[Region]]]:
    district = _region(code, name, 3, CITY_DISTRICTS[0])
    tree = []
    for digits, street_name, communities in streets:
        street = _region(code[:6] + digits + "000", street_name, 4, district.code)
        villages = [
            _region(street.code[:9] + f"{i:03d}", f"{c}社区", 5, street.code)
            for i, c in enumerate(communities, start=1)
        ]
        tree.append((street, villages))
    return tree


def load(ctx) -> None:
    _region(*CITY[:2], 1, None)
    _region(CITY_DISTRICTS[0], CITY_DISTRICTS[1], 2, CITY[0])
    ctx.region_tree = {
        YUZHONG: _district(YUZHONG, "渝中区", YUZHONG_STREETS),
        JIULONGPO: _district(JIULONGPO, "九龙坡区", JIULONGPO_STREETS),
    }
    ctx.district = Region.objects.get(code=YUZHONG)
    ctx.villages = [village for _, villages in ctx.region_tree[YUZHONG] for village in villages]
    RegionStandard.objects.get_or_create(region=ctx.district, defaults={"station_min_fulltime": 2})
