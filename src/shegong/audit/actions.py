"""What an audit entry's action and object type mean in words, for the audit admin's list, filters and export.

Entries store stable codes (``login.success``, ``recipients.recipient``); they are put into words when shown, in
the reader's language. Every code written anywhere in the code base is registered here (a test greps for them);
a code that is not — an entry from an older or newer version — still reads, from the words of its parts.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

ACTIONS: dict[str, str] = {
    # accounts and sign-in
    "login.success": N_("登录"),
    "login.failure": N_("登录失败"),
    "login.locked": N_("登录被锁定"),
    "login.second_factor": N_("通过两步验证"),
    "login.second_factor_failure": N_("两步验证失败"),
    "logout": N_("退出登录"),
    "password.change": N_("修改密码"),
    "token.create": N_("创建 API 令牌"),
    "token.revoke": N_("吊销 API 令牌"),
    "totp.enable": N_("启用两步验证"),
    "totp.replace": N_("更换两步验证设备"),
    "user.create": N_("创建账号"),
    "user.activate": N_("启用账号"),
    "user.deactivate": N_("停用账号"),
    "user.password_reset": N_("重置密码"),
    "user.unlock": N_("解除锁定"),
    "user.factor_reset": N_("重置两步验证"),
    "user.role.add": N_("授予角色"),
    "user.role.remove": N_("撤销角色"),
    # exports, reveals and the identity check
    "export": N_("导出"),
    "export.request": N_("申请导出完整信息"),
    "export.approve": N_("批准导出完整信息"),
    "export.queue": N_("提交后台导出"),
    "export.download": N_("下载后台导出文件"),
    "reveal": N_("查看完整信息"),
    "identity.duplicate_refused": N_("证件号重复被拒"),
    "identity.check_throttled": N_("证件号查重过于频繁被拒"),
    # registries
    "network.node.create": N_("新增服务阵地"),
    "network.node.update": N_("修改服务阵地"),
    "network.node.delete": N_("删除服务阵地"),
    "network.document.add": N_("上传阵地资料"),
    "network.stage.record": N_("记录阵地发展阶段"),
    "network.demonstration.add": N_("命名示范站"),
    "people.supervisor.create": N_("新增督导"),
    "people.supervisor.update": N_("修改督导"),
    "people.supervision.assign": N_("建立督导关系"),
    "people.supervision.end": N_("结束督导关系"),
    "supervision.session.record": N_("记录督导"),
    "supervision.session.confirm": N_("确认督导记录"),
    "supervision.course.create": N_("新增培训课程"),
    "supervision.course.update": N_("修改培训课程"),
    "supervision.course.enrol": N_("培训报名"),
    "supervision.course.attendance": N_("登记培训出勤"),
    "supervision.question.create": N_("新增问题资源"),
    "supervision.question.answer": N_("解答问题资源"),
    "supervision.expert.create": N_("新增专家"),
    "supervision.project.create": N_("新增项目资源"),
    "orgs.organisation.create": N_("新增社会组织"),
    "orgs.organisation.update": N_("修改社会组织"),
    "orgs.organisation.import": N_("导入社会组织"),
    "people.worker.create": N_("新增社工"),
    "people.worker.update": N_("修改社工"),
    "people.worker.import": N_("导入社工"),
    "people.volunteer.create": N_("新增志愿者"),
    "people.volunteer.update": N_("修改志愿者"),
    "people.volunteer.import": N_("导入志愿者"),
    "people.volunteer.approve": N_("审核志愿者"),
    "people.volunteer.self_register": N_("志愿者自助注册"),
    "people.assignment.create": N_("新增社工岗位"),
    "people.assignment.end": N_("结束社工岗位"),
    "people.departure.notice": N_("登记离职"),
    "people.departure.complete": N_("完成离职"),
    "people.dishonesty.add": N_("记入失信名单"),
    "people.filing.submit": N_("提交备案"),
    "people.filing.confirm": N_("确认备案"),
    "people.team.create": N_("新建志愿服务队"),
    "people.hours.log": N_("登记服务时长"),
    "people.hours.confirm": N_("确认服务时长"),
    "people.hours.reject": N_("退回服务时长"),
    "policy.rules.replace": N_("修改探访规则"),
    "policy.local.update": N_("修改地方政策"),
    "dashboard.read": N_("通过接口读取数据看板"),
    "policy.import_word.add": N_("添加名册同义词"),
    "policy.import_word.delete": N_("删除名册同义词"),
    "policy.rules.reset": N_("恢复默认探访规则"),
    "recipients.create": N_("新增服务对象"),
    "recipients.update": N_("修改服务对象"),
    "recipients.import": N_("导入服务对象"),
    "recipients.event": N_("登记重大变故"),
    "recipients.risk": N_("调整风险等级"),
    "recipients.status": N_("变更服务对象状态"),
    "recipients.category.add": N_("添加对象类别"),
    "recipients.category.create": N_("新建对象类别"),
    "recipients.category.end": N_("结束对象类别"),
    "recipients.household.add": N_("添加家庭成员"),
    "recipients.assessment.add": N_("添加评估"),
    # service work
    "visits.record": N_("记录探访"),
    "sync.device.add": N_("登记离线设备"),
    "sync.conflict.open": N_("离线修改与服务器冲突"),
    "sync.conflict.resolve": N_("处理离线修改冲突"),
    "visits.month.open": N_("生成月度探访任务"),
    "visits.reconcile": N_("核对探访统计"),
    "groups.group.create": N_("新建小组"),
    "groups.group.stage": N_("小组进入下一阶段"),
    "groups.group.schedule": N_("修改小组活动安排"),
    "groups.member.add": N_("添加小组成员"),
    "groups.member.leave": N_("小组成员退出"),
    "groups.session.record": N_("记录小组活动"),
    "activities.record": N_("记录社区活动"),
    "cases.open": N_("个案接案"),
    "cases.decline": N_("不予接案"),
    "cases.link": N_("个案关联服务对象"),
    "cases.assess": N_("个案预估"),
    "cases.plan.save": N_("保存个案服务计划"),
    "cases.plan.submit": N_("提交个案服务计划"),
    "cases.plan.review": N_("复核个案服务计划"),
    "cases.note": N_("记录个案介入"),
    "cases.evaluate": N_("个案目标评估"),
    "cases.closing.request": N_("申请结案"),
    "cases.approve": N_("批准个案审批事项"),
    "cases.reject": N_("退回个案审批事项"),
    "cases.transfer.request": N_("发起个案转移"),
    "cases.transfer.accept": N_("接收个案转移"),
    "cases.transfer.decline": N_("拒绝个案转移"),
    "cases.refer": N_("个案转介"),
    "cases.referral.outcome": N_("登记转介结果"),
    "cases.supervisor.assign": N_("指定社工站督导"),
    # demand intake and dispatch
    "demands.request.submit": N_("居民网上点单"),
    "demands.request.create": N_("受理诉求"),
    "demands.request.dispatch": N_("派单"),
    "demands.request.accept": N_("接单"),
    "demands.request.return": N_("退单"),
    "demands.request.start": N_("开始办理诉求"),
    "demands.request.pause": N_("诉求暂停计时（等待居民）"),
    "demands.request.resume": N_("诉求恢复计时"),
    "demands.request.resolve": N_("办结诉求"),
    "demands.request.rate": N_("评价诉求"),
    "demands.request.cancel": N_("作废诉求"),
    "demands.catalogue.customise": N_("建立本地服务目录"),
    "demands.catalogue.item.create": N_("新增服务事项"),
    "demands.catalogue.item.update": N_("修改服务事项"),
    "demands.policy.update": N_("修改派单时限"),
    "demands.holiday.update": N_("修改节假日"),
    "demands.basis.mark": N_("标记为项目设计依据"),
    "tallies.reconcile": N_("核对统计数"),
    "partitions.detach": N_("分离归档历史月份数据"),
    # oversight: evaluation, the quarterly competition and the subsidy
    "evaluation.framework.create": N_("安装评估指标框架"),
    "evaluation.framework.weights": N_("设定四方评估权重"),
    "evaluation.assessment.create": N_("发起评估"),
    "evaluation.assessment.recompute": N_("重新计算评估得分"),
    "evaluation.assessment.sign": N_("签署评估"),
    "evaluation.score.enter": N_("录入指标评分"),
    "evaluation.survey.invite": N_("生成满意度问卷链接"),
    "evaluation.survey.answer": N_("提交满意度答卷"),
    "evaluation.bulletin.generate": N_("生成季度排名通报"),
    "evaluation.bulletin.publish": N_("发布季度排名通报"),
    "evaluation.bulletin.correct": N_("更正季度排名通报"),
    "evaluation.subsidy.compute": N_("核算运营补贴"),
    "evaluation.subsidy.approve": N_("批准运营补贴"),
    # oversight: purchased service projects
    "projects.project.create": N_("发布购买服务项目"),
    "projects.project.transition": N_("变更项目阶段"),
    "projects.staff.add": N_("添加项目人员"),
    "projects.staff.end": N_("项目人员离开"),
    "projects.filing.submit": N_("报备项目人员"),
    "projects.filing.confirm": N_("确认项目人员备案"),
    "projects.target.set": N_("设定项目指标"),
    "projects.budget.set": N_("设定项目预算"),
    "projects.expenditure.record": N_("登记项目支出"),
    "projects.expenditure.refused": N_("项目支出超预算被拒"),
    "projects.payment.record": N_("登记项目拨款"),
    "projects.clawback.record": N_("登记资金追回"),
    "projects.release.publish": N_("发布三务公开"),
    "projects.release.correct": N_("发布三务公开更正"),
    "projects.document.upload": N_("上传项目文件"),
    "projects.document.download": N_("下载项目文件"),
    "projects.expenditure.approve": N_("机构财务审核项目支出"),
    "projects.expenditure.review": N_("购买方复核项目支出"),
    "projects.expenditure.reject": N_("退回项目支出"),
    "projects.staff.notice": N_("登记项目人员离职通知"),
    "reports.report.generate": N_("生成报告"),
    "reports.report.remarks": N_("填写报告说明"),
    "reports.report.sign": N_("签发报告"),
    "reports.report.correct": N_("发布报告更正版"),
    "reports.report.export": N_("导出报告"),
    # oversight: charity resources
    "charity.fund.create": N_("新设慈善基金"),
    "charity.fund.update": N_("修改慈善基金"),
    "charity.donation.record": N_("登记捐赠"),
    "charity.disbursement.request": N_("申请拨付"),
    "charity.disbursement.approve": N_("批准拨付"),
    "charity.disbursement.reject": N_("驳回拨付"),
    "charity.disbursement.pay": N_("登记已拨付"),
    "charity.disbursement.reverse": N_("冲正拨付"),
    # integrity checks
    "integrity.run": N_("运行诚信检查"),
    "integrity.finding.decide": N_("处理诚信检查发现"),
    "integrity.setting.update": N_("修改诚信检查设置"),
}

# The words of a code's parts, for a code that is not registered.
_AREAS: dict[str, str] = {
    "login": N_("登录"),
    "user": N_("账号"),
    "token": N_("API 令牌"),
    "totp": N_("两步验证"),
    "export": N_("导出"),
    "network": N_("服务阵地"),
    "orgs": N_("社会组织"),
    "people.worker": N_("社工"),
    "people.volunteer": N_("志愿者"),
    "people": N_("社工与志愿者"),
    "policy": N_("探访规则"),
    "recipients": N_("服务对象"),
    "visits": N_("探访"),
    "activities": N_("活动"),
    "projects": N_("购买服务项目"),
    "charity": N_("慈善资源"),
    "groups": N_("小组"),
    "cases": N_("个案"),
    "demands": N_("服务诉求"),
    "integrity": N_("诚信检查"),
}
_VERBS: dict[str, str] = {
    "create": N_("新增"),
    "add": N_("添加"),
    "update": N_("修改"),
    "delete": N_("删除"),
    "remove": N_("移除"),
    "import": N_("导入"),
    "export": N_("导出"),
    "approve": N_("审批"),
    "confirm": N_("确认"),
    "reject": N_("退回"),
    "end": N_("结束"),
}


def action_label(code: str) -> str:
    """The action in words, in the active language; an unregistered code reads from its parts and shows itself."""
    if code in ACTIONS:
        return gettext(ACTIONS[code])
    parts = code.split(".")
    area = next(
        (_AREAS[".".join(parts[:n])] for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in _AREAS), None
    )
    verb = _VERBS.get(parts[-1]) if len(parts) > 1 else None
    if area and verb:
        # Translators: an unregistered audit action from its parts, e.g. "新增" + "服务对象" (verb, then thing).
        return gettext("%(verb)s%(thing)s（%(code)s）") % {
            "verb": gettext(verb),
            "thing": gettext(area),
            "code": code,
        }
    if area:
        return gettext("%(thing)s的其他操作（%(code)s）") % {"thing": gettext(area), "code": code}
    return gettext("其他操作（%(code)s）") % {"code": code}


def action_choices() -> list[tuple[str, str]]:
    """(code, words) of every registered action, for the filter's select list, in registry order."""
    return [(code, gettext(label)) for code, label in ACTIONS.items()]


