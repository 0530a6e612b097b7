"""The two frameworks shipped as editable templates (data, loaded by ``services.framework_install``).

Each indicator: (code, name, max points, rule, metric, curve, evidence, theme). Curves: ``L(low, high)`` linear,
``T((value, share), …)`` thresholds. Themes place an indicator in the quarterly competition's four themes
(蓝图 blueprint, 能力 capability, 进度 progress, 成果 results).

**SPPE** (Haining, seed 003): 23 indicators over Standard, Professional, Planning and Effect, written from the
seeds' rules — site standards and signage, staff numbers and certificates, filing within the deadline, supervision,
the project plan and its pace, the visit rate, satisfaction. **Station 1,000** (Fujian station standard): six
modules 基础建设, 制度建设, 运营投入, 运营管理, 服务提供, 运营绩效, 1,000 points in all.
"""

from __future__ import annotations


def L(low, high):
    return {"kind": "linear", "low": low, "high": high}


def T(*steps):
    return {"kind": "thresholds", "steps": [list(s) for s in steps]}


C, E, S = "computed", "entered", "survey"
B, CAP, P, R = "blueprint", "capability", "progress", "results"

SPPE = {
    "code": "SPPE",
    "name": "海宁式 SPPE 评估指标（标准·专业·计划·成效）",
    "subject": "station",
    "party_weights": {"self": 10, "third_party": 40, "buyer": 30, "users": 20},
    "dimensions": [
        (
            "S",
            "标准（Standard）",
            [
                ("S1", "站点场地面积与功能室达标", 4, E, "", {}, "场地照片、平面图", B),
                ("S2", "统一挂牌与标识规范", 3, E, "", {}, "挂牌照片", B),
                ("S3", "专职社工人数达到本地标准", 5, E, "", {}, "人员名册、劳动合同", CAP),
                ("S4", "持证社工占比", 5, E, "", {}, "职业资格证书", CAP),
                ("S5", "岗位人员7日内完成备案", 4, E, "", {}, "备案记录", CAP),
                ("S6", "制度上墙与台账规范", 3, E, "", {}, "制度文本、台账", B),
            ],
        ),
        (
            "P1",
            "专业（Professional）",
            [
                ("P1-1", "个案结案数", 5, C, "cases.closed", L(0, 12), "个案档案", R),
                ("P1-2", "小组活动节数", 4, C, "groups.sessions", L(0, 12), "小组记录", R),
                ("P1-3", "社区活动场次", 4, C, "activities.held", L(0, 9), "活动记录与照片", R),
                ("P1-4", "督导次数", 4, C, "supervision.sessions", L(0, 6), "督导记录", CAP),
                ("P1-5", "志愿服务时长", 2, C, "volunteers.hours", L(0, 300), "志愿时长记录", R),
                ("P1-6", "专业方法运用与文书质量", 5, E, "", {}, "抽查文书", CAP),
            ],
        ),
        (
            "P2",
            "计划（Planning）",
            [
                ("P2-1", "年度服务计划书完备", 4, E, "", {}, "计划书", B),
                ("P2-2", "需求调研与需求清单", 4, E, "", {}, "需求调研报告", B),
                ("P2-3", "按计划推进（指标完成进度）", 5, C, "projects.pace", L(50, 100), "项目指标台账", P),
                ("P2-4", "预算执行率", 3, C, "projects.spend_share", L(40, 90), "支出凭证", P),
                ("P2-5", "三务公开按月发布", 3, E, "", {}, "公开页面", P),
            ],
        ),
        (
            "E",
            "成效（Effect）",
            [
                (
                    "E1",
                    "困难群众探访完成率",
                    8,
                    C,
                    "visits.rate",
                    T((60, "0.4"), (80, "0.7"), (95, "1")),
                    "探访记录",
                    R,
                ),
                ("E2", "服务人数", 5, C, "served.people", L(0, 200), "服务记录", R),
                ("E3", "需求办结率", 5, C, "demands.completion_rate", L(50, 100), "需求台账", R),
                ("E4", "服务对象满意度（电话、问卷、座谈）", 8, S, "", {}, "满意度调查", R),
                ("E5", "购买方评价", 4, E, "", {}, "购买方意见", R),
                ("E6", "宣传报道与典型案例", 3, E, "", {}, "报道链接", R),
            ],
        ),
    ],
}

STATION_1000 = {
    "code": "STATION1000",
    "name": "社工站千分制评估指标",
    "subject": "station",
    "party_weights": {"self": 10, "third_party": 40, "buyer": 30, "users": 20},
    "dimensions": [
        (
            "M1",
            "基础建设",
            [
                ("M1-1", "场地面积与功能分区", 60, E, "", {}, "平面图、照片", B),
                ("M1-2", "统一标识与挂牌", 30, E, "", {}, "照片", B),
                ("M1-3", "设施设备配置", 40, E, "", {}, "设备清单", B),
                ("M1-4", "信息化与台账系统使用", 10, E, "", {}, "系统记录", B),
            ],
        ),
        (
            "M2",
            "制度建设",
            [
                ("M2-1", "工作制度与服务流程", 50, E, "", {}, "制度文本", B),
                ("M2-2", "档案管理（一人一案）", 50, E, "", {}, "档案抽查", CAP),
                ("M2-3", "安全与保密制度", 30, E, "", {}, "制度文本", B),
                ("M2-4", "信息公开", 20, E, "", {}, "公开页面", P),
            ],
        ),
        (
            "M3",
            "运营投入",
            [
                ("M3-1", "专职社工配备", 60, E, "", {}, "人员名册", CAP),
                ("M3-2", "持证社工占比", 40, E, "", {}, "证书", CAP),
                ("M3-3", "资金到位与预算执行", 50, C, "projects.spend_share", L(40, 90), "支出凭证", P),
            ],
        ),
        (
            "M4",
            "运营管理",
            [
                ("M4-1", "督导与培训", 40, C, "supervision.sessions", L(0, 6), "督导记录", CAP),
                ("M4-2", "人员备案与稳定", 40, E, "", {}, "备案记录", CAP),
                ("M4-3", "志愿者队伍与服务时长", 40, C, "volunteers.hours", L(0, 300), "时长记录", CAP),
                ("M4-4", "年度计划与进度", 40, C, "projects.pace", L(50, 100), "计划与台账", P),
            ],
        ),
        (
            "M5",
            "服务提供",
            [
                (
                    "M5-1",
                    "困难群众探访",
                    80,
                    C,
                    "visits.rate",
                    T((60, "0.4"), (80, "0.7"), (95, "1")),
                    "探访记录",
                    R,
                ),
                ("M5-2", "个案服务", 50, C, "cases.closed", L(0, 12), "个案档案", R),
                ("M5-3", "小组服务", 40, C, "groups.sessions", L(0, 12), "小组记录", R),
                ("M5-4", "社区活动", 40, C, "activities.held", L(0, 9), "活动记录", R),
                ("M5-5", "需求回应", 40, C, "demands.completion_rate", L(50, 100), "需求台账", R),
            ],
        ),
        (
            "M6",
            "运营绩效",
            [
                ("M6-1", "服务对象满意度", 60, S, "", {}, "满意度调查", R),
                ("M6-2", "服务覆盖人数", 40, C, "served.people", L(0, 200), "服务记录", R),
                ("M6-3", "品牌与典型案例", 20, E, "", {}, "案例材料", R),
                ("M6-4", "购买方与社区评价", 30, E, "", {}, "评价意见", R),
            ],
        ),
    ],
}

TEMPLATES = {"SPPE": SPPE, "STATION1000": STATION_1000}
