"""Sign in, sign out (POST only) and the organization switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from frontend.access import session_organization_set


class SignInView(auth_views.LoginView):
    template_name = "frontend/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@require_POST
@login_required
def organization_switch(request: HttpRequest) -> HttpResponse:
    # A slug the user is not a member of gets the same 404 as one that does not exist.
    organization = session_organization_set(user=request.user, session=request.session,
                                            slug=request.POST.get("organization", ""))
    messages.success(request, f"Now working in {organization.name}.")
    return HttpResponseRedirect(_safe_next(request))
