"""API fuzzing: schemathesis generates requests from the OpenAPI schema (/api/schema/) for every
operation and sends them to the Django WSGI app, as a city account with every permission and as
a county account: no response is a server error, and every response matches the schema (its
status code documented, its body of the documented shape).

Bounded for CI: a few derandomised examples per operation (FUZZ_EXAMPLES, default 3), no deadline;
the requests run inside the test's transaction, so writes vanish with it.
"""

import os

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks as sc

from orgportal import tokens
from tests.factories import UnitFactory, UserFactory
from tests.orgportal.test_jurisdiction_matrix import perm_objects

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

CHECKS = [sc.not_a_server_error, sc.status_code_conformance, sc.response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_keys(django_db_setup, django_db_blocker):
    """API keys of two system accounts with every permission (but view_all_units): the city's and
    a county's. Made once for the module, in a transaction rolled back at its end (each test's own
    writes roll back to a savepoint inside it)."""
    # As Django's test client does: a request must not close the connection holding the test's
    # transaction (it would on PostgreSQL, autocommit being off inside it).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        city = UnitFactory(name="模糊测试市")
        county = UnitFactory(name="模糊测试县", parent=city)
        broad = Group.objects.create(name="fuzz")
        broad.permissions.set(perm_objects(sensitive=True))
        keys = []
        for unit in (city, county):
            user = UserFactory(units=[unit])
            user.groups.add(broad)
            tokens.make_system_account(user)
            keys.append(tokens.create_token(user, f"fuzz {unit.name}")[1])
        yield keys
        transaction.set_rollback(True)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[
        Phase.generate
    ],  # no explicit phase: it adds schemathesis' coverage cases (hundreds an operation)
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case, fuzz_keys):
    for key in fuzz_keys:
        case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)
