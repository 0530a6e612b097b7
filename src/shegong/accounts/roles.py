"""Roles and the permission matrix (SPEC §1). docs/roles.md documents the same table; a test keeps them equal."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICIAL = "official", _("民政部门")
    TOWNSHIP = "township", _("乡镇（街道）/站长")
    OPERATOR = "operator", _("运营机构负责人")
    WORKER = "worker", _("社工")
    SUPERVISOR = "supervisor", _("督导")
    EVALUATOR = "evaluator", _("评估人员")
    VOLUNTEER = "volunteer", _("志愿者")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


R = Role
BUSINESS_ROLES = frozenset(
    {R.OFFICIAL, R.TOWNSHIP, R.OPERATOR, R.WORKER, R.SUPERVISOR, R.EVALUATOR, R.VOLUNTEER}
)
# Inside its region a relationship-bound role sees only the rows related to it (docs/roles.md, "Access by
# relationship"); the region-wide roles see every row of their subtree.
RELATIONSHIP_ROLES = frozenset({R.OPERATOR, R.SUPERVISOR, R.EVALUATOR, R.VOLUNTEER})
REGION_WIDE_ROLES = BUSINESS_ROLES - RELATIONSHIP_ROLES
STAFF_ROLES = frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR, R.WORKER, R.SUPERVISOR})
# The three separated administrators (三权分立) see no business data.
ADMIN_ROLES = frozenset({R.SECURITY_ADMIN, R.AUDIT_ADMIN, R.SYSTEM_ADMIN})
TOTP_REQUIRED_ROLES = frozenset({R.SECURITY_ADMIN, R.AUDIT_ADMIN})

# Which roles a holder of a role may grant (and take away). The security admin grants business roles only; the
# administrators themselves are appointed by the deployment (`shegong users create`), never by one another, so
# no administrator can widen its own powers or another's. An administrator's account never holds a business role.
GRANTABLE_BY: dict[str, frozenset[str]] = {R.SECURITY_ADMIN: BUSINESS_ROLES}


def grantable_roles(roles) -> frozenset[str]:
    return frozenset().union(*(GRANTABLE_BY.get(role, frozenset()) for role in roles))


# permission -> roles that hold it, within the region subtree of the assignment.
PERMISSIONS: dict[str, frozenset[str]] = {
    "regions.view": BUSINESS_ROLES,
    "regions.load": frozenset({R.SYSTEM_ADMIN}),
    "network.view": BUSINESS_ROLES - {R.VOLUNTEER},
    "network.change": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "dashboard.view": STAFF_ROLES | {R.EVALUATOR},
    "recipients.view": STAFF_ROLES,
    "recipients.change": frozenset({R.TOWNSHIP, R.OPERATOR, R.WORKER}),
    "recipients.reveal": frozenset({R.OFFICIAL, R.TOWNSHIP, R.WORKER}),
    "recipients.import": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR}),
    "recipients.export": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR}),
    "policy.change": frozenset({R.OFFICIAL}),
    "visits.record": frozenset({R.WORKER, R.TOWNSHIP, R.OPERATOR}),
    "cases.view": STAFF_ROLES,
    "cases.change": frozenset({R.WORKER, R.TOWNSHIP}),
    "cases.approve": frozenset({R.SUPERVISOR, R.TOWNSHIP}),
    "cases.reveal": frozenset({R.OFFICIAL, R.TOWNSHIP, R.WORKER}),
    "cases.export": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR}),
    # Pick between a device's offline edit and the server's value (core.sync conflicts); a worker resolves its own.
    "sync.resolve": frozenset({R.TOWNSHIP}),
    "people.view": STAFF_ROLES,
    "people.change": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR}),
    "people.reveal": frozenset({R.OFFICIAL, R.OPERATOR}),
    "people.import": frozenset({R.OFFICIAL, R.OPERATOR}),
    "filing.submit": frozenset({R.OPERATOR, R.TOWNSHIP}),
    "filing.confirm": frozenset({R.OFFICIAL}),
    "dishonesty.change": frozenset({R.OFFICIAL}),
    "volunteers.view": STAFF_ROLES,
    "volunteers.change": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR, R.WORKER}),
    "hours.log": frozenset({R.VOLUNTEER}),
    "hours.confirm": frozenset({R.WORKER, R.TOWNSHIP}),
    "projects.view": STAFF_ROLES,
    "projects.change": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "projects.approve": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "projects.submit": frozenset({R.OPERATOR}),
    "projects.staff": frozenset({R.OPERATOR}),
    "projects.spend": frozenset({R.OPERATOR}),
    # The operator's finance (机构财务) approves an expenditure someone else in the organisation recorded.
    "projects.finance": frozenset({R.OPERATOR}),
    "projects.documents": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR}),
    "projects.clawback": frozenset({R.OFFICIAL}),
    "projects.disclose": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "groups.view": STAFF_ROLES,
    "groups.change": frozenset({R.TOWNSHIP, R.OPERATOR, R.WORKER}),
    "activities.view": STAFF_ROLES,
    "activities.record": frozenset({R.TOWNSHIP, R.OPERATOR, R.WORKER}),
    "demands.view": STAFF_ROLES | {R.VOLUNTEER},
    "demands.report": STAFF_ROLES | {R.VOLUNTEER},
    "demands.dispatch": frozenset({R.TOWNSHIP, R.WORKER}),
    "demands.handle": frozenset({R.TOWNSHIP, R.WORKER, R.OPERATOR}),
    "demands.catalogue": frozenset({R.OFFICIAL}),
    "demands.export": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "supervisors.view": STAFF_ROLES,
    "supervisors.change": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR}),
    "supervision.view": STAFF_ROLES,
    "supervision.record": frozenset({R.SUPERVISOR}),
    "supervision.confirm": frozenset({R.WORKER}),
    "training.view": STAFF_ROLES,
    "training.change": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "resources.view": STAFF_ROLES,
    "resources.change": frozenset({R.OFFICIAL, R.SUPERVISOR}),
    "evaluation.view": STAFF_ROLES | {R.EVALUATOR},
    # Integrity findings (integrity app): the station head sees its station's, the bureau its district's; both
    # decide them and start a run. Findings are about workers' records, so no relationship-bound role sees them.
    "integrity.view": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "integrity.decide": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "evaluation.manage": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "evaluation.score": frozenset({R.EVALUATOR}),
    "evaluation.self": frozenset({R.OPERATOR}),
    "evaluation.publish": frozenset({R.OFFICIAL}),
    "evaluation.approve": frozenset({R.OFFICIAL}),
    "reports.view": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "reports.submit": frozenset({R.TOWNSHIP}),
    "reports.publish": frozenset({R.OFFICIAL}),
    "orgs.view": STAFF_ROLES | {R.EVALUATOR},
    "orgs.change": frozenset({R.OFFICIAL}),
    "charity.view": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR, R.WORKER}),
    "charity.change": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR}),
    "charity.request": frozenset({R.OFFICIAL, R.TOWNSHIP, R.OPERATOR, R.WORKER}),
    "charity.approve": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "charity.reveal": frozenset({R.OFFICIAL, R.TOWNSHIP}),
    "accounts.manage": frozenset({R.SECURITY_ADMIN}),
    "audit.view": frozenset({R.AUDIT_ADMIN}),
    "system.settings": frozenset({R.SYSTEM_ADMIN}),
}


def roles_with(permission: str) -> frozenset[str]:
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise KeyError(
            f"Unknown permission {permission!r}; add it to PERMISSIONS and docs/roles.md"
        ) from None
