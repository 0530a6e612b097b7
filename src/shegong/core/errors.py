from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext

from shegong.core.api import too_big_body


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": "Not found"}, status=404)
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "forbidden", "detail": "Permission denied"}, status=403)
    return render(request, "403.html", status=403)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"code": "server_error", "detail": "Internal error"}, status=500)
    # No request context: the context processors would read the session and the user, i.e. the database,
    # which may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


def bad_request(request, exception=None):
    """Django answers 400 for a SuspiciousOperation; a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413."""
    if isinstance(exception, RequestDataTooBig):
        body = too_big_body()
        if _is_api(request):
            return JsonResponse(body, status=413)
        return HttpResponse(body["detail"], status=413, content_type="text/plain; charset=utf-8")
    if _is_api(request):
        return JsonResponse({"code": "bad_request", "detail": gettext("请求无效")}, status=400)
    return HttpResponse(gettext("请求无效"), status=400, content_type="text/plain; charset=utf-8")
