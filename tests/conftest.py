import pytest
from rest_framework.test import APIClient

from orgportal import codes
from tests.factories import UnitFactory, UserFactory


@pytest.fixture
def city(db):
    return UnitFactory(name="测试市", kind=codes.UnitKind.PARTY_COMMITTEE, region_code="520300")


@pytest.fixture
def county_a(city):
    return UnitFactory(name="甲县", kind=codes.UnitKind.COUNTY, parent=city, region_code="520322")


@pytest.fixture
def county_b(city):
    return UnitFactory(name="乙县", kind=codes.UnitKind.COUNTY, parent=city, region_code="520323")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it."""

    client = APIClient()

    def as_user(user):
        client.force_authenticate(user)
        return client

    client.as_user = as_user
    return client
