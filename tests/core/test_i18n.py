"""The English catalogue is complete and compiled, and the language switch serves it."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from ..factories import login_client

LOCALE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0-9.]*[sdif]|%[sdif]")


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """LocaleMiddleware leaves the switched language active in the thread: never let English leak out."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def parse_po(path: Path) -> list[dict]:
    """A minimal .po reader: enough for what makemessages and msgfmt write (no polib in the project)."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    key: str | None = None

    def flush():
        nonlocal entry, key
        if "msgid" in entry:
            entries.append(entry)
        entry, key = {"flags": set()}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            if line.startswith(("msgctxt ", "msgid ")) and any(k.startswith("msgstr") for k in entry):
                flush()
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    flush()
    return entries


def _messages() -> list[dict]:
    return [e for e in parse_po(PO) if e["msgid"] and not e.get("obsolete")]


def _is_chinese(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def test_catalogue_exists_and_is_not_trivial():
    assert PO.is_file() and MO.is_file()
    assert len(_messages()) > 500


def test_no_fuzzy_or_untranslated_entry():
    problems = []
    header = next(e for e in parse_po(PO) if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    for e in _messages():
        if "fuzzy" in e["flags"]:
            problems.append(("fuzzy", e["msgid"]))
        outs = [v for k, v in e.items() if k.startswith("msgstr")]
        if not outs or not all(outs):
            problems.append(("untranslated", e["msgid"]))
        elif any(_is_chinese(v) for v in outs):
            problems.append(("still Chinese", e["msgid"]))
    assert problems == []


def test_placeholders_and_plurals_are_kept():
    problems = []
    for e in _messages():
        want = sorted(PLACEHOLDER.findall(e["msgid"]))
        if "msgid_plural" in e:
            assert "msgstr[0]" in e and "msgstr[1]" in e, e["msgid"]
            plural_want = sorted(PLACEHOLDER.findall(e["msgid_plural"]))
            for k in ("msgstr[0]", "msgstr[1]"):
                got = sorted(PLACEHOLDER.findall(e[k]))
                if got not in (want, plural_want) and not set(got) <= set(want) | set(plural_want):
                    problems.append((e["msgid"], e[k]))
        elif sorted(PLACEHOLDER.findall(e["msgstr"])) != want:
            problems.append((e["msgid"], e["msgstr"]))
    assert problems == []


def test_compiled_catalogue_matches_the_po():
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in _messages():
        ctx = e.get("msgctxt")
        if "msgid_plural" in e:
            for n, k in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                got = (
                    mo.npgettext(ctx, e["msgid"], e["msgid_plural"], n)
                    if ctx
                    else mo.ngettext(e["msgid"], e["msgid_plural"], n)
                )
                if got != e[k]:
                    stale.append(e["msgid"])
        else:
            got = mo.pgettext(ctx, e["msgid"]) if ctx else mo.gettext(e["msgid"])
            if got != e["msgstr"] or (got == e["msgid"] and _is_chinese(e["msgid"])):
                stale.append(e["msgid"])
    assert stale == [], "django.mo is out of date: run msgfmt"


def test_dashboard_in_english_after_switching_language(world, client):
    login_client(client, world.official_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    # An official's home is its level's dashboard.
    assert "Progress map: coverage and visits" in html
    assert "Township (street) social work station coverage" in html
    assert "Village (community) social work room coverage" in html
    assert "挂图作战" not in html
    assert "乡镇（街道）社工站覆盖率" not in html
    assert "首页" not in html


def test_dashboard_defaults_to_chinese(world, client):
    login_client(client, world.official_a)
    html = client.get("/").content.decode()
    assert "挂图作战：覆盖与探访" in html
    assert "Progress map" not in html


@pytest.mark.django_db
def test_login_page_defaults_to_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    assert "登录" in html
    assert "Log in" not in html


def test_django_strings_missing_from_its_chinese_catalogue_are_filled():
    # Django's zh_Hans catalogue lacks a few newer strings, such as the empty choice of a select box.
    from django import forms

    from shegong.people.models import SocialWorker

    translation.activate("zh-hans")
    field = forms.ModelChoiceField(queryset=SocialWorker.objects.none(), required=False)
    assert "Select" not in str(field.empty_label)
    assert str(field.empty_label) == "—请选择—"

    class Named(forms.Form):
        name = forms.CharField(label="姓名")

    assert Named()["name"].label_tag().endswith("姓名：</label>")  # the full-width colon
    translation.activate("en")
    assert Named()["name"].label_tag().endswith("姓名:</label>")
