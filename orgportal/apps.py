from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgPortalConfig(AppConfig):
    name = "orgportal"
    verbose_name = _("组织机构")
    default_auto_field = "django.db.models.BigAutoField"
