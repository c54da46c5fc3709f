"""The reconstructed contract in `spec/` against its sources.

The sources are `api-reference.txt` (primary) and `NOTES.md`, copied verbatim into `spec/sources/`
(or `$CONTRACT_DIR`: tests/sources.py). Method names, error lists, required
fields, response field lists and request bodies are parsed out of the reference rather than copied
here, so the spec and these tests cannot drift together.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from spec import refs
from spec.documents import with_extensions
from tests.sources import CONTRACT_DIR

REPO = Path(__file__).resolve().parents[1]
SPEC_DIR = REPO / "spec"
PREFIX = "/api/2026-01/"
PROVENANCE = {"documented", "upstream", "inferred"}
SECURED_BY = {"bearerAuth", "integrationId"}
UNAUTHENTICATED = "integrations.insert"
PLACEHOLDER_EXCEPTION = "repairer.procurements.invoices.get"  # its curl body has "<invoice_id ...>" as id
D24_METHOD = "repairer.jobs.parts.insert"
A_UUID = "0c000000-0000-4000-8000-0000000000aa"


def _contract_file(name: str) -> str:
    path = CONTRACT_DIR / name
    if not path.is_file():
        pytest.skip(f"contract source {path} not available (set CONTRACT_DIR)")
    return path.read_text()


# --------------------------------------------------------------------------- the reference, parsed

METHOD_LINE = re.compile(r"^([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+)(?: \(MCP tool: [^)]*\))?$")
ERRORS_LINE = re.compile(r"^Errors (.*?)(bare JSON strings.*)?$")
REQUEST_LINE = re.compile(r"^Request (\S+) — required: (.*)$")


@dataclass
class RefMethod:
    name: str
    extension: bool
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def line(self, prefix: str) -> str | None:
        return next((ln for ln in self.lines if ln.startswith(prefix)), None)

    @property
    def errors(self) -> list[str] | None:
        line = self.line("Errors ")
        if line is None:
            return None
        match = ERRORS_LINE.match(line)
        assert match, line
        return [kind.strip() for kind in match.group(1).split(",")]

    @property
    def bare_errors(self) -> bool:
        line = self.line("Errors ")
        return bool(line and ERRORS_LINE.match(line).group(2))  # type: ignore[union-attr]

    @property
    def curl_body(self) -> Any:
        match = re.search(r"-d '(.*)'", self.text)
        assert match, f"{self.name}: no curl body"
        return json.loads(match.group(1))

    @property
    def curl_method(self) -> str:
        match = re.search(r'"\$BASE/api/2026-01/([^"]+)"', self.text)
        assert match, f"{self.name}: no curl URL"
        return match.group(1)

    @property
    def curl_authenticated(self) -> bool:
        return "Authorization: Bearer " in self.text and "Partly-Integration-ID: " in self.text


@cache
def reference() -> dict[str, RefMethod]:
    text = _contract_file("api-reference.txt")
    wire_start = text.index("\nWire methods (2026-01)\n")
    ext_start = text.index("\nProposed extensions (NOT in 2026-01)\n")
    methods: dict[str, RefMethod] = {}
    for section, extension in ((text[wire_start:ext_start], False), (text[ext_start:], True)):
        current: RefMethod | None = None
        for line in section.splitlines():
            if match := METHOD_LINE.match(line.strip()):
                current = methods.setdefault(match.group(1), RefMethod(match.group(1), extension))
            elif current is not None:
                current.lines.append(line.strip())
    return methods


def wire_names() -> list[str]:
    return sorted(n for n, m in reference().items() if not m.extension)


def extension_names() -> list[str]:
    return sorted(n for n, m in reference().items() if m.extension)


@cache
def notes_error_statuses() -> dict[str, tuple[int, str]]:
    """kind -> (status, provenance) from NOTES §4: before "Inferred:" documented, after it inferred."""
    notes = _contract_file("NOTES.md")
    section = notes[notes.index("## 4.") : notes.index("## 5.")]
    status_text = section[section.index("HTTP status per kind") :]
    documented, inferred = status_text.split("Inferred:", 1)
    found: dict[str, tuple[int, str]] = {}
    for chunk, provenance in ((documented, "documented"), (inferred, "inferred")):
        for kind, status in re.findall(r"`([a-z_]+)` (\d{3})", chunk):
            found[kind] = (int(status), provenance)
    return found


FIELD_ITEM = re.compile(r"([a-z_]+)(\?)?: (\S+)")


@dataclass(frozen=True)
class RefField:
    name: str
    optional: bool  # `name?` in the reference
    wire_type: str  # uuid.Uuid, std.string.String, string, oneOf, X[] or a named type X


@cache
def response_fields() -> dict[str, tuple[str, list[RefField]]]:
    """Wire method -> (its response type, the fields its `Response` line lists).

    The line runs the type's name into the first field (`JobV1claim_number?: oneOf, ...`), so the name is
    taken from the operation's 200 schema and must prefix the line (test_response_fields_match_the_reference)."""
    found = {}
    full = merged()
    for name in wire_names():
        line = reference()[name].line("Response ")
        assert line, name
        listed = line.removeprefix("Response ")
        _, op = operations(full)[name]
        type_name = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].removeprefix(
            "#/components/schemas/")
        assert listed.startswith(type_name), f"{name}: the reference names {listed.split()[0]}"
        fields = []
        for item in listed[len(type_name):].split(", "):
            parsed = FIELD_ITEM.fullmatch(item)
            assert parsed, f"{name}: cannot parse {item!r}"
            fields.append(RefField(parsed.group(1), bool(parsed.group(2)), parsed.group(3)))
        found[name] = (type_name, fields)
    return found


def response_types() -> set[str]:
    """The named types the reference gives a field list of: the wire methods' response types."""
    return {type_name for type_name, _ in response_fields().values()}


PRIMITIVE_TYPES = {"uuid.Uuid", "std.string.String", "string", "oneOf"}


def named_only_types() -> set[str]:
    """Named types the reference only names (a listed field's type `X` or `X[]`) and never lists fields of."""
    named = {f.wire_type.removesuffix("[]") for _, fields in response_fields().values() for f in fields}
    return named - PRIMITIVE_TYPES - response_types()


