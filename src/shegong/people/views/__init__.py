"""Pages for social workers, filings, departures, the dishonesty list, volunteers, teams and hours."""

from .policy import policy_edit  # noqa: F401
from .supervisors import (  # noqa: F401
    supervision_assign,
    supervision_end,
    supervisor_create,
    supervisor_detail,
    supervisor_list,
)
from .teams import (  # noqa: F401
    hours_confirm,
    hours_confirm_all,
    hours_decide,
    hours_export,
    hours_list,
    hours_reject,
    my_hours,
    team_create,
    team_detail,
    team_list,
)
from .volunteers import (  # noqa: F401
    volunteer_approve,
    volunteer_create,
    volunteer_detail,
    volunteer_edit,
    volunteer_export,
    volunteer_import,
    volunteer_list,
    volunteer_reveal,
    volunteer_signup,
    volunteer_signup_poster,
    volunteer_signup_villages,
    volunteer_template,
)
from .workers import (  # noqa: F401
    assignment_create,
    departure_complete,
    departure_create,
    departure_list,
    dishonesty_add,
    dishonesty_list,
    filing_confirm,
    filing_list,
    filing_submit,
    ladder_list,
    station_staff,
    worker_create,
    worker_detail,
    worker_edit,
    worker_export,
    worker_import,
    worker_list,
    worker_reveal,
    worker_template,
)
