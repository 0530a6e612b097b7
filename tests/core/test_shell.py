from ..factories import login_client, make_user


def test_csp_header_with_nonce_and_no_third_party_origin(client, world):
    login_client(client, world.official_a)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "http" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_every_asset_is_local(client, world):
    login_client(client, world.official_a)
    text = client.get("/").content.decode()
    assert "cdn" not in text.lower() and "https://" not in text


def test_django_admin_is_for_system_admins_only(client, world):
    login_client(client, make_user("official"))
    assert client.get("/sysadmin/").status_code == 302  # sent to the admin login, not let in
    login_client(client, make_user("system_admin"))
    response = client.get("/sysadmin/")
    assert response.status_code == 200
    assert "地方政策" in response.content.decode()


def test_navigation_follows_roles(client, world):
    login_client(client, make_user("audit_admin"))
    response = client.get("/", follow=True)
    # The menu only: the audit page's action list names every kind of record (新增服务阵地…).
    text = response.content.decode().split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert "审计日志" in text and "服务阵地" not in text


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/network/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
