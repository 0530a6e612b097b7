"""Finding 1: a security admin grants only business roles, only inside its own region, never to itself or to
another administrator; administrators never hold business roles; every grant and removal is audited."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from shegong.accounts import services
from shegong.accounts.actor import Actor, SystemActor
from shegong.accounts.models import RoleAssignment, User
from shegong.audit.models import AuditEvent

from ..factories import DISTRICT, TOWN_A, TOWN_B, VILLAGE_A1, login_client, make_user, region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    region_tree()
    admin = make_user("security_admin", region_code=TOWN_A, username="sec_a")
    target = make_user("worker", region_code=TOWN_A, username="target")
    login_client(client, admin)
    return admin, target


def assign(client, user, role, region):
    return client.post(f"/accounts/users/{user.pk}/assign/", {"role": role, "region": region})


def roles_of(user):
    return sorted(RoleAssignment.objects.filter(user=user).values_list("role", "region_id"))


# Region codes: short and long forms of a region outside the admin's township, and malformed ones.
OUTSIDE = ["500103", "500103000000", "500103002", "500103002000", "５００１０３"]
MALFORMED = ["5001030010001", "50010300100", "abc", "", "500103-001", "00"]


@pytest.mark.parametrize("region", OUTSIDE)
def test_page_refuses_a_grant_outside_the_admins_region_whatever_the_code_length(client, setup, region):
    admin, target = setup
    response = assign(client, target, "official", region)
    assert response.status_code in (302, 403)
    assert roles_of(target) == [("worker", TOWN_A)]


@pytest.mark.parametrize("region", MALFORMED)
def test_page_refuses_malformed_codes(client, setup, region):
    admin, target = setup
    assign(client, target, "supervisor", region)
    assert roles_of(target) == [("worker", TOWN_A)]


@pytest.mark.parametrize("region", ["500103001", "500103001000", "500103001001"])
def test_page_grants_inside_the_admins_region_in_short_or_long_form_and_audits_it(client, setup, region):
    admin, target = setup
    response = assign(client, target, "supervisor", region)
    assert response.status_code == 302
    expected = region.ljust(12, "0")
    assert ("supervisor", expected) in roles_of(target)
    event = AuditEvent.objects.get(action="user.role.add", object_id=str(target.pk))
    assert event.actor_name == admin.username
    assert event.changes["roles"]["before"] == [["worker", TOWN_A, None]]
    assert ["supervisor", expected, None] in event.changes["roles"]["after"]


def test_security_admin_cannot_make_itself_an_official(client, setup):
    admin, _target = setup
    # The admin manages only accounts whose roles lie inside its region: its own account is one of them.
    assign(client, admin, "official", TOWN_A)
    assign(client, admin, "official", "500103001")
    assert roles_of(admin) == [("security_admin", TOWN_A)]
    with pytest.raises((ValidationError, PermissionDenied)):
        services.assignment_add(actor=Actor.for_user(admin), user=admin, role="worker", region_code=TOWN_A)


@pytest.mark.parametrize("role", ["security_admin", "audit_admin", "system_admin"])
def test_security_admin_cannot_grant_administrator_roles(client, setup, role):
    _admin, target = setup
    assign(client, target, role, TOWN_A)
    assert roles_of(target) == [("worker", TOWN_A)]


def test_security_admin_cannot_grant_to_another_administrators_account(client, setup):
    auditor = make_user("audit_admin", region_code=TOWN_A, username="auditor")
    assign(client, auditor, "official", TOWN_A)
    assert roles_of(auditor) == [("audit_admin", TOWN_A)]


@pytest.mark.parametrize(
    ("held", "granted"),
    [("worker", "audit_admin"), ("official", "security_admin"), ("audit_admin", "worker")],
)
def test_administrators_never_hold_business_roles_even_through_the_system(setup, held, granted):
    user = make_user(held, region_code=TOWN_A)
    with pytest.raises(ValidationError):
        services.assignment_add(actor=SystemActor(), user=user, role=granted, region_code=TOWN_A)
    assert roles_of(user) == [(held, TOWN_A)]
    with pytest.raises(ValidationError):
        RoleAssignment(user=user, role=granted, region_id=TOWN_A).full_clean()


@pytest.mark.parametrize("region", ["500103", "500103002", "500103000000", "５００１０３"])
def test_user_create_page_refuses_outside_regions_in_any_form(client, setup, region):
    response = client.post(
        "/accounts/users/new/",
        {"username": "newbie", "role": "worker", "region": region, "password": "Sneaky-Pass-123"},
    )
    assert response.status_code in (200, 403)
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("region", MALFORMED)
def test_user_create_page_refuses_malformed_codes(client, setup, region):
    response = client.post(
        "/accounts/users/new/",
        {"username": "newbie", "role": "worker", "region": region, "password": "Sneaky-Pass-123"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="newbie").exists()


def test_user_create_page_refuses_administrator_roles(client, setup):
    client.post(
        "/accounts/users/new/",
        {"username": "newbie", "role": "system_admin", "region": TOWN_A, "password": "Sneaky-Pass-123"},
    )
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("region", ["500103001", "500103001000"])
def test_user_create_page_accepts_short_and_long_codes_inside(client, setup, region):
    response = client.post(
        "/accounts/users/new/",
        {"username": "newbie", "role": "worker", "region": region, "password": "Sneaky-Pass-123"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert roles_of(user) == [("worker", TOWN_A)]
    assert AuditEvent.objects.filter(action="user.role.add", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("region", "expected"), [("500103", DISTRICT), ("500103002", TOWN_B), (VILLAGE_A1, VILLAGE_A1)]
)
def test_command_normalises_short_and_long_codes(setup, region, expected):
    call_command("users", "create", f"cli{region}", "--role", "worker", "--region", region)
    assert roles_of(User.objects.get(username=f"cli{region}")) == [("worker", expected)]


@pytest.mark.parametrize("region", MALFORMED)
def test_command_refuses_malformed_codes(setup, region, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError):
        call_command("users", "create", "clibad", "--role", "worker", "--region", region)
    assert not User.objects.filter(username="clibad").exists()


def test_removal_is_audited_with_before_and_after(client, setup):
    _admin, target = setup
    extra = RoleAssignment.objects.create(user=target, role="supervisor", region_id=VILLAGE_A1)
    response = client.post(f"/accounts/users/{target.pk}/unassign/", {"assignment": extra.pk})
    assert response.status_code == 302
    assert roles_of(target) == [("worker", TOWN_A)]
    event = AuditEvent.objects.get(action="user.role.remove", object_id=str(target.pk))
    assert event.changes["roles"] == {
        "before": [["worker", TOWN_A, None], ["supervisor", VILLAGE_A1, None]],
        "after": [["worker", TOWN_A, None]],
    }


def test_removal_of_own_role_is_refused(client, setup):
    admin, _target = setup
    own = admin.assignments.get()
    client.post(f"/accounts/users/{admin.pk}/unassign/", {"assignment": own.pk})
    assert roles_of(admin) == [("security_admin", TOWN_A)]
