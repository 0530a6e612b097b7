"""The pay ladders shipped as presets (SPEC §3): posts × grades, kept as data so a region can add its own."""

PRESETS = [
    {
        "code": "haining-4-11",
        "name": "海宁“四岗十一级”",
        "source": "海宁市政府购买社工服务项目专职社工薪酬体系（seed 003）",
        "grades": 11,
        "posts": ["项目督导岗", "项目主管岗", "社工岗", "助理社工岗"],
    },
    {
        "code": "jiulongpo-3-21",
        "name": "九龙坡“三岗二十一级”",
        "source": "九龙坡区社区工作者职业体系（seed 001）",
        "grades": 21,
        "posts": ["社区正职岗", "社区副职岗", "社区专职工作者岗"],
    },
]


def install_presets(ladder_model, post_model) -> None:
    for preset in PRESETS:
        ladder, _ = ladder_model.objects.update_or_create(
            code=preset["code"],
            defaults={"name": preset["name"], "source": preset["source"], "grades": preset["grades"]},
        )
        for rank, name in enumerate(preset["posts"], start=1):
            post_model.objects.update_or_create(ladder=ladder, rank=rank, defaults={"name": name})
