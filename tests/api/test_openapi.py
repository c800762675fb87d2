"""The OpenAPI document: what it promises, that responses keep to it, and no 500 under schemathesis."""
import copy

import jsonschema_rs
import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from sqlalchemy import func, select

from xinfang.handlers import openapi
from xinfang.models import Case

from ..mailbox.letters import LETTER, answer


def test_the_document_describes_the_public_api(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/petitions", "/api/v1/petitions/{tracking_code}"} <= set(doc["paths"])
    request = doc["components"]["schemas"]["PetitionRequest"]
    assert request["required"] == ["mailbox", "text"]
    assert set(request["properties"]) == {"mailbox", "text", "county", "name", "phone", "email"}
    assert "governor" in request["properties"]["mailbox"]["enum"]
    assert len(request["properties"]["county"]["enum"]) == 18 and "康定市" in request["properties"]["county"]["enum"]


def test_the_staff_api_paths_are_merged_when_that_module_exists(client, monkeypatch):
    monkeypatch.setattr(openapi, "STAFF_API", "tests.api.staff_api_sample")
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/staff/cases" in doc["paths"] and "/api/v1/petitions" in doc["paths"]
    assert "StaffCase" in doc["components"]["schemas"] and "bearerAuth" in doc["components"]["securitySchemes"]


def _json_schema(doc: dict, name: str) -> dict:
    """An OpenAPI 3.0 schema as plain JSON Schema: `nullable` becomes a null type, refs resolve locally."""
    def convert(node):
        if isinstance(node, dict):
            node = {k: convert(v) for k, v in node.items()}
            if node.pop("nullable", False):
                node["type"] = [node["type"], "null"]
            return node
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    schemas = convert(copy.deepcopy(doc["components"]["schemas"]))
    return {**schemas[name], "components": {"schemas": schemas}}


def test_a_real_status_keeps_to_the_documented_schema(client, session, cal):
    doc = client.get("/api/v1/openapi.json").get_json()
    code = client.post("/api/v1/petitions", json={"mailbox": "governor", "text": LETTER}).get_json()["tracking_code"]
    answer(session, cal, session.scalar(select(Case)))
    status = client.get(f"/api/v1/petitions/{code}").get_json()
    jsonschema_rs.validate(_json_schema(doc, "PetitionStatus"), status)
    assert status["reply"] and len(status["timeline"]) == 4


# --- schemathesis: generated requests against the document, checked for 500s and conformance ----
# Driven through Hypothesis directly: schemathesis's pytest plugin does not run under pytest 9.

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("path, method", [("/api/v1/petitions", "POST"),
                                          ("/api/v1/petitions/{tracking_code}", "GET")])
def test_no_generated_request_gets_a_server_error(app, session, path, method, mode):
    # Generous limits: the point is the handlers' answers, not the limiter's.
    app.config["XINFANG_RATE_LIMITS"] = {name: (10**6, 60) for name in ("submit_address", "submit_phone",
                                                                         "lookup_failures")}
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = api[path][method]

    calls = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=60, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
    def call(case):
        calls.append(case.call_and_validate(checks=CHECKS).status_code)

    call()
    assert len(calls) >= 20
    if (method, mode) == ("POST", GenerationMode.POSITIVE):
        assert 201 in calls and session.scalar(select(func.count()).select_from(Case)) > 0
    if mode is GenerationMode.NEGATIVE:
        assert set(calls) <= {400, 404, 405, 422, 429}
