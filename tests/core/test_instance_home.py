"""`shegong` run from any folder uses the same instance, and says so plainly when it finds no database."""

import os
import pathlib
import subprocess
import sys

import pytest

CHECKOUT = pathlib.Path(__file__).resolve().parents[2]
SHEGONG = pathlib.Path(sys.executable).with_name("shegong")


def run(args, *, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SHEGONG_HOME", "SHEGONG_VAR")}
    env.update(SHEGONG_ENV="development", PYTHONPATH=str(CHECKOUT / "src"), **(env_extra or {}))
    return subprocess.run(
        [str(SHEGONG), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_home_is_the_checkout_whatever_the_current_folder(tmp_path):
    code = "from django.conf import settings; print(settings.BASE_DIR); print(settings.DATABASES['default']['NAME'])"
    result = run(["shell", "--no-imports", "-c", code], cwd=tmp_path, env_extra={"SHEGONG_HOME": ""})
    if result.returncode:  # no demo database in this checkout: the plain message, and nothing created here
        assert "no database at" in result.stderr
        assert str(CHECKOUT / "var" / "shegong.sqlite3") in result.stderr
    else:
        assert result.stdout.splitlines() == [str(CHECKOUT), str(CHECKOUT / "var" / "shegong.sqlite3")]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["regions", "load", "villages.csv"], ["demo"]])
def test_a_missing_database_is_named_instead_of_created_empty(tmp_path, command):
    home = tmp_path / "instance"
    (tmp_path / "villages.csv").write_text("code,name,parent_code\n")
    result = run(command, cwd=tmp_path, env_extra={"SHEGONG_HOME": str(home)})
    assert result.returncode == 1
    assert f"no database at {home / 'var' / 'shegong.sqlite3'}" in result.stderr
    assert "shegong migrate" in result.stderr
    assert not (home / "var" / "shegong.sqlite3").exists()
    assert not (tmp_path / "var").exists()


def test_regions_load_from_another_folder_writes_into_the_instance(tmp_path):
    home = tmp_path / "instance"
    data = tmp_path / "data"
    data.mkdir()
    (data / "regions.csv").write_text(
        "code,name,parent_code\n500000000000,重庆市,\n500100000000,市辖区,500000000000\n", encoding="utf-8"
    )
    env = {"SHEGONG_HOME": str(home)}
    assert run(["migrate", "-v0"], cwd=tmp_path, env_extra=env).returncode == 0
    loaded = run(["regions", "load", "regions.csv"], cwd=data, env_extra=env)
    assert loaded.returncode == 0, loaded.stderr
    assert not (data / "var").exists()
    count = run(
        [
            "shell",
            "--no-imports",
            "-c",
            "from shegong.regions.models import Region; print(Region._base.count())",
        ],
        cwd=tmp_path,
        env_extra=env,
    )
    assert count.stdout.strip() == "2"
