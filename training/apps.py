from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("干部教育培训")
    default_auto_field = "django.db.models.BigAutoField"
