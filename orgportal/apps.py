from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgPortalConfig(AppConfig):
    name = "orgportal"
    verbose_name = _("组织机构")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # One OpenAPI enum per national code table (GenderEnum, LeadershipLevelEnum …), however
        # many fields use it: the schema stays stable for the systems that generate clients from it.
        from django.conf import settings
        from django.db.models import Choices

        from . import (
            audit,  # noqa: F401  (its receivers log logins, logouts, failures, lockouts)
            codes,
        )

        overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
        for name, value in vars(codes).items():
            if isinstance(value, type) and issubclass(value, Choices) and value.__module__ == codes.__name__:
                overrides.setdefault(f"{name}Enum", f"{codes.__name__}.{name}")
