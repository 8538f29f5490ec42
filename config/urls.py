from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.i18n import set_language

from grants.views import hub2 as hub2_views
from grants.views import stripe as stripe_views
from orgs.views import registration as registration_views
from relais.views import tenancy as tenancy_views
from training.views import learning as learning_views

# Browsers ask for /favicon.ico on every page whatever the <link rel="icon">: answer it from
# memory with a month's cache instead of a 404 through the tenant router.
FAVICON = (settings.BASE_DIR / "static" / "relais" / "favicon.ico").read_bytes()


@require_safe
@cache_control(public=True, max_age=30 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FAVICON, content_type="image/x-icon")


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("", tenancy_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("workspaces/", tenancy_views.workspaces, name="workspaces"),
    path("profile/", tenancy_views.profile, name="profile"),
    path("invitations/<str:token>/", tenancy_views.invitation_accept, name="invitation_accept"),
    # Self-registration happens before membership, so outside the tenant prefix.
    path("join/", registration_views.join_index, name="join_index"),
    path("join/<slug:slug>/", registration_views.join_tenant, name="join_tenant"),
    # Stripe's signed webhook: no session, so outside the tenant prefix (its kwarg is not tenant_slug, which
    # TenantMiddleware would send to the login page); nothing is stored before the signature checks out.
    path("webhooks/stripe/<slug:workspace_slug>/", stripe_views.stripe_webhook, name="stripe_webhook"),
    # Payment providers post here without a session: the view checks the signature before storing.
    path("webhooks/hub2/<slug:workspace>/", hub2_views.hub2_webhook, name="hub2_webhook"),
    # Public certificate check (anonymous, read-only, across workspaces without naming them).
    path("c/<str:code>/", learning_views.certificate_verify, name="certificate_verify"),
    # Everything below belongs to one tenant; TenantMiddleware resolves the slug.
    path("<slug:tenant_slug>/", include("relais.urls")),
    path("<slug:tenant_slug>/", include("orgs.urls")),
    path("<slug:tenant_slug>/", include("grants.urls")),
    path("<slug:tenant_slug>/", include("training.urls")),
]

handler403 = "relais.views.permission_denied"
