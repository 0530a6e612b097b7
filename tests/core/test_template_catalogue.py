"""Every Chinese text a template marks for translation has its English in the compiled catalogue: an English reader
otherwise gets the page half in Chinese (the reports, jobs, integrity and project pages were, before their strings
were added to the catalogue)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2] / "src" / "shegong"
MO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.mo"
HAN = re.compile(r"[\u4e00-\u9fff]")
TRANSLATE = re.compile(r"""{%\s*translate\s+(?:"([^"]+)"|'([^']+)')""")
BLOCK = re.compile(r"{%\s*blocktranslate([^%]*)%}(.*?){%\s*(?:endblocktranslate|plural)\s*%}", re.S)


def _marked(text: str) -> list[str]:
    """The msgids of a template's literal {% translate %} and {% blocktranslate %} texts, as Django looks them up."""
    found = [a or b for a, b in TRANSLATE.findall(text)]
    for options, body in BLOCK.findall(text):
        if "trimmed" in options.split():
            body = " ".join(line.strip() for line in body.strip().splitlines())
        body = re.sub(r"%(?!\()", "%%", body)  # blocktranslate escapes a literal percent sign
        found.append(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body))
    return [m for m in found if HAN.search(m)]


def test_every_marked_chinese_text_in_a_template_has_its_english():
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    english = catalogue._catalog  # msgid (or (msgid, n) for plurals) → translation
    known = {key[0] if isinstance(key, tuple) else key for key, value in english.items() if value}
    missing = {}
    for template in sorted(SRC.rglob("templates/**/*.html")):
        for msgid in _marked(template.read_text(encoding="utf-8")):
            if msgid not in known:
                missing.setdefault(str(template.relative_to(SRC)), []).append(msgid)
    assert sum(len(v) for v in missing.values()) == 0, missing
