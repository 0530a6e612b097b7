from pathlib import Path

from shegong.accounts.roles import PERMISSIONS, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"


def test_roles_doc_lists_every_role_and_permission():
    text = DOC.read_text(encoding="utf-8")
    for role in Role.values:
        assert f"`{role}`" in text, f"docs/roles.md does not describe role {role}"
    for permission, roles in PERMISSIONS.items():
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| `{permission}` ")), None)
        assert line, f"docs/roles.md has no row for {permission}"
        cells = [c.strip() for c in line.strip("|").split("|")][1:]
        marked = {Role.values[i] for i, cell in enumerate(cells) if cell == "✓"}
        assert marked == set(roles), f"docs/roles.md row for {permission} differs from roles.py"


def test_administrators_hold_no_business_permission():
    admin_roles = {"security_admin", "audit_admin", "system_admin"}
    for permission, roles in PERMISSIONS.items():
        if permission.split(".")[0] not in ("accounts", "audit", "system", "regions"):
            assert not (set(roles) & admin_roles), permission
