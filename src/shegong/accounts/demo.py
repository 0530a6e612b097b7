"""One demo login per role (the password is ``shegong.core.demo.DEMO_PASSWORD``)."""

from __future__ import annotations

from shegong.core.demo import DEMO_PASSWORD
from shegong.regions.demo import CITY_DISTRICTS, YUZHONG

from .models import RoleAssignment, User

DEMO_USERS = [
    # role, username, display name, region code
    ("official", "minzheng", "渝中区民政局 王科长", YUZHONG),
    ("official", "shiju", "重庆市民政局 李处长", CITY_DISTRICTS[0]),
    ("township", "zhanzhang", "解放碑街道社工站 陈站长", "500103002000"),
    ("operator", "jigou", "渝中区社会工作服务中心 刘主任", YUZHONG),
    ("worker", "shegong", "解放碑街道社工 张晓", "500103002000"),
    ("supervisor", "dudao", "督导 周老师", YUZHONG),
    ("evaluator", "pinggu", "第三方评估 吴老师", YUZHONG),
    ("volunteer", "zhiyuanzhe", "志愿者 赵敏", "500103002000"),
    ("security_admin", "anquan", "安全管理员", YUZHONG),
    ("audit_admin", "shenji", "审计管理员", YUZHONG),
    ("system_admin", "xitong", "系统管理员", YUZHONG),
]


def load(ctx) -> None:
    for role, username, display, region in DEMO_USERS:
        user = User(username=username, display_name=display, must_change_password=False)
        user.set_password(DEMO_PASSWORD)
        user.save()
        # The operator's organisation is bound by the orgs demo, which creates it.
        RoleAssignment.objects.create(user=user, role=role, region_id=region)
    ctx.logins = {role: (username, display) for role, username, display, _region in DEMO_USERS}