@cache
def notes_enums() -> dict[str, list[str]]:
    """Enum name -> values, from NOTES §6 (documented): `PartStatusV1`: `"estimated" | "ordered"`."""
    notes = _contract_file("NOTES.md")
    section = notes[notes.index("## 6.") : notes.index("## 7.")]
    return {name: re.findall(r'"([a-z_]+)"', values)
            for name, values in re.findall(r"`([A-Za-z0-9_.]+)`: `(\"[^`]*)`", section)}


# --------------------------------------------------------------------------- the spec, loaded


@cache
def _raw(name: str) -> str:
    return (SPEC_DIR / name).read_text()


def doc(name: str) -> dict[str, Any]:
    return json.loads(_raw(name))


@cache
def _merged() -> str:
    return json.dumps(with_extensions(doc("openapi.json")))


def merged() -> dict[str, Any]:
    return json.loads(_merged())


def operations(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {item["post"]["operationId"]: (path, item["post"]) for path, item in document["paths"].items()}


@cache
def registry() -> Registry:
    return Registry().with_resource("urn:spec", Resource(contents=merged(), specification=DRAFT202012))


@cache
def validator(pointer: str) -> Draft202012Validator:
    """A validator for the schema at `pointer` inside the merged document."""
    return Draft202012Validator(
        {"$ref": f"urn:spec#{pointer}"}, registry=registry(), format_checker=FormatChecker()
    )


def request_pointer(name: str) -> str:
    path, _ = operations(merged())[name]
    return f"/paths/{refs.escape(path)}/post/requestBody/content/application~1json/schema"


def error_pointer(name: str) -> str:
    path, _ = operations(merged())[name]
    return f"/paths/{refs.escape(path)}/post/responses/default/content/application~1json/schema"


def schema_pointer(name: str) -> str:
    return f"/components/schemas/{refs.escape(name)}"


def walk(node: Any, path: str = "") -> Any:
    """Yield (json-pointer, dict) for every object in `node`."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{refs.escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


def error_kinds(document: dict[str, Any], op: dict[str, Any]) -> tuple[set[str], bool]:
    """(kinds of the op's error union, whether the bodies are bare strings)."""
    schema = refs.resolve(document, op["responses"]["default"]["content"]["application/json"]["schema"])
    if schema.get("type") == "string":
        return set(schema["enum"]), True
    assert schema["type"] == "object" and schema["required"] == ["type"]
    return set(schema["properties"]["type"]["enum"]), False


# --------------------------------------------------------------------------- validity and refs


def test_openapi_json_is_a_valid_openapi_3_1_document():
    document = doc("openapi.json")
    assert document["openapi"].startswith("3.1")
    validate_openapi(document)


def test_extensions_json_is_valid_with_refs_into_openapi_json():
    document = doc("extensions.json")
    assert document["openapi"].startswith("3.1")
    validate_openapi(document, base_uri=(SPEC_DIR / "extensions.json").as_uri())


def test_the_validator_really_follows_refs_into_openapi_json():
    """Guard for the test above: a dangling `openapi.json#` ref must fail it."""
    document = doc("extensions.json")
    schemas = document["components"]["schemas"]
    schemas["RepairerProcurementsInsertRequestV1"]["properties"]["job_identity"]["$ref"] = (
        "openapi.json#/components/schemas/NoSuchSchema"
    )
    with pytest.raises(Exception, match="NoSuchSchema"):
        validate_openapi(document, base_uri=(SPEC_DIR / "extensions.json").as_uri())


def test_merged_document_is_a_valid_openapi_document():
    validate_openapi(merged())


@pytest.mark.parametrize("name", ["openapi.json", "extensions.json"])
def test_every_ref_resolves(name):
    documents = {"openapi.json": doc("openapi.json"), name: doc(name)}
    found = [
        (where, node["$ref"]) for where, node in walk(documents[name]) if isinstance(node.get("$ref"), str)
    ]
    assert len(found) > 20
    for where, ref in found:
        target_doc, _, fragment = ref.partition("#")
        target_doc = target_doc or name
        assert target_doc in documents, f"{where}: external ref {ref} to an unknown document"
        if name == "openapi.json":
            assert not ref.startswith("openapi.json#"), f"{where}: openapi.json must use local refs"
        try:
            target = refs.get(documents[target_doc], fragment)
        except (KeyError, IndexError, ValueError):
            pytest.fail(f"{name}{where}: $ref {ref} does not resolve")
        assert isinstance(target, dict), f"{where}: {ref} is not a schema"


# --------------------------------------------------------------------------- the methods


def test_reference_parses_into_14_wire_methods_and_3_extensions():
    assert len(wire_names()) == 14
    assert len(extension_names()) == 3
    for name, method in reference().items():
        assert method.curl_method == name, f"{name}: the curl example calls {method.curl_method}"


def test_openapi_json_has_exactly_the_wire_methods():
    document = doc("openapi.json")
    assert sorted(document["paths"]) == sorted(PREFIX + name for name in wire_names())
    for path, item in document["paths"].items():
        assert list(item) == ["post"], f"{path}: only POST is part of the contract"
        op = item["post"]
        assert op["operationId"] == path.removeprefix(PREFIX)
        assert not op.get("x-extension"), f"{path}: a wire method is not an extension"
        body = op["requestBody"]
        assert body["required"] is True
        assert "schema" in body["content"]["application/json"]


def test_extensions_json_has_exactly_the_extensions():
    document = doc("extensions.json")
    assert sorted(document["paths"]) == sorted(PREFIX + name for name in extension_names())
    assert not set(wire_names()) & set(operations(document))
    full = merged()
    for path, item in document["paths"].items():
        assert list(item) == ["post"]
        op = item["post"]
        assert op["operationId"] == path.removeprefix(PREFIX)
        assert op["x-extension"] is True
        assert "extension" in op["tags"]
        assert op["requestBody"]["required"] is True
        successes = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert set(successes) == {"200"}
        for response in successes.values():
            schema = refs.resolve(full, response["content"]["application/json"]["schema"])
            assert "x_extension" in schema["required"]
            assert schema["properties"]["x_extension"]["const"] is True


def test_extension_responses_reject_a_missing_or_false_x_extension():
    v = validator(schema_pointer("RepairerProcurementsInvoicesListResponseV1"))
    assert v.is_valid({"x_extension": True, "items": []})
    assert not v.is_valid({"items": []})
    assert not v.is_valid({"x_extension": False, "items": []})


def test_extension_responses_are_local_schemas_documented_only_in_x_extension():
    """The reference gives each extension's response as a "local schema" carrying `"x_extension": true` and
    nothing else: the response object and its `x_extension` are documented, every other node inferred, the
    wrappers (`procurement`, `items`, `invoice`) and all of InvoiceV1 / InvoiceLineV1 too. Also the invoice's
    `id` and `currency_code`: the reference says an invoice has its own id and (D52) a currency_code, but not the
    id's field name, nor the type, nullability or presence of either, and both sit inside inferred wrappers."""
    document = doc("extensions.json")
    schemas = document["components"]["schemas"]
    checked = 0
    for name in extension_names():
        assert "x_extension: true" in reference()[name].line("Response ")  # type: ignore[operator]
        _, op = operations(document)[name]
        root_name = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].removeprefix(
            "#/components/schemas/")
        root = schemas[root_name]
        assert root["x-provenance"] == "documented" and root["properties"]["x_extension"]["x-provenance"] == (
            "documented"), name
        todo, seen = [(root_name, root)], {root_name}
        while todo:
            schema_name, schema = todo.pop()
            for where, node in subschemas(schema, schema_pointer(schema_name)):
                if node is root or node is root["properties"]["x_extension"]:
                    continue
                assert node["x-provenance"] == "inferred", f"{name}: {where}"
                checked += 1
                target = node.get("$ref", "").removeprefix("#/components/schemas/")
                if target in schemas and target not in seen:  # a local schema; openapi.json's are shared
                    seen.add(target)
                    todo.append((target, schemas[target]))
    assert checked > 20
    invoice = schemas["InvoiceV1"]
    assert {invoice["properties"][k]["x-provenance"] for k in ("id", "kind", "currency_code")} == {"inferred"}


def test_request_required_fields_match_the_reference():
    full = merged()
    for name in wire_names():
        line = reference()[name].line("Request ")
        match = REQUEST_LINE.match(line or "")
        assert match, f"{name}: {line}"
        declared, required = match.groups()
        _, op = operations(full)[name]
        raw = op["requestBody"]["content"]["application/json"]["schema"]
        if declared != "_(inline)_":
            assert raw["$ref"] == f"#/components/schemas/{declared}", name
        schema = refs.resolve(full, raw)
        expected = set() if required == "none" else {f.strip() for f in required.split(",")}
        assert set(schema.get("required", [])) == expected, name


def _check_field_type(where: str, prop: dict[str, Any], wire_type: str) -> None:
    if wire_type == "oneOf":
        branches = prop.get("oneOf", [])
        assert len(branches) == 2 and branches[0].get("type") == "null", (
            f"{where}: nullable is oneOf [null, T]"
        )
    elif wire_type == "uuid.Uuid":
        assert (prop.get("type"), prop.get("format")) == ("string", "uuid"), where
    elif wire_type in ("string", "std.string.String"):
        assert prop.get("type") == "string", where
    elif wire_type.endswith("[]"):
        assert prop.get("type") == "array", where
        assert prop["items"]["$ref"] == f"#/components/schemas/{wire_type[:-2]}", where
    else:
        assert prop["$ref"] == f"#/components/schemas/{wire_type}", where


def test_response_fields_match_the_reference():
    """Every field the reference lists exists with its type; `name?` optional, else required."""
    schemas = merged()["components"]["schemas"]
    checked = 0
    for type_name, fields in response_fields().values():
        schema = schemas[type_name]
        for field_ in fields:
            where = f"{type_name}.{field_.name}"
            assert field_.name in schema["properties"], f"{where} missing"
            assert (field_.name in schema.get("required", [])) is not field_.optional, f"{where}: required?"
            _check_field_type(where, schema["properties"][field_.name], field_.wire_type)
            checked += 1
    assert checked > 50


def _not_documented_except_d52(name: str, schema: dict[str, Any]) -> list[str]:
    """Nodes of `schema` labelled documented, but a D52 `not` and its branches (D52 is documented)."""
    return [f"{name}{where}" for where, node in subschemas(schema, "")
            if node.get("x-provenance") == "documented" and not where.startswith("/not")]


def test_response_labels_are_the_reference_response_lines():
    """SCHEMA-001's rule: a 2xx response MUST carry every field its method's `Response` line lists without `?`,
    each of its listed type. Exactly the listed top-level fields are documented (name, presence, listed type);
    every other property of the response is inferred."""
    full = merged()
    schemas = full["components"]["schemas"]
    checked = 0
    for name, (type_name, fields) in response_fields().items():
        schema = schemas[type_name]
        assert schema["x-provenance"] == "documented", f"{type_name}: the response type is documented"
        listed = {f.name: f for f in fields}
        for prop, prop_schema in schema["properties"].items():
            where = f"{name}: {type_name}.{prop}"
            if prop not in listed:
                assert prop_schema["x-provenance"] == "inferred", f"{where}: not listed by the reference"
                assert prop not in schema.get("required", []), f"{where}: unlisted, so not required"
                continue
            field_ = listed[prop]
            assert prop_schema["x-provenance"] == "documented", f"{where}: listed by the reference"
            if field_.wire_type.endswith("[]"):
                # the array-ness is documented, its item type X only where the reference lists X's fields
                item = field_.wire_type.removesuffix("[]")
                expected = "documented" if item in response_types() else "inferred"
                assert prop_schema["items"]["x-provenance"] == expected, f"{where}[]: {item}"
            elif field_.wire_type not in PRIMITIVE_TYPES:
                target = field_.wire_type
                expected = "documented" if target in response_types() else "inferred"
                assert schemas[target]["x-provenance"] == expected, f"{where}: {target}"
            checked += 1
        assert set(listed) <= set(schema["properties"]), name
    assert checked > 50


def test_named_types_the_reference_only_names_are_inferred():
    """`procurements.v1.Vehicle`, `ImageV1`, `OfferV1`, ...: the reference names them as a field's type and never
    lists their fields, so the type itself (`type: object`) and every field of it are inferred (the property that
    refers to one keeps its own label); D52's `not` on the basket's types is documented."""
    schemas = merged()["components"]["schemas"]
    names = named_only_types()
    assert {"procurements.v1.Vehicle", "ImageV1", "OfferV1", "SupplierV1", "PartV1", "InvalidIdentifierV1",
            "procurements.v1.Address", "procurements.v1.buyer.SourceItem"} <= names
    assert "procurements.v1.buyer.Procurement" not in names, "its fields are listed: documented"
    for name in names:
        assert schemas[name]["x-provenance"] == "inferred", name
        assert not _not_documented_except_d52(name, schemas[name])
    for name in ("OfferV1", "SupplierV1", "BasketsLatestGetResponseV1"):
        d52 = [node["x-provenance"] for _, node in subschemas(schemas[name]["not"], "")]
        assert d52 == ["documented"] * 3, f"{name}: D52 is documented"


def _nullables(document: dict[str, Any]) -> Any:
    """(pointer, node) of every `oneOf: [{"type": "null"}, T]` node (the upstream nullable encoding)."""
    for where, node in schema_nodes(document):
        branches = node.get("oneOf", [])
        if any(b.get("type") == "null" for b in branches):
            assert len(branches) == 2 and branches[0].get("type") == "null", f"{where}: oneOf [null, T]"
            yield where, node


@pytest.mark.parametrize("name", ["openapi.json", "extensions.json"])
def test_nullable_null_branches_are_upstream_and_inner_types_are_not_documented(name):
    """`name?: oneOf` documents the field, not its T (stated nowhere): the null branch is upstream (the vendor's
    generator's encoding), T is inferred (JobV1.claim_number's string, Procurement.currency_code's
    CurrencyCodeV1, UploadsPrepareResponseV1.public_url's string, ...)."""
    found = list(_nullables(doc(name)))
    for where, node in found:
        null, inner = node["oneOf"]
        assert null["x-provenance"] == "upstream", f"{where}/oneOf/0"
        assert inner["x-provenance"] == "inferred", f"{where}/oneOf/1: T is not documented"
    assert len(found) >= (20 if name == "openapi.json" else 0)


def test_every_oneof_field_of_the_reference_is_a_nullable_with_an_inferred_inner_type():
    schemas = merged()["components"]["schemas"]
    seen = 0
    for type_name, fields in response_fields().values():
        for field_ in fields:
            if field_.wire_type == "oneOf":
                prop = schemas[type_name]["properties"][field_.name]
                assert prop["x-provenance"] == "documented", f"{type_name}.{field_.name}"
                assert [b["x-provenance"] for b in prop["oneOf"]] == ["upstream", "inferred"]
                seen += 1
    assert seen >= 13


def test_documented_enums_are_documented_where_their_fields_are_inferred():
    """NOTES §6 documents PartStatusV1 and procurements.v1.buyer.Status (the enum nodes, with their values); the
    fields that carry them are not named by the sources (PartV1.status; the procurement status's place)."""
    schemas = merged()["components"]["schemas"]
    enums = notes_enums()
    assert set(enums) == {"PartStatusV1", "procurements.v1.buyer.Status"}
    for enum_name, values in enums.items():
        assert schemas[enum_name]["enum"] == values
        assert schemas[enum_name]["x-provenance"] == "documented", enum_name
    carriers = [(schema_name, prop) for schema_name, schema in schemas.items()
                for prop, prop_schema in schema.get("properties", {}).items()
                if prop_schema.get("$ref", "").removeprefix("#/components/schemas/") in enums]
    assert len(carriers) == 5
    for schema_name, prop in carriers:
        assert schemas[schema_name]["properties"][prop]["x-provenance"] == "inferred", f"{schema_name}.{prop}"


# --------------------------------------------------------------------------- security


def test_security_schemes():
    for name in ("openapi.json", "extensions.json"):
        schemes = doc(name)["components"]["securitySchemes"]
        assert schemes["bearerAuth"]["type"] == "http"
        assert schemes["bearerAuth"]["scheme"].lower() == "bearer"
        assert schemes["integrationId"] == schemes["integrationId"] | {
            "type": "apiKey",
            "in": "header",
            "name": "Partly-Integration-ID",
        }


def test_both_schemes_on_every_operation_but_integrations_insert():
    seen = 0
    for name in ("openapi.json", "extensions.json"):
        document = doc(name)
        for op_id, (_, op) in operations(document).items():
            effective = op.get("security", document.get("security"))
            if op_id == UNAUTHENTICATED:
                assert effective == [], "integrations.insert is the one unauthenticated method"
            else:
                assert effective, f"{op_id}: no security"
                for alternative in effective:  # alternatives are OR-ed: each must need both
                    assert set(alternative) == SECURED_BY, f"{op_id}: {alternative}"
            # The reference's own curl example agrees.
            assert reference()[op_id].curl_authenticated is (op_id != UNAUTHENTICATED), op_id
            seen += 1
    assert seen == 17


# --------------------------------------------------------------------------- errors


def test_error_unions_are_the_reference_kinds_plus_bad_request():
    full = merged()
    for name in wire_names():
        listed = reference()[name].errors
        assert listed, f"{name}: the reference lists no errors"
        kinds, bare = error_kinds(full, operations(full)[name][1])
        assert kinds == set(listed) | {"bad_request"}, name
        assert bare is reference()[name].bare_errors, f"{name}: D24 marker"
    assert [n for n in wire_names() if reference()[n].bare_errors] == [D24_METHOD]


def test_extension_error_unions_are_type_tagged_and_include_bad_request():
    full = merged()
    for name in extension_names():
        kinds, bare = error_kinds(full, operations(full)[name][1])
        assert not bare
        assert {"unauthorized", "forbidden", "bad_request"} <= kinds, name


KIND_PROVENANCE = "x-kind-provenance"


def _union(document: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    return refs.resolve(document, op["responses"]["default"]["content"]["application/json"]["schema"])


def test_union_membership_provenance_follows_the_errors_lines():
    """A 2026-01 method's union is documented: its kinds are the reference's `Errors` line. `bad_request` where that
    line does not list it is an inferred member (`x-kind-provenance` on the union; every `x-error-statuses` entry
    says the same, beside the status's own `x-provenance`)."""
    full = merged()
    inferred_members = []
    for name in wire_names():
        _, op = operations(full)[name]
        union = _union(full, op)
        kinds, _ = error_kinds(full, op)
        listed = set(reference()[name].errors or [])
        assert union["x-provenance"] == "documented", name
        expected = {kind: "documented" if kind in listed else "inferred" for kind in kinds}
        assert union[KIND_PROVENANCE] == expected, name
        assert {k: e[KIND_PROVENANCE] for k, e in op["x-error-statuses"].items()} == expected, name
        inferred_members += [f"{name}.{kind}" for kind, p in expected.items() if p == "inferred"]
    assert inferred_members == [f"{n}.bad_request" for n in wire_names() if "bad_request" not in reference()[n].errors]
    assert len(inferred_members) == len(wire_names()) - 1, "only baskets.latest.get lists bad_request"


def test_extension_error_unions_are_inferred():
    """The reference lists no errors for the extensions: each union, every node of it and every member is
    inferred (the statuses per kind still follow NOTES §4)."""
    full = merged()
    for name in extension_names():
        assert reference()[name].errors is None, name
        _, op = operations(full)[name]
        union = _union(full, op)
        assert {node["x-provenance"] for _, node in subschemas(union, "")} == {"inferred"}, name
        kinds, _ = error_kinds(full, op)
        assert union[KIND_PROVENANCE] == dict.fromkeys(kinds, "inferred"), name
        assert {e[KIND_PROVENANCE] for e in op["x-error-statuses"].values()} == {"inferred"}, name


def test_notes_give_a_status_for_every_kind():
    statuses = notes_error_statuses()
    assert statuses["unauthorized"] == (401, "documented")
    assert statuses["bad_request"] == (400, "documented")
    assert statuses["unprocessable"] == (422, "inferred")
    every_kind = {k for n in wire_names() for k in reference()[n].errors or []}
    assert every_kind | {"bad_request"} <= set(statuses)


def test_error_statuses_follow_notes_section_4():
    full = merged()
    statuses = notes_error_statuses()
    for op_id, (_, op) in operations(full).items():
        kinds, _ = error_kinds(full, op)
        declared = op["x-error-statuses"]
        assert set(declared) == kinds, f"{op_id}: x-error-statuses vs union"
        for kind, entry in declared.items():
            status, provenance = statuses[kind]
            assert entry["status"] == status, f"{op_id}.{kind}"
            assert entry["x-provenance"] == provenance, f"{op_id}.{kind}"
            assert f"`{kind}` {status}" in op["responses"]["default"]["description"], f"{op_id}.{kind}"


def test_d24_parts_insert_errors_are_bare_strings_and_the_rest_are_type_tagged():
    full = merged()
    checked = 0
    for op_id, (_, op) in operations(full).items():
        kinds, _ = error_kinds(full, op)
        v = validator(error_pointer(op_id))
        if op_id == D24_METHOD:
            assert v.is_valid("not_found")
            assert not v.is_valid({"type": "not_found"})
            assert not v.is_valid("teapot")
            for kind in kinds:
                assert v.is_valid(kind) and not v.is_valid({"type": kind})
        else:
            for kind in kinds:
                assert v.is_valid({"type": kind}), f"{op_id}: {kind}"
                assert v.is_valid({"type": kind, "detail": "extra keys allowed"})
                assert not v.is_valid(kind), f"{op_id}: bare {kind} must not validate"
            assert not v.is_valid({"type": "teapot"})
            assert not v.is_valid({})
        checked += 1
    assert checked == 17


# --------------------------------------------------------------------------- request bodies


def test_every_curl_body_of_the_reference_validates():
    exceptions = []
    for name, method in reference().items():
        body = method.curl_body
        errors = list(validator(request_pointer(name)).iter_errors(body))
        if name == PLACEHOLDER_EXCEPTION:
            # `{"identity":{"id":"<invoice_id from invoices.list>"}}`: a placeholder, not a uuid.
            assert body["identity"]["id"].startswith("<")
            assert errors and all(
                e.validator == "format" and list(e.path) == ["identity", "id"] for e in errors
            )
            filled = copy.deepcopy(body)
            filled["identity"]["id"] = A_UUID
            assert validator(request_pointer(name)).is_valid(filled)
            exceptions.append(name)
        else:
            assert not errors, f"{name}: {[e.message for e in errors]}"
    assert exceptions == [PLACEHOLDER_EXCEPTION]


IDENTITY_SCHEMAS = ("JobIdentityV1", "ProcurementIdentityV1")  # NOTES §8 labels them, not the Request lines


def _request_properties(document: dict[str, Any], schema: dict[str, Any], where: str) -> Any:
    """(pointer, name, property) of every property of a request schema, following $refs into named schemas
    (each once) but not into the identity selectors."""
    seen: set[str] = set()
    todo = [(where, schema)]
    while todo:
        base, root = todo.pop()
        for pointer, node in subschemas(root, base):
            if "$ref" in node:
                name = node["$ref"].removeprefix("#/components/schemas/")
                if name not in seen and name not in IDENTITY_SCHEMAS:
                    seen.add(name)
                    todo.append((schema_pointer(name), document["components"]["schemas"][name]))
            for prop, prop_schema in node.get("properties", {}).items():
                yield f"{pointer}/properties/{prop}", prop, prop_schema


def test_wire_request_labels_are_the_reference_request_lines():
    """Documented: the request fields a `Request ... — required:` line lists. Everything else a request schema
    holds is inferred, also what only the curl example shows (parts' description and quantity, tier1's vin,
    jobs.insert's work_provider_id): an example is one valid body, not the contract."""
    full = merged()
    for name in wire_names():
        required = REQUEST_LINE.match(reference()[name].line("Request ") or "").group(2)  # type: ignore[union-attr]
        listed = set() if required == "none" else {f.strip() for f in required.split(",")}
        _, op = operations(full)[name]
        raw = op["requestBody"]["content"]["application/json"]["schema"]
        schema = refs.resolve(full, raw)
        assert schema["x-provenance"] == "documented", f"{name}: the request type"
        for prop, prop_schema in schema["properties"].items():
            expected = "documented" if prop in listed else "inferred"
            assert prop_schema["x-provenance"] == expected, f"{name}.{prop}"
        for where, prop, prop_schema in _request_properties(full, schema, request_pointer(name)):
            if prop not in schema["properties"]:  # nested below the top level
                assert prop_schema["x-provenance"] == "inferred", f"{name}: {where}"
        for key, value in reference()[name].curl_body.items():
            if isinstance(value, list):  # parts, identifiers: the items' shape comes from the example only
                items = schema["properties"][key]["items"]
                assert items["x-provenance"] == "inferred", f"{name}.{key}[]"
                item_schema = refs.resolve(full, items)
                assert item_schema["x-provenance"] == "inferred", f"{name}.{key}[]"


def test_identity_selectors_are_documented_but_the_site_job_number_variant():
    """NOTES §8: a job identity is `{"id": <uuid>}`, `{"external": <string>}` or site + job number, exactly one
    (documented); the third variant's wire name is inferred; a procurement identity is `{"id": <uuid>}`."""
    schemas = merged()["components"]["schemas"]
    job = schemas["JobIdentityV1"]
    assert job["x-provenance"] == "documented"
    labels = {next(iter(b["properties"])): (b["x-provenance"], b["properties"]) for b in job["oneOf"]}
    assert set(labels) == {"id", "external", "site_job_number"}
    for variant in ("id", "external"):
        assert labels[variant][0] == "documented" and labels[variant][1][variant]["x-provenance"] == "documented"
    assert labels["id"][1]["id"]["format"] == "uuid" and labels["external"][1]["external"]["type"] == "string"
    site_job = [node for _, node in subschemas(job["oneOf"][2], "")]
    assert {node["x-provenance"] for node in site_job} == {"inferred"}
    procurement = schemas["ProcurementIdentityV1"]
    assert procurement["x-provenance"] == procurement["properties"]["id"]["x-provenance"] == "documented"
    assert procurement["properties"]["id"]["format"] == "uuid"


def test_extension_request_labels_are_the_reference_request_lines():
    """`job_identity + offer_selections[] (each { sellable_id, supplier_business_id, job_part_ids, quantity })`,
    `exactly one selector — procurement_identity XOR job_identity`, `identity{ id: <invoice_id> }`: the field names
    these lines give are documented, every other property (and the XOR's `not` encoding) inferred."""
    full = merged()
    for name in extension_names():
        line = reference()[name].line("Request ")
        assert line, name
        words = set(re.findall(r"[a-z_]+", re.sub(r"<[^>]*>", "", line.removeprefix("Request "))))
        named = words - {"exactly", "one", "selector", "each"}
        schema = refs.resolve(full, operations(full)[name][1]["requestBody"]["content"]["application/json"]["schema"])
        assert schema["x-provenance"] == "documented", name
        found = set()
        for where, prop, prop_schema in _request_properties(full, schema, request_pointer(name)):
            expected = "documented" if prop in named else "inferred"
            assert prop_schema["x-provenance"] == expected, f"{name}: {where}"
            found.add(prop)
        assert named <= found, f"{name}: {named - found} not in the request schema"
        for where, node in subschemas(schema, ""):
            if "/not" in where:
                assert node["x-provenance"] == "inferred", f"{name}{where}: the XOR's encoding is ours"
            elif "/oneOf/" in where and "/properties/" not in where:
                assert node["x-provenance"] == "documented", f"{name}{where}: one selector is documented"
    selections = full["components"]["schemas"]["RepairerProcurementsInsertRequestV1"]["properties"]["offer_selections"]
    assert selections["items"]["x-provenance"] == "documented", "each { ... } is documented"
    offer_selection = refs.resolve(full, selections["items"])
    assert offer_selection["properties"]["job_part_ids"]["items"]["x-provenance"] == "inferred", (
        "a job part id's type comes from the example only")


def test_every_example_validates_and_is_the_reference_body():
    full = merged()
    for op_id, (_, op) in operations(full).items():
        example = op["requestBody"]["content"]["application/json"]["example"]
        errors = [e.message for e in validator(request_pointer(op_id)).iter_errors(example)]
        assert not errors, f"{op_id}: {errors}"
        if op_id != PLACEHOLDER_EXCEPTION:
            assert example == reference()[op_id].curl_body, op_id


def test_request_schemas_reject_obvious_mistakes():
    jobs_get = validator(request_pointer("repairer.jobs.get"))
    assert not jobs_get.is_valid({})
    assert not jobs_get.is_valid({"identity": {}})
    assert not jobs_get.is_valid({"identity": {"id": A_UUID, "external": "CCC-2026-04817"}})  # two variants
    assert not jobs_get.is_valid({"identity": {"id": "not-a-uuid"}})
    assert jobs_get.is_valid({"identity": {"site_job_number": {"site_id": A_UUID, "job_number": "J-1"}}})
    invoices = validator(request_pointer("repairer.procurements.invoices.list"))
    both = {"procurement_identity": {"id": A_UUID}, "job_identity": {"id": A_UUID}}
    assert not invoices.is_valid(both), "exactly one selector"
    assert not invoices.is_valid({})
    assert invoices.is_valid({"job_identity": {"external": "CCC-2026-04817"}})


# --------------------------------------------------------------------------- D52

OFFER = {
    "sellable_id": "0f000000-0000-4000-8000-000000000007",
    "supplier_business_id": "0b000000-0000-4000-8000-000000000010",
    "job_part_ids": ["0e000000-0000-4000-8000-000000000004"],
    "unit_price": "452.17",
}
SUPPLIER = {"id": "0b000000-0000-4000-8000-000000000010", "name": "Christchurch Toyota"}


@pytest.mark.parametrize("key", ["currency", "currency_code"])
def test_d52_offer_and_basket_reject_a_currency_key(key):
    offer = validator(schema_pointer("OfferV1"))
    basket = validator(schema_pointer("BasketsLatestGetResponseV1"))
    assert offer.is_valid(OFFER)
    assert basket.is_valid({"offers": [OFFER], "suppliers": [SUPPLIER]})
    assert not offer.is_valid(OFFER | {key: "NZD"})
    assert not basket.is_valid({"offers": [OFFER], "suppliers": [SUPPLIER], key: "NZD"})
    assert not basket.is_valid({"offers": [OFFER | {key: "NZD"}], "suppliers": [SUPPLIER]})
    assert not basket.is_valid({"offers": [OFFER], "suppliers": [SUPPLIER | {key: "NZD"}]})


def _procurement(side: str) -> dict[str, Any]:
    party = {"id": A_UUID, "name": "Christchurch Toyota"}
    base = {
        "created_at": "2026-01-15T09:30:00Z",
        "updated_at": "2026-01-15T09:30:00Z",
        "currency_code": "NZD",
        "id": "10000000-0000-4000-8000-000000000001",
        "job_id": A_UUID,
        "reference": None,
        "total_shipping_price": "25.00",
        "vehicle": {"vin": "JTDBR32E730012345", "make": "Toyota", "model": "Corolla", "year": 2019},
        "source_items": [
            {
                "id": A_UUID,
                "job_part_id": A_UUID,
                "quantity": 1,
                "unit_price": "537.00",
                "status": "order_requested",
            }
        ],
    }
    if side == "buyer":
        return base | {"supplier_business": party, "supplier_organization": party}
    address = {"line1": "1 Main St", "city": "Christchurch", "country_code": "NZ"}
    return base | {"buyer_business": party, "buyer_organization": party, "buyer_shipping_address": address}


@pytest.mark.parametrize("side", ["buyer", "supplier"])
def test_d52_procurements_carry_currency_code(side):
    name = f"procurements.v1.{side}.Procurement"
    v = validator(schema_pointer(name))
    procurement = _procurement(side)
    assert v.is_valid(procurement)
    assert "currency_code" in merged()["components"]["schemas"][name]["required"]
    assert not v.is_valid({k: val for k, val in procurement.items() if k != "currency_code"})
    assert not v.is_valid(procurement | {"currency_code": "nzd"})
    assert v.is_valid(procurement | {"status": "order_confirmed"}), "optional top-level status"
    assert not v.is_valid(procurement | {"total_shipping_price": 25.0}), "money is a decimal string"


def test_d52_invoices_carry_currency_code():
    assert "currency_code" in merged()["components"]["schemas"]["InvoiceV1"]["required"]


# --------------------------------------------------------------------------- open responses


def _response_schema_names(document: dict[str, Any]) -> set[str]:
    """Named schemas reachable from a 200 response."""
    todo = [
        op["responses"]["200"]["content"]["application/json"]["schema"]
        for _, op in operations(document).values()
    ]
    names: set[str] = set()
    while todo:
        for _, node in walk(todo.pop()):
            ref = node.get("$ref")
            if isinstance(ref, str) and (name := ref.removeprefix("#/components/schemas/")) not in names:
                names.add(name)
                todo.append(document["components"]["schemas"][name])
    return names


def test_response_schemas_are_open_to_extra_properties():
    full = merged()
    names = _response_schema_names(full)
    assert {"JobV1", "procurements.v1.buyer.Procurement", "OfferV1", "InvoiceV1"} <= names
    for name in names:
        for where, node in walk(full["components"]["schemas"][name]):
            assert node.get("additionalProperties", True) is not False, f"{name}{where}"
            assert node.get("unevaluatedProperties", True) is not False, f"{name}{where}"


def test_a_procurement_and_a_job_with_unknown_properties_still_validate():
    extra = {"x_server_only": {"anything": [1, "two"]}}
    for side in ("buyer", "supplier"):
        procurement = _procurement(side) | extra
        procurement["source_items"][0] |= extra
        procurement["vehicle"] |= extra
        assert validator(schema_pointer(f"procurements.v1.{side}.Procurement")).is_valid(procurement)
    job = {
        "id": A_UUID,
        "images": [{"id": A_UUID, "url": "https://x/i.jpg"} | extra],
        "repairer_site_id": A_UUID,
    }
    assert validator(schema_pointer("JobV1")).is_valid(job | extra)
    assert not validator(schema_pointer("JobV1")).is_valid({"id": A_UUID, "images": []}), (
        "required still holds"
    )


# --------------------------------------------------------------------------- provenance


# JSON Schema 2020-12 keywords whose values are subschemas: by name, in a list, or as the schema itself
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
SUBSCHEMA_LISTS = ("oneOf", "anyOf", "allOf", "prefixItems")
SUBSCHEMA_ONE = ("items", "not", "additionalProperties", "contains", "if", "then", "else", "propertyNames",
                 "unevaluatedItems", "unevaluatedProperties", "contentSchema")


def subschemas(schema: Any, where: str) -> Any:
    """Yield (pointer, node) for `schema` and every schema nested in it (not following $refs)."""
    if not isinstance(schema, dict):
        return
    yield where, schema
    for keyword in SUBSCHEMA_MAPS:
        for key, value in (schema.get(keyword) or {}).items():
            yield from subschemas(value, f"{where}/{keyword}/{refs.escape(key)}")
    for keyword in SUBSCHEMA_ONE:
        if isinstance(schema.get(keyword), dict):
            yield from subschemas(schema[keyword], f"{where}/{keyword}")
    for keyword in SUBSCHEMA_LISTS:
        for index, value in enumerate(schema.get(keyword) or []):
            yield from subschemas(value, f"{where}/{keyword}/{index}")


def media_schemas(document: dict[str, Any]) -> Any:
    """Yield (pointer, schema) for the request and response schema of every operation."""
    for path, item in document["paths"].items():
        op = f"/paths/{refs.escape(path)}/post"
        for media_path, media in (("requestBody", item["post"]["requestBody"]),
                                  *((f"responses/{code}", r) for code, r in item["post"]["responses"].items())):
            for media_type, content in media.get("content", {}).items():
                yield f"{op}/{media_path}/content/{refs.escape(media_type)}/schema", content["schema"]


def schema_nodes(document: dict[str, Any]) -> Any:
    """Yield (pointer, node) for every schema node of the document: every named schema and every media-type
    schema, with every subschema nested in them. A media-type schema that is only a `$ref` to a named schema
    is a pointer, not a node of its own: the named schema carries the label."""
    for where, schema in media_schemas(document):
        if set(schema) == {"$ref"}:
            assert schema["$ref"].startswith("#/components/schemas/"), where
            continue
        yield from subschemas(schema, where)
    for name, schema in document["components"]["schemas"].items():
        yield from subschemas(schema, schema_pointer(name))


def unlabelled(document: dict[str, Any]) -> list[str]:
    """Every operation and schema node without a provenance label."""
    missing = [f"operation {op_id}" for op_id, (_, op) in operations(document).items()
               if op.get("x-provenance") not in PROVENANCE]
    missing += [where for where, node in schema_nodes(document) if node.get("x-provenance") not in PROVENANCE]
    return missing


@pytest.mark.parametrize("name", ["openapi.json", "extensions.json"])
def test_provenance_on_every_operation_and_schema_node(name):
    """Every operation and every schema node (named schema, property, `items`, `oneOf`/`anyOf`/`allOf` branch,
    `not`, ...), a bare `$ref` too: the judge takes a node's own label before its $ref target's."""
    document = doc(name)
    assert set(document["components"]) == {"securitySchemes", "schemas"}, "schemas only where this test looks"
    assert not unlabelled(document), unlabelled(document)
    nodes = [where for where, _ in schema_nodes(document)]
    assert len(nodes) > (150 if name == "openapi.json" else 40)
    for keyword in ("/items", "/oneOf/1", "/not") + (("/not/anyOf/0",) if name == "openapi.json" else ()):
        assert any(where.endswith(keyword) for where in nodes), f"the walk reaches {keyword}"


def test_the_provenance_walk_finds_an_unlabelled_node_anywhere():
    """Guard for the test above: a label missing deep down (a bare $ref in `items`, a `not` branch) is found."""
    document = doc("openapi.json")
    schemas = document["components"]["schemas"]
    del schemas["JobV1"]["properties"]["images"]["items"]["x-provenance"]
    del schemas["OfferV1"]["not"]["anyOf"][1]["x-provenance"]
    del schemas["JobV1"]["properties"]["vehicle"]["oneOf"][1]["x-provenance"]
    assert unlabelled(document) == [
        "/components/schemas/OfferV1/not/anyOf/1",
        "/components/schemas/JobV1/properties/images/items",
        "/components/schemas/JobV1/properties/vehicle/oneOf/1",
    ]


def test_the_spec_says_it_is_a_reconstruction():
    for name in ("openapi.json", "extensions.json"):
        info = doc(name)["info"]
        assert info["x-provenance"]["reconstructed"] is True
        assert set(info["x-provenance"]["levels"]) == PROVENANCE
        assert (
            "reconstruct" in info["title"].lower() + info["description"].lower() or name == "extensions.json"
        )
    assert "NOT" in doc("extensions.json")["info"]["title"]


def test_inferred_decisions_are_marked_inferred():
    schemas = merged()["components"]["schemas"]
    assert schemas["MoneyAmountV1"]["x-provenance"] == "inferred"
    assert schemas["CurrencyCodeV1"]["x-provenance"] == "inferred"
    site_job = schemas["JobIdentityV1"]["oneOf"][2]
    assert "site_job_number" in site_job["required"] and site_job["x-provenance"] == "inferred"
    assert schemas["procurements.v1.buyer.SourceItem"]["properties"]["status"]["x-provenance"] == "inferred"
    assert schemas["procurements.v1.buyer.Procurement"]["properties"]["status"]["x-provenance"] == "inferred"
    assert "status" not in schemas["procurements.v1.buyer.Procurement"]["required"]
    # a required request field is documented, but the values it may take beyond the example are ours
    uploads = schemas["UploadsPrepareRequestV1"]["properties"]
    for key, example in (("media_type", "image"), ("type", "job_media")):
        assert uploads[key]["x-provenance"] == "documented" and len(uploads[key]["enum"]) > 1
        assert "inferred" in uploads[key]["description"] and example in uploads[key]["enum"]


# --------------------------------------------------------------------------- links


def _schema_at(document: dict[str, Any], schema: dict[str, Any], pointer: str, where: str) -> dict[str, Any]:
    schema = refs.resolve(document, schema)
    for token in pointer.strip("/").split("/"):
        if token.isdigit():
            assert schema.get("type") == "array", f"{where}: /{token} on a non-array"
            schema = refs.resolve(document, schema["items"])
            continue
        candidates = [schema, *(refs.resolve(document, b) for b in schema.get("oneOf", []))]
        found = [c["properties"][token] for c in candidates if token in c.get("properties", {})]
        assert found, f"{where}: no field {token!r} in the source response"
        schema = refs.resolve(document, found[0])
        if "oneOf" in schema:  # a nullable field: follow its non-null branch
            schema = refs.resolve(document, next(b for b in schema["oneOf"] if b.get("type") != "null"))
    return schema


def test_links_name_real_operations_and_real_response_fields():
    full = merged()
    ops = operations(full)
    links = 0
    for op_id, (_, op) in ops.items():
        for code, response in op["responses"].items():
            for link_name, link in response.get("links", {}).items():
                where = f"{op_id} {code} {link_name}"
                assert link["operationId"] in ops, f"{where}: unknown operation {link['operationId']}"
                source = response["content"]["application/json"]["schema"]
                expressions = [
                    (p, v)
                    for p, v in _leaves(link.get("requestBody", {}))
                    if isinstance(v, str) and v.startswith("$")
                ]
                assert expressions, where
                for _, expression in expressions:
                    assert expression.startswith("$response.body#/"), f"{where}: {expression}"
                    target = _schema_at(full, source, expression.split("#", 1)[1], where)
                    assert target.get("format") == "uuid", f"{where}: {expression} is not an id"
                # With the expressions filled in, what the link supplies fits the target's request (the
                # rest of the body, e.g. parts.insert's `parts`, is generated: only top-level `required`
                # may be unmet).
                body = _fill(link["requestBody"])
                errors = validator(request_pointer(link["operationId"])).iter_errors(body)
                wrong = [e.message for e in errors if not (e.validator == "required" and not e.path)]
                assert not wrong, f"{where}: {body}: {wrong}"
                links += 1
    assert links >= 10
    linked = {
        link["operationId"]
        for _, op in ops.values()
        for r in op["responses"].values()
        for link in r.get("links", {}).values()
    }
    assert {
        "repairer.jobs.get",
        "repairer.jobs.parts.insert",
        "repairer.jobs.parts.list",
        "repairer.jobs.baskets.latest.get",
        "repairer.procurements.get",
    } <= linked


def _leaves(node: Any, path: tuple = ()) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path, node


def _fill(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v) for v in node]
    return A_UUID if isinstance(node, str) and node.startswith("$") else node
