from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader


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
