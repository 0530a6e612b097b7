"""The audit writer, as core sees it: the audit app provides ``record`` at start-up (core imports no app).

Writes in core — exports, the create/update recipe — call ``core.auditing.record``; with no audit app installed
they fail rather than go unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_recorder: Callable[..., Any] | None = None


def provide_recorder(recorder: Callable[..., Any]) -> None:
    global _recorder
    _recorder = recorder


def record(action: str, **kwargs) -> Any:
    if _recorder is None:
        raise RuntimeError("no audit recorder: is shegong.audit installed?")
    return _recorder(action, **kwargs)