def codes_matching(text: str) -> list[str]:
    """The registered codes whose words (in the active language or in Chinese) contain ``text``."""
    needle = text.strip().casefold()
    if not needle:
        return []
    return [
        code
        for code, label in ACTIONS.items()
        if needle in gettext(label).casefold() or needle in label.casefold()
    ]


def object_label(object_type: str) -> str:
    """An object type (a model's ``app_label.model_name``) as the model's verbose name; otherwise as stored."""
    if not object_type or "." not in object_type:
        return object_type
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


def field_labels(object_type: str, names) -> list[str]:
    """The changed fields' names in words (the model's field verbose names), never their values."""
    model = None
    if object_type and "." in object_type:
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            model = None
    labels = []
    for name in sorted(str(n) for n in names):
        label = _CHANGE_KEYS.get(name)
        if label is not None:
            labels.append(gettext(label))
            continue
        try:
            labels.append(str(model._meta.get_field(name).verbose_name) if model else name)
        except FieldDoesNotExist:  # a key that is no field reads as itself
            labels.append(name)
    return labels


# Keys of the changes that the generic writes (exports, rules, roles) use and that are no model field.
_CHANGE_KEYS: dict[str, str] = {
    "filters": N_("筛选条件"),
    "rows": N_("行数"),
    "revealed": N_("是否含完整信息"),
    "revealed_rows": N_("含完整信息的行数"),
    "export_request": N_("导出申请"),
    "approved_by": N_("审批人"),
    "before": N_("变更前"),
    "after": N_("变更后"),
    "event_hours": N_("重大变故探访时限"),
    "roles": N_("角色"),
}
