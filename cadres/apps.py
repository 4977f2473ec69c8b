from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("干部管理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import query, rosters, rules  # noqa: F401  (registers the rosters, rule kinds, query conditions)
