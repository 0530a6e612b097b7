from shegong.accounts.roles import PERMISSIONS, Role
from shegong.core.management.base import SystemCommand

INTRO = """# Roles and permissions

Every user holds one or more role assignments, each bound to a region subtree (and optionally an organisation).
A permission applies inside the subtree of the assignment that grants it. Business data is visible only through
business roles: the three separated administrators (三权分立) — security admin (accounts and roles), audit admin
(the audit log) and system admin (settings) — see no business data.

Granting roles:

- A security admin grants and removes business roles only, only inside its own region subtree (every region code
  is normalised to 12 digits before it is checked, so `500103` means `500103000000`), never on its own account and
  never on an administrator's account.
- The administrators (`security_admin`, `audit_admin`, `system_admin`) are appointed by the deployment with
  `shegong users create`; an administrator's account never holds a business role, and a business account never
  holds an administrator role.
- Every grant and removal is written to the audit log with the account's roles before and after.

Access by relationship:

A permission says what a role may do; inside its region, what it may see also depends on how the row relates to
it. The official, township and worker roles are region-wide: they see every row of their subtree. The operator,
supervisor, evaluator and volunteer roles are relationship-bound: they see only the rows related to them. This is
enforced centrally, beside region scoping (each region-owned model declares `relationship`; the scoped manager
applies it), so a row that is not yours gets the same 404 as one that does not exist, and lists, exports and
search leave it out. An account that also holds a region-wide role in the same region keeps region-wide access.

- An operator (an assignment bound to an organisation) sees its own organisation, the sites it operates, the
  activities and documents of those sites, the workers it employs (their assignments, departures and dishonesty
  entries), the volunteers its workers recruited (their teams and hours), the recipients served at its stations
  with their visits, categories, household, assessments, events, timeline and visit obligations, its own roster
  imports, and the visit rules. An operator assignment with no organisation sees none of these.
- A supervisor sees its supervisees' work and nothing else of the region. Who supervises whom is a registry fact
  (`people.SupervisionAssignment`: a supervisor → a worker, a station or a project, from a start date to an
  optional end date); while an assignment is in force the supervisor sees the workers it supervises (directly, or
  in post at a station it supervises), their postings, the recipients they are responsible for and their visits,
  the sessions it held and its own register entry, and the cases of the workers and stations it supervises (their
  stage records, notes, approvals, transfers and referrals): it reads their notes and decides their plans and
  closings (the station head decides where a case has no supervisor with an account); the groups they lead or
  co-lead (sessions, members, attendance), the activities held at the stations it supervises, the service requests
  dispatched to them and their project postings. A project names no station, so a supervisor sees no project
  itself. Models of later apps declare the same rule with
  `people.relationships.supervised("path__to__worker")` or `supervised_node("path__to__node")`. The course
  calendar and the resource libraries (questions, experts with masked contacts, reference projects) are the
  region's shared knowledge: every supervisor and operator of the region sees them; enrolments stay
  relationship-bound.
- An evaluator sees the assessments assigned to it (their scores, survey invites and answer sheets), the
  evaluation frameworks, question sets and ranking bulletins of its region, and no recipient data. An operator sees
  the assessments of its own organisation's stations and projects, never the survey answers about them.
- A volunteer sees its own record, its own team, the hours it logged and the activities it logged hours for.
- Region pages and dashboards of its own area stay open to every business role; their counts come from rows the
  role may see (the month rollups are region-wide only).
- The audit admin sees who did what to which record (time, actor, action, record type and number, region) but not
  the person's data: the audit list, search and export show no object names, reasons or changed values (only the
  names of the changed fields), and search matches record numbers and types only.

Role identifiers (used by `shegong users create --role`):

{roles}

This table is generated from `src/shegong/accounts/roles.py` by `shegong roles doc > docs/roles.md`; a test keeps
the two equal.

"""


class Command(SystemCommand):
    help = "Print the role × permission matrix as Markdown."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("doc", help="print docs/roles.md")

    def handle(self, *args, action, **options):
        roles = "\n".join(f"- `{value}` — {label}" for value, label in Role.choices)
        self.stdout.write(INTRO.format(roles=roles), ending="")
        self.stdout.write("| permission | " + " | ".join(f"`{r}`" for r in Role.values) + " |")
        self.stdout.write("|---|" + "---|" * len(Role.values))
        for permission in sorted(PERMISSIONS):
            marks = ["✓" if role in PERMISSIONS[permission] else "" for role in Role.values]
            self.stdout.write(f"| `{permission}` | " + " | ".join(marks) + " |")
