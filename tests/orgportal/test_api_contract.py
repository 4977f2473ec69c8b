"""The OpenAPI schema is the contract other systems build against: every operation described in
Chinese, the integration endpoints with examples, `fields=` and `updated_since=` documented."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

CJK = re.compile(r"[\u4e00-\u9fff]")
BULK = [
    "/api/v1/cadres/bulk/",
    "/api/v1/training-external-hours/bulk/",
    "/api/v1/talent-service-requests/bulk/",
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)


def test_every_operation_has_a_chinese_description(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if not CJK.search(operation.get("description", ""))
    ]
    assert not missing


@pytest.mark.parametrize("path", ["/api/v1/changes/", *BULK])
def test_integration_endpoints_have_examples(schema, path):
    [operation] = schema["paths"][path].values()
    bodies = [*operation.get("requestBody", {}).get("content", {}).values()]
    bodies += [content for r in operation["responses"].values() for content in r.get("content", {}).values()]
    assert any(body.get("examples") for body in bodies), path


@pytest.mark.parametrize("path", BULK)
def test_bulk_documents_the_idempotency_header_and_its_errors(schema, path):
    operation = schema["paths"][path]["post"]
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
    assert {"200", "400", "422"} <= set(operation["responses"])


def test_every_model_list_documents_fields_and_updated_since(schema):
    lists = [
        (path, operation)
        for path, method, operation in operations(schema)
        if method == "get" and operation["operationId"].endswith("_list") and "{" not in path
    ]
    assert len(lists) > 40
    for path, operation in lists:
        names = {p["name"] for p in operation.get("parameters", [])}
        if "page" in names and "unit_subtree" in names | {"unit_subtree"} and "ordering" in names:
            assert {"fields", "updated_since"} <= names, path
