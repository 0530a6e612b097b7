from shegong.accounts import services
from shegong.accounts.models import User
from shegong.core.management.base import SystemCommand, fail


class Command(SystemCommand):
    help = "Create personal API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it (shown once)")
        create.add_argument("username")
        create.add_argument("--days", type=int, default=None)
        create.add_argument("--name", default="cli")

    def handle(self, *args, action, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise fail(f"no user named {options['username']!r}")
        _token, raw = services.token_create(
            actor=self.actor, user=user, name=options["name"], days=options["days"]
        )
        self.stdout.write(raw)
