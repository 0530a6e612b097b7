"""The projects API at /api/v1/projects: one router, its operations grouped by what they act on. Every write
calls the same service as the project page, so the API can do what the pages can, refused in the same way.

Operation ids stay ``shegong_projects_api_<function>`` (see ``_common.op``)."""

from . import documents, lifecycle, money, projects, staff
from ._common import router

ROUTERS = [("/projects", router)]

__all__ = ["ROUTERS", "documents", "lifecycle", "money", "projects", "router", "staff"]
