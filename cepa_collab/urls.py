from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

from cepa_collab import (
    account_views,
    api,
    api_contract,
    invitation_views,
    pattern_views,
    profile_views,
    views,
)


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request, format=None):
    """The API's entry point: links to its endpoints."""
    return Response(
        {
            "me": reverse("api-me", request=request, format=format),
            "my_work": reverse("api-me-work", request=request, format=format),
            "products": reverse("api-product-list", request=request, format=format),
            "deliverables": reverse("api-deliverable-list", request=request, format=format),
            "review-assignments": reverse(
                "api-review-assignment-list", request=request, format=format
            ),
            "reviews": reverse("api-review-list", request=request, format=format),
            "meetings": reverse("api-meeting-list", request=request, format=format),
            "calendar": reverse("api-calendar", request=request, format=format),
            "notifications": reverse("api-notification-list", request=request, format=format),
            "notification-preferences": reverse(
                "api-notification-preferences", request=request, format=format
            ),
            "advisory-requests": reverse(
                "api-advisory-request-list", request=request, format=format
            ),
            "milestones": reverse("api-milestone-list", request=request, format=format),
            "contributions": reverse("api-contribution-list", request=request, format=format),
            "countries": reverse("api-country-list", request=request, format=format),
            "regions": reverse("api-region-list", request=request, format=format),
            "token": reverse("api-token", request=request, format=format),
            "schema": reverse("schema", request=request, format=format),
            "docs": reverse("swagger-ui", request=request, format=format),
        }
    )


api_v1 = [
    path("", api_root, name="api-root"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/work/", api.MyWorkView.as_view(), name="api-me-work"),
    path("", include("workflows.api_urls")),
    path("", include("meetings.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("advisory.api_urls")),
    path("", include("contributions.api_urls")),
    path("", include("discussions.api_urls")),
    path("", include("knowledge.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/two-factor/", account_views.code_step, name="second_factor"),
    path("accounts/two-factor/setup/", account_views.setup, name="second_factor_setup"),
    path(
        "accounts/two-factor/recovery-codes/",
        account_views.recovery_codes,
        name="second_factor_recovery_codes",
    ),
    path(
        "accounts/two-factor/recovery-codes/new/",
        account_views.new_recovery_codes,
        name="second_factor_new_codes",
    ),
    path("accounts/two-factor/off/", account_views.turn_off, name="second_factor_off"),
    path("accounts/security/", account_views.account_security, name="account_security"),
    path("accounts/", profile_views.account, name="account"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Single sign-on (OpenID Connect): its views answer 404 unless OIDC_RP_CLIENT_ID is set.
    path("accounts/oidc/", include("mozilla_django_oidc.urls")),
    path("invitations/", invitation_views.invitation_list, name="invitation_list"),
    path("invitations/new/", invitation_views.invite, name="invite"),
    path("invitations/<int:pk>/resend/", invitation_views.resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", invitation_views.revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", invitation_views.accept, name="invitation_accept"),
    path("", include("workflows.urls")),
    path("", include("meetings.urls")),
    path("", include("notifications.urls")),
    path("", include("advisory.urls")),
    path("", include("contributions.urls")),
    path("", include("discussions.urls")),
    path("", include("knowledge.urls")),
    # The design system's pattern page: 404 unless DEBUG is on.
    path("patterns/", pattern_views.patterns, name="patterns"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI: its script from a URL of its own, its style from a file (no inline code);
    # its stylesheet draws its icons from data: URLs.
    path(
        "api/docs/",
        csp_update({"img-src": "data:"})(
            SpectacularSwaggerSplitView.as_view(
                url_name="schema", template_name="cepa_collab/swagger_ui.html"
            )
        ),
        name="swagger-ui",
    ),
    # Last: any other address under /api/ (an unknown one, an id out of range) is a JSON 404,
    # whatever DEBUG says.
    re_path(r"^api/", api_contract.not_found),
]

# Errors raised outside the API's views answer JSON under /api/, the site's pages elsewhere.
handler400 = api_contract.bad_request
handler403 = api_contract.permission_denied
handler404 = api_contract.page_not_found
handler500 = api_contract.server_error
