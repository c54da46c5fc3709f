"""The `spec` package's code: loading and merging the documents, refs, the operation map, wire facts."""

from __future__ import annotations

import json

import pytest

from spec import demo, documents, operations, refs, wire

LIVE_DOC = {"openapi": "3.1.0", "info": {"title": "live", "version": "x"}, "paths": {}}


def test_bundled_documents_are_package_resources_and_fresh_copies() -> None:
    first = documents.bundled()
    first["paths"].clear()
    assert len(documents.bundled()["paths"]) == 14
    assert json.loads(documents.raw()) == documents.bundled()
    assert len(documents.sha256(documents.raw())) == 64


def test_with_extensions_gives_17_self_contained_operations() -> None:
    original = documents.bundled()
    before = json.dumps(original, sort_keys=True)
    merged = documents.with_extensions(original)
    assert json.dumps(original, sort_keys=True) == before, "the input document is not modified"
    assert "openapi.json#" not in json.dumps(merged)
    ops = operations(merged)
    assert len(ops) == 17
    assert {name for name, op in ops.items() if op.extension} == {
        "repairer.procurements.insert", "repairer.procurements.invoices.list", "repairer.procurements.invoices.get"}
    schemas = merged["components"]["schemas"]
    found: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                found.add(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(merged)
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/") and ref.removeprefix("#/components/schemas/") in schemas, ref


def test_with_extensions_fills_shared_schemas_another_spec_lacks() -> None:
    merged = documents.with_extensions(LIVE_DOC)
    assert len(merged["paths"]) == 3
    assert "JobIdentityV1" in merged["components"]["schemas"]
    assert "procurements.v1.buyer.Procurement" in merged["components"]["schemas"]


def test_pointers_escape_and_resolve() -> None:
    document = {"a/b": {"c~d": [10, {"$ref": "#/x"}]}, "x": {"$ref": "#/y"}, "y": {"type": "string"}}
    pointer = refs.pointer("a/b", "c~d")
    assert pointer == "#/a~1b/c~0d"
    assert refs.get(document, pointer + "/0") == 10
    assert refs.resolve(document, refs.get(document, pointer + "/1")) == {"type": "string"}
    with pytest.raises(ValueError):
        refs.resolve({"x": {"$ref": "#/x"}}, {"$ref": "#/x"})


def test_the_operation_map_reads_unions_d24_statuses_and_examples() -> None:
    ops = operations(documents.with_extensions(documents.bundled()))
    parts = ops[wire.PARTS_INSERT]
    assert parts.errors.bare and {"not_found", "unprocessable"} <= parts.errors.kinds
    assert parts.errors.statuses["unprocessable"].code == 422
    assert parts.errors.statuses["unprocessable"].provenance == "inferred"
    jobs_get = ops["repairer.jobs.get"]
    assert not jobs_get.errors.bare and jobs_get.required_fields == ["identity"]
    assert jobs_get.example() == {"identity": {"external": demo.JOB_EXTERNAL_ID}}
    assert jobs_get.example() is not jobs_get.example()
    assert jobs_get.schema_ref("200") and jobs_get.schema_ref("default") and jobs_get.request_ref()
    assert jobs_get.schema_ref("404") is None


def test_operations_skip_what_is_not_a_post_operation() -> None:
    document = {"paths": {"/a": {"get": {"operationId": "a"}}, "/b": "not an object", "/c": {"post": {}}}}
    assert operations(document) == {}


@pytest.mark.parametrize(("method", "role"), [("repairer.jobs.get", "repairer"), ("supplier.procurements.get",
                         "supplier"), ("businesses.list", None), ("integrations.insert", None)])
def test_the_role_a_method_needs(method: str, role: str | None) -> None:
    assert wire.required_role(method) == role
    assert wire.authenticated(method) == (method != wire.INSTALL)


def test_wire_helpers() -> None:
    assert wire.bearer_token("Bearer  abc ") == "abc" and wire.bearer_token("bearer x") == "x"
    assert wire.bearer_token("Basic abc") == "" and wire.bearer_token(None) == ""
    assert wire.is_uuid(demo.PROCUREMENT_ID) and wire.is_uuid(demo.PROCUREMENT_ID.upper())
    assert not wire.is_uuid("10000000000040008000000000000001") and not wire.is_uuid(5)
    assert wire.error_kind("not_found") == "not_found" and wire.error_kind({"type": "forbidden"}) == "forbidden"
    assert wire.error_kind({"kind": "x"}) is None and wire.error_kind(None) is None
    assert wire.method_of("https://x.test/api/2026-01/repairer.jobs.get?a=1") == "repairer.jobs.get"
    assert wire.method_of("https://x.test/openapi.json") is None
    assert demo.REPAIRER.headers() == {"Authorization": f"Bearer {demo.REPAIRER.api_key}",
                                       "Partly-Integration-ID": demo.REPAIRER.integration_id}
