from . import Endpoint


def _a(w, key):
    return w.extras[key].pk


def _form(body):
    return {"method": "POST", "body": body, "content_type": "form"}


ENDPOINTS = [
    Endpoint("supervision:sessions", "list", lambda w: "/supervision/"),
    Endpoint("supervision:due", "list", lambda w: "/supervision/due/"),
    Endpoint(
        "supervision:session_create",
        "detail",
        lambda w: f"/supervision/relationships/{_a(w, 'supervision_a')}/record/",
    ),
    Endpoint(
        "supervision:session_create#post",
        "write",
        lambda w: f"/supervision/relationships/{_a(w, 'supervision_a')}/record/",
        **_form(
            lambda w: {
                "kind": "individual",
                "mode": "offline",
                "held_on": "2026-01-05",
                "minutes": "60",
                "topics": ["skills"],
                "attendees": [str(_a(w, "worker_a"))],
                "problems": "越权",
                "advice": "越权",
            }
        ),
    ),
    Endpoint(
        "supervision:session_detail", "detail", lambda w: f"/supervision/sessions/{_a(w, 'session_a')}/"
    ),
    Endpoint(
        "supervision:session_confirm",
        "write",
        lambda w: f"/supervision/sessions/{_a(w, 'session_a')}/confirm/",
        **_form(lambda w: {}),
    ),
    Endpoint("supervision:courses", "list", lambda w: "/supervision/trainings/"),
    Endpoint(
        "supervision:course_create",
        "create",
        lambda w: "/supervision/trainings/new/",
        **_form(
            lambda w: {
                "region": w.regions["town_a"].code,
                "title": "越权课程",
                "kind": "continuing",
                "organiser": "越权",
                "starts_on": "2026-01-05",
                "ends_on": "2026-01-05",
                "hours": "8",
            }
        ),
    ),
    Endpoint("supervision:hours", "list", lambda w: "/supervision/trainings/hours/?all=1"),
    Endpoint("supervision:course_detail", "detail", lambda w: f"/supervision/trainings/{_a(w, 'course_a')}/"),
    Endpoint(
        "supervision:course_enrol",
        "write",
        lambda w: f"/supervision/trainings/{_a(w, 'course_a')}/enrol/",
        **_form(lambda w: {"workers": [str(_a(w, "worker_a"))]}),
    ),
    Endpoint(
        "supervision:course_attendance",
        "write",
        lambda w: f"/supervision/trainings/{_a(w, 'course_a')}/attendance/",
        **_form(lambda w: {"present": []}),
    ),
    Endpoint(
        "supervision:course_export", "detail", lambda w: f"/supervision/trainings/{_a(w, 'course_a')}/export/"
    ),
    Endpoint("supervision:resources", "list", lambda w: "/supervision/resources/?q=%E5%BA%93"),
    Endpoint("supervision:resources#all", "list", lambda w: "/supervision/resources/"),
    Endpoint(
        "supervision:resource_create",
        "create",
        lambda w: "/supervision/resources/question/new/",
        **_form(lambda w: {"region": w.regions["town_a"].code, "title": "越权问题"}),
    ),
    Endpoint(
        "supervision:question_detail",
        "detail",
        lambda w: f"/supervision/resources/questions/{_a(w, 'question_a')}/",
    ),
    Endpoint(
        "supervision:question_detail#answer",
        "write",
        lambda w: f"/supervision/resources/questions/{_a(w, 'question_a')}/",
        **_form(lambda w: {"answer": "越权解答"}),
    ),
    Endpoint(
        "supervision:project_detail",
        "detail",
        lambda w: f"/supervision/resources/projects/{_a(w, 'project_a')}/",
    ),
    Endpoint(
        "supervision:expert_detail",
        "detail",
        lambda w: f"/supervision/resources/experts/{_a(w, 'expert_a')}/",
    ),
    Endpoint(
        "shegong_supervision_api_list_sessions", "list", lambda w: "/api/v1/supervision-sessions", api=True
    ),
    Endpoint(
        "shegong_supervision_api_get_session",
        "detail",
        lambda w: f"/api/v1/supervision-sessions/{_a(w, 'session_a')}",
        api=True,
    ),
    Endpoint(
        "shegong_supervision_api_record_session",
        "write",
        lambda w: "/api/v1/supervision-sessions",
        method="POST",
        api=True,
        body=lambda w: {
            "assignment": _a(w, "supervision_a"),
            "held_on": "2026-01-05",
            "minutes": 60,
            "topics": ["skills"],
            "attendees": [_a(w, "worker_a")],
            "problems": "越权",
            "advice": "越权",
        },
    ),
    Endpoint(
        "shegong_supervision_api_confirm_session",
        "write",
        lambda w: f"/api/v1/supervision-sessions/{_a(w, 'session_a')}/confirm",
        method="POST",
        api=True,
        body=lambda w: {},
    ),
    Endpoint("shegong_supervision_api_list_trainings", "list", lambda w: "/api/v1/trainings", api=True),
    Endpoint(
        "shegong_supervision_api_get_training",
        "detail",
        lambda w: f"/api/v1/trainings/{_a(w, 'course_a')}",
        api=True,
    ),
    Endpoint(
        "shegong_supervision_api_record_attendance",
        "write",
        lambda w: f"/api/v1/trainings/{_a(w, 'course_a')}/attendance",
        method="POST",
        api=True,
        body=lambda w: {"present": []},
    ),
    Endpoint(
        "shegong_supervision_api_list_resources", "list", lambda w: "/api/v1/resources?q=%E5%BA%93", api=True
    ),
]


def extend(world):
    """A supervisor of region A supervising worker A, a session, a course attended, one entry of each library."""
    import datetime
    from decimal import Decimal

    from shegong.people.models import SupervisionAssignment, Supervisor
    from shegong.supervision.models import (
        Attendance,
        Course,
        Enrolment,
        Expert,
        Question,
        ReferenceProject,
        SupervisionSession,
        Topic,
    )

    town_a = world.regions["town_a"]
    today = datetime.date.today()
    worker = world.extras["worker_a"]
    supervisor = Supervisor.objects.create(
        region=town_a, name="督导MARKERA", level="local", user=world.user_a
    )
    assignment = SupervisionAssignment.objects.create(
        supervisor=supervisor, worker=worker, start_date=today - datetime.timedelta(days=90)
    )
    session = SupervisionSession.objects.create(
        supervisor=supervisor,
        assignment=assignment,
        node=world.station_a,
        held_on=today - datetime.timedelta(days=40),
        minutes=60,
        problems="问题MARKERA",
        advice="意见MARKERA",
    )
    session.topics.set(Topic.objects.filter(code="skills"))
    Attendance.objects.create(session=session, worker=worker)
    course = Course.objects.create(
        region=town_a,
        title="课程MARKERA",
        kind="continuing",
        organiser="主办MARKERA",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=10),
        hours=Decimal("8"),
    )
    Enrolment.objects.create(course=course, worker=worker, attended=True, hours=Decimal("8"))
    question = Question.objects.create(region=town_a, title="问题库MARKERA", answer="解答MARKERA")
    expert = Expert.objects.create(
        region=town_a, name="专家MARKERA", field="老年MARKERA", phone="13812345678"
    )
    project = ReferenceProject.objects.create(region=town_a, title="项目库MARKERA", summary="简介MARKERA")
    world.extras.update(
        {
            "supervisor_a": supervisor,
            "supervision_a": assignment,
            "session_a": session,
            "course_a": course,
            "question_a": question,
            "expert_a": expert,
            "project_a": project,
            "marker_supervisor": supervisor.name,
        }
    )
