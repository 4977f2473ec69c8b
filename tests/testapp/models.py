from django.db import models

from orgportal.models import OrgModel, Unit


class Specimen(OrgModel):
    """A test-only record with sensitive fields, placed in a unit."""

    jurisdiction = "unit"
    sensitive_fields = ("id_number",)

    name = models.CharField("名称", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "测试样本"

    def __str__(self):
        return self.name
