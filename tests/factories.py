"""factory_boy factories for every model, shared by the tests and seed_demo."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from orgportal import codes
from orgportal.demo import DEMO_PASSWORD
from orgportal.models import Unit, UnitAssignment


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = ""
    kind = codes.UnitKind.DEPARTMENT
    admin_level = codes.AdminLevel.SECTION_CHIEF
    region_code = ""
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; `perms=["orgportal.view_unit", …]` and `units=[unit, …]` set access."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def perms(self, create, extracted, **kwargs):
        for dotted in extracted or ():
            app_label, codename = dotted.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            UnitAssignment.objects.create(user=self, unit=unit)


class UnitAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitAssignment

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
