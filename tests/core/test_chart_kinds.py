"""Every chart a template asks for by ``data-chart="KIND"`` has a renderer of that name in app.js: an unknown kind
draws nothing and leaves an empty panel (the integrity trend asked for "bar" while app.js draws "bars")."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "shegong"


def test_each_chart_kind_used_in_a_template_is_drawn_by_app_js():
    app_js = (SRC / "static" / "shegong" / "app.js").read_text(encoding="utf-8")
    block = app_js[app_js.index("var renderers = {") :]
    drawn = set(re.findall(r"^\s{4}(\w+): function \(el, data\)", block, flags=re.MULTILINE))
    assert {"bars", "line", "coverage"} <= drawn
    used = {}
    for template in SRC.rglob("templates/**/*.html"):
        for kind in re.findall(r'data-chart="([^"{]+)"', template.read_text(encoding="utf-8")):
            used.setdefault(kind, []).append(str(template.relative_to(SRC)))
    assert used, "no template draws a chart: the pattern no longer matches"
    unknown = {kind: where for kind, where in used.items() if kind not in drawn}
    assert not unknown, f"charts app.js cannot draw: {unknown}"
