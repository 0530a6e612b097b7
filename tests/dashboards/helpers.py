"""Reading a dashboard page in tests: its figures by key, and how many rows a figure's drill-down lists."""

from __future__ import annotations

from shegong.core.panels import Figure


def figures(response) -> dict[str, Figure]:
    assert response.status_code == 200, response.status_code
    return {f.key: f for panel in response.context["board"].panels for f in panel.figures}


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count
