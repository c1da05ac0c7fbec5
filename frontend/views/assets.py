"""Static assets through Django's staticfiles finders, so daphne alone serves the whole app.

daphne (unlike ``runserver``) serves no static files, and the platform has no build step or
front proxy in its two-command setup. Deployments behind a proxy can serve ``collectstatic``'s
output directly; this stays correct there too, just slower.
"""

from __future__ import annotations

import posixpath

from django.contrib.staticfiles import views as staticfiles_views
from django.http import Http404, HttpRequest, HttpResponseBase


def static_asset(request: HttpRequest, path: str) -> HttpResponseBase:
    # The finders refuse to leave the apps' static/ folders anyway; answer such probes with a plain 404.
    if posixpath.normpath(path).startswith(("..", "/")) or "\\" in path:
        raise Http404(path)
    response = staticfiles_views.serve(request, path, insecure=True)
    response["Cache-Control"] = "no-cache"  # revalidate with Last-Modified: no stale scripts after deploys
    if path.endswith(".js"):
        response["Content-Type"] = "text/javascript; charset=utf-8"  # ES modules need a JS MIME type
    return response
