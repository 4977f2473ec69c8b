from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .api import router

# Each module registers its API routes on the one kernel router.
import_module("orgportal.views")
import_module("orgportal.sync")  # the change feed, /api/v1/changes/
for app in settings.ORGPORTAL_APPS:
    if app in settings.INSTALLED_APPS and find_spec(f"{app}.urls"):
        import_module(f"{app}.urls")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path(settings.ORGPORTAL_ADMIN_URL, admin.site.urls),  # env ORGPORTAL_ADMIN_URL, default admin/
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
]
