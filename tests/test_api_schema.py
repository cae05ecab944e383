"""schemathesis against the OpenAPI document: generated requests to every operation — valid ones
and ones that break the schema — never get a 5xx nor a response the document does not describe;
and every error is in Chinese (SQLite; an officer's token, an admin's for accounts and
parameters)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import ServiceWorld

# No 5xx, and every response (status, content type, headers, body) as the document describes it.
# Whether a schema-valid request is accepted is not among them: a business rule (an amount above
# what may be approved, a check digit) answers 4xx to requests the schema cannot tell apart.
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"Field required|Input should|Traceback|Not Found|Method Not Allowed|value is not")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The world published and matched, its app, and an officer's and an admin's tokens."""
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST
    from fastapi.testclient import TestClient

    import huiqi.accounts.passwords as passwords
    from huiqi.db.engine import make_engine
    from huiqi.db.migrate import upgrade
    from huiqi.web.app import create_app

    folder = tmp_path_factory.mktemp("schema")
    url = f"sqlite:///{folder}/huiqi.db"
    upgrade(url)
    engine = make_engine(url)
    saved = passwords.HASHER
    passwords.HASHER = PasswordHasher.from_parameters(CHEAPEST)
    try:
        world = ServiceWorld(engine, url, folder)
        world.review_city()
        world.publish(world.city)
        world.run()
        app = create_app(url, evidence_dir=folder / "evidence")
        client = TestClient(app)
        tokens = {}
        for user in ("li", "admin"):
            answer = client.post("/api/v1/session", json={"username": user, "password": world.password(user)})
            tokens[user] = answer.json()["token"]
        yield app, tokens
    finally:
        passwords.HASHER = saved
        engine.dispose()


def _examples(operation, headers: dict[str, str], mode: GenerationMode, examples: int):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        content_type = response.headers.get("content-type") or [""]
        json_error = content_type[0].startswith("application/json")
        if 400 <= response.status_code < 500 and json_error:
            message = response.json()["error"]["message"]
            assert CJK.search(message) and not ENGLISH.search(message), message

    return check


def test_no_server_error_and_no_response_outside_the_schema(served):
    """Every operation, with examples drawn from its schema."""
    app, tokens = served
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    schema = schema.exclude(method="DELETE", path="/api/v1/session")  # would sign the test's user out
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    broken = 0
    for operation in operations:
        user = "admin" if operation.path.startswith(("/api/v1/users", "/api/v1/parameters")) else "li"
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        _examples(operation, headers, GenerationMode.POSITIVE, 10)()
        try:
            _examples(operation, headers, GenerationMode.NEGATIVE, 5)()
        except Unsatisfiable:  # nothing to break: the operation takes no input
            continue
        broken += 1
    assert broken >= 35
