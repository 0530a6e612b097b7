"""Finding 4: the demo runs without DEBUG, serves the product's own Chinese 404 and 500 pages, and still serves
static files (through whitenoise)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from shegong import urls as project_urls

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _debug_under(env: dict) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHEGONG_")}
    clean.update(env, PYTHONPATH=SRC)
    code = "from shegong import settings; print(settings.DEBUG, settings.WHITENOISE_USE_FINDERS)"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True
    ).stdout


def test_debug_is_off_unless_a_developer_sets_it():
    assert _debug_under({}).split()[0] == "False"  # what `make demo` runs with
    assert _debug_under({"SHEGONG_ENV": "development"}).split()[0] == "False"
    assert _debug_under({"SHEGONG_DEBUG": "1"}).split()[0] == "True"


def test_demo_settings_serve_static_files_through_whitenoise():
    assert _debug_under({}).split()[1] == "True"


@pytest.mark.django_db
def test_unknown_url_is_the_chinese_404_page_without_url_patterns(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "返回首页" in text
    assert "URLconf" not in text and "accounts/" not in text and "api/v1/" not in text


@pytest.mark.django_db
def test_static_files_are_served_without_debug():
    response = Client().get("/static/shegong/app.css")
    assert response.status_code == 200


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), *project_urls.urlpatterns]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_the_chinese_500_page():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器出错了" in text and "RuntimeError" not in text and "Traceback" not in text


@pytest.mark.django_db
def test_500_page_needs_no_database(django_assert_num_queries):
    from shegong.core.errors import server_error

    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500 and "服务器出错了" in response.content.decode()
