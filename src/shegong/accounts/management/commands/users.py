import sys

from django.core.exceptions import ValidationError

from shegong.accounts import factors, services
from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.core.management.base import SystemCommand, fail


class Command(SystemCommand):
    help = "Manage user accounts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a user with one role over a region")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--region", required=True, help="12-digit region code")
        create.add_argument("--org", type=int, help="organisation id")
        create.add_argument("--name", default="", help="display name")
        create.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
        create.add_argument(
            "--no-password-change", action="store_true", help="do not force a password change at first login"
        )

        reset = sub.add_parser(
            "reset-factor", help="remove a user's second factor (audited; the user enrols anew at next login)"
        )
        reset.add_argument("username")

    def handle(self, *args, action, **options):
        if action == "reset-factor":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise fail(f"no user named {options['username']!r}")
            factors.factor_reset(actor=self.actor, user=user)
            self.stdout.write(f"second factor of {user.username} removed")
            return
        password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
        try:
            user = services.user_create(
                actor=self.actor,
                username=options["username"],
                roles=[(options["role"], options["region"], options["org"])],
                password=password,
                display_name=options["name"],
                must_change_password=not options["no_password_change"],
            )
        except ValidationError as exc:
            raise fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"created user {user.username} ({options['role']} @ {options['region']})")
