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
