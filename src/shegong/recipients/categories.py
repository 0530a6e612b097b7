"""The shipped category dictionary (SPEC §4 [000][003][std]); regions edit it through the categories page."""

# (code, name, group)
DEFAULT_CATEGORIES = [
    ("dibao", "最低生活保障", "社会救助"),
    ("dibao_edge", "低保边缘", "社会救助"),
    ("tekun_central", "特困人员（集中供养）", "社会救助"),
    ("tekun_dispersed", "特困人员（分散供养）", "社会救助"),
    ("temporary_relief", "临时救助", "社会救助"),
    ("elderly_solitary", "困难老人（独居）", "困难老人"),
    ("elderly_empty_nest", "困难老人（空巢）", "困难老人"),
    ("elderly_left_behind", "困难老人（留守）", "困难老人"),
    ("elderly_disabled", "困难老人（失能）", "困难老人"),
    ("elderly_severe_disability", "困难老人（重残）", "困难老人"),
    ("elderly_special_family", "困难老人（计生特殊家庭）", "困难老人"),
    ("severe_disability", "重度残疾人", "残疾人"),
    ("child_in_difficulty", "困境儿童", "儿童"),
    ("child_unsupported", "事实无人抚养儿童", "儿童"),
    ("orphan", "孤儿", "儿童"),
    ("child_left_behind", "留守儿童", "儿童"),
    ("vagrant", "生活无着的流浪乞讨人员", "社会救助"),
    ("other", "其他", "其他"),
]
