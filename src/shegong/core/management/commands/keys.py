from shegong.core import crypto, keyrotation
from shegong.core.management.base import SystemCommand


class Command(SystemCommand):
    help = "Generate data and audit keys, or re-encrypt every sensitive value under the current key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser(
            "generate", help="print a fresh SHEGONG_DATA_KEYS, SHEGONG_INDEX_KEY and SHEGONG_AUDIT_KEYS"
        )
        generate.add_argument("--id", default="k1")
        generate.add_argument(
            "--audit-id", default="a1", help="the version of the audit key (a2 when rotating)"
        )
        sub.add_parser("rotate", help="re-encrypt values written under an older key (put the new key first)")

    def handle(self, *args, action, **options):
        if action == "generate":
            self.stdout.write(crypto.generate_key_lines(options["id"], options["audit_id"]), ending="")
            return
        counts = keyrotation.rotate()
        total = sum(counts.values())
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n} row(s) re-encrypted")
        self.stdout.write(f"{total} row(s) now under key {crypto.keyring().current_id}")
