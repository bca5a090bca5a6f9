"""Steps about /openapi.json and /docs: read as a client would, checked against the router."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import falcon.inspect
import jsonschema
from openapi_spec_validator import OpenAPIV31SpecValidator
from pytest_bdd import parsers, then, when

from steps.grammar import step
from steps.http import Exchange, send
from steps.shop_client import InProcessShop

SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "open to everyone": [],
    "for a bearer token": [{"bearerAuth": []}],
    "open to everyone, a token optional": [{}, {"bearerAuth": []}],
}


def document(exchange: Exchange) -> dict[str, Any]:
    response = exchange.last
    assert response.status_code == 200, response.text
    doc: dict[str, Any] = response.json
    return doc


def operation(exchange: Exchange, method: str, path: str) -> dict[str, Any]:
    paths = document(exchange)["paths"]
    assert path in paths, sorted(paths)
    assert method.lower() in paths[path], sorted(paths[path])
    found: dict[str, Any] = paths[path][method.lower()]
    return found


def resolve(exchange: Exchange, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema itself when `schema` is a `$ref` into components."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.removeprefix("#/components/schemas/")
    resolved: dict[str, Any] = document(exchange)["components"]["schemas"][name]
    return resolved


def body_schema(exchange: Exchange, method: str, path: str) -> dict[str, Any]:
    content = operation(exchange, method, path)["requestBody"]["content"]
    assert list(content) == ["application/json"], content
    return resolve(exchange, content["application/json"]["schema"])


def words(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


@when("a client reads the OpenAPI document")
def read_document(exchange: Exchange, shop: InProcessShop) -> None:
    send(exchange, shop, "GET", "/openapi.json")


@then("the response is a valid OpenAPI 3.1 document")
def valid_openapi(exchange: Exchange) -> None:
    doc = document(exchange)
    assert doc["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(doc).validate()


@then("its operations are exactly the shop's routes and their methods")
def operations_are_routes(exchange: Exchange, shop: InProcessShop) -> None:
    routed = {
        (method.method, re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path))
        for route in falcon.inspect.inspect_routes(shop.app)
        for method in route.methods
        # The documentation pages' own files and other addresses are served, not part of the API.
        # HEAD goes with every GET, as HTTP has it: the document lists the GET.
        if not method.internal
        and method.method not in ("OPTIONS", "HEAD")
        and route.class_name not in ("DocsFiles", "ToPage", "Favicon")
    }
    documented = {
        (method.upper(), path)
        for path, item in document(exchange)["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert documented == routed, documented ^ routed


@then(step('it documents {method:method} "{path:q}" with the statuses {statuses}'))
def documents_statuses(exchange: Exchange, method: str, path: str, statuses: str) -> None:
    responses = operation(exchange, method, path)["responses"]
    assert sorted(responses) == sorted(statuses.split()), sorted(responses)


@then(parsers.re(r'it says (?P<method>[A-Z]+) "(?P<path>[^"]+)" is (?P<security>.+)$'))
def says_security(exchange: Exchange, method: str, path: str, security: str) -> None:
    assert operation(exchange, method, path).get("security") == SECURITY[security]


@then(
    parsers.re(
        r'the body of (?P<method>[A-Z]+) "(?P<path>[^"]+)" requires (?P<fields>.+)'
        r" and allows (?P<others>no )?other fields"
    )
)
def body_requires(exchange: Exchange, method: str, path: str, fields: str, others: str | None) -> None:
    schema = body_schema(exchange, method, path)
    assert set(schema.get("required", [])) == set(words(fields)), schema
    assert schema.get("additionalProperties", True) is (others is None), schema


@then(step('the schema "{name:q}" has "{field:q}" as a string matching "{pattern:q}"'))
def schema_has_pattern(exchange: Exchange, name: str, field: str, pattern: str) -> None:
    prop = document(exchange)["components"]["schemas"][name]["properties"][field]
    assert prop["type"] == "string" and prop["pattern"] == pattern, prop


@then(step('the body of {method:method} "{path:q}" takes "{field:q}" as a string or a number'))
def takes_string_or_number(exchange: Exchange, method: str, path: str, field: str) -> None:
    prop = resolve(exchange, body_schema(exchange, method, path)["properties"][field])
    assert {choice["type"] for choice in prop["anyOf"]} == {"string", "number"}, prop


@then(step('every 4xx and 5xx answer in it is "{media_type:q}" with the schema "{name:q}"'))
def errors_are_problems(exchange: Exchange, media_type: str, name: str) -> None:
    checked = 0
    for item in document(exchange)["paths"].values():
        for op in item.values():
            for status, answer in op["responses"].items():
                if status[0] in "45":
                    assert list(answer["content"]) == [media_type], (op["operationId"], status)
                    assert answer["content"][media_type]["schema"] == {"$ref": f"#/components/schemas/{name}"}
                    checked += 1
    assert checked > 50, checked


@then(
    parsers.re(r'the 201 answer of POST "(?P<path>[^"]+)" links to GET, PATCH and DELETE "(?P<item>[^"]+)" by its id')
)
def links_to_item(exchange: Exchange, path: str, item: str) -> None:
    links = operation(exchange, "POST", path)["responses"]["201"]["links"]
    parameter = item.rsplit("{", 1)[1].rstrip("}")
    targets = {link["operationId"] for link in links.values()}
    expected = {operation(exchange, method, item)["operationId"] for method in ("GET", "PATCH", "DELETE")}
    assert targets == expected, links
    assert all(link["parameters"] == {parameter: "$response.body#/id"} for link in links.values()), links


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def page_assets(exchange: Exchange) -> list[str]:
    parser = _Assets()
    parser.feed(exchange.last.text)
    assert parser.urls, exchange.last.text
    return parser.urls


@then("every script and stylesheet the page loads is served by the shop")
def assets_served(exchange: Exchange, shop: InProcessShop) -> None:
    kinds = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}
    for url in page_assets(exchange):
        path = urljoin("/docs", url)
        response = shop.request("GET", path)
        assert response.status_code == 200, (path, response.status_code)
        suffix = "." + path.rsplit(".", 1)[1]
        assert response.headers["Content-Type"].startswith(kinds[suffix]), (path, response.headers)
        assert len(response.content) > 100, path


@then("the page has no inline script")
def no_inline_script(exchange: Exchange) -> None:
    # What the page's Content-Security-Policy (script-src 'self') would block.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", exchange.last.text, flags=re.S | re.I)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts), scripts
    assert not re.search(r"\son[a-z]+\s*=", exchange.last.text, flags=re.I)  # no onload=... handlers


@then("the page loads nothing from another origin")
def nothing_external(exchange: Exchange) -> None:
    assert not [url for url in page_assets(exchange) if re.match(r"^([a-z]+:)?//", url)]
    assert "http://" not in exchange.last.text and "https://" not in exchange.last.text


@then(step('its security scheme "{name:q}" is an HTTP bearer JWT'))
def bearer_scheme(exchange: Exchange, name: str) -> None:
    scheme = document(exchange)["components"]["securitySchemes"][name]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer" and scheme["bearerFormat"] == "JWT", scheme


@when(parsers.re(r"a client loads the script that starts (?P<viewer>Swagger UI|ReDoc)"))
def load_initializer(exchange: Exchange, shop: InProcessShop, viewer: str) -> None:
    page, script = {"Swagger UI": ("/docs", "/init.js"), "ReDoc": ("/redoc", "/redoc-init.js")}[viewer]
    send(exchange, shop, "GET", page)
    scripts = [url for url in page_assets(exchange) if url.endswith(script)]
    assert len(scripts) == 1, page_assets(exchange)
    send(exchange, shop, "GET", urljoin(page, scripts[0]))


@then(step('it reads "{url:q}"'))
def redoc_initializer(exchange: Exchange, url: str) -> None:
    assert exchange.last.status_code == 200
    assert f'Redoc.init("{url}"' in exchange.last.text, exchange.last.text


@then(step('it reads "{url:q}" and keeps the authorization in the page\'s memory only'))
def initializer_settings(exchange: Exchange, url: str) -> None:
    script = exchange.last.text
    assert exchange.last.status_code == 200
    assert f'url: "{url}"' in script, script
    # Swagger UI writes the token to localStorage only when told to persist it.
    assert "persistAuthorization: false" in script, script
    assert "localStorage" not in script, script


@then(step('GET "{path:q}" on the host application names the server "{prefix:q}"'))
def names_server(host: InProcessShop, path: str, prefix: str) -> None:
    response = host.request("GET", path)
    assert response.status_code == 200
    assert response.json["servers"] == [{"url": prefix}]


# -- What generators and validators read ---------------------------------------

# JSON Schema 2020-12's keywords, and the few OpenAPI 3.1 adds to a schema.
_KEYWORDS = (
    "$schema $id $ref $defs $anchor $dynamicRef $dynamicAnchor $vocabulary $comment "
    "allOf anyOf oneOf not if then else dependentSchemas prefixItems items contains properties "
    "patternProperties additionalProperties propertyNames unevaluatedItems unevaluatedProperties "
    "type enum const multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength "
    "pattern maxItems minItems uniqueItems maxContains minContains maxProperties minProperties required "
    "dependentRequired title description default deprecated readOnly writeOnly examples format "
    "contentEncoding contentMediaType contentSchema discriminator xml externalDocs example"
)
SCHEMA_KEYWORDS = frozenset(_KEYWORDS.split())
_SUBSCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def schemas_in(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every schema the document holds, with where it is: components, parameters, bodies, answers, headers."""
    found: list[tuple[str, Any]] = [(f"schemas/{name}", s) for name, s in doc["components"]["schemas"].items()]
    found += [(f"headers/{name}", h["schema"]) for name, h in doc["components"]["headers"].items()]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            found += [(f"{where} ?{p['name']}", p["schema"]) for p in op.get("parameters", [])]
            for media in op.get("requestBody", {}).get("content", {}).values():
                found.append((f"{where} body", media["schema"]))
            for status, answer in op["responses"].items():
                for media in answer.get("content", {}).values():
                    found.append((f"{where} {status}", media["schema"]))
    every: list[tuple[str, dict[str, Any]]] = []
    while found:
        where, schema = found.pop()
        if not isinstance(schema, dict):
            continue
        every.append((where, schema))
        found += [(f"{where}/{key}", schema[key]) for key in _SUBSCHEMA if key in schema]
        for key in _SUBSCHEMA_MAPS:
            found += [(f"{where}/{key}/{name}", s) for name, s in schema.get(key, {}).items()]
        for key in _SUBSCHEMA_LISTS:
            found += [(f"{where}/{key}/{i}", s) for i, s in enumerate(schema.get(key, []))]
    return every


def query_parameter(exchange: Exchange, method: str, path: str, name: str) -> dict[str, Any]:
    parameters = {p["name"]: p for p in operation(exchange, method, path).get("parameters", []) if p["in"] == "query"}
    assert name in parameters, sorted(parameters)
    parameter: dict[str, Any] = parameters[name]
    return parameter


@then("no two schemas in it share a title")
def titles_unique(exchange: Exchange) -> None:
    titles = [schema.get("title", name) for name, schema in document(exchange)["components"]["schemas"].items()]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)


@then(step('the schema "{name:q}" is titled "{title:q}"'))
def schema_titled(exchange: Exchange, name: str, title: str) -> None:
    assert document(exchange)["components"]["schemas"][name]["title"] == title


@then("every schema in it uses JSON Schema keywords only")
def json_schema_keywords(exchange: Exchange) -> None:
    schemas = schemas_in(document(exchange))
    assert len(schemas) > 100, len(schemas)
    strange = {
        (where, key) for where, schema in schemas for key in schema if key not in SCHEMA_KEYWORDS and key[:2] != "x-"
    }
    assert not strange, sorted(strange)


@then(step('no parameter in it has "{word:q}"'))
def no_parameter_has(exchange: Exchange, word: str) -> None:
    for item in document(exchange)["paths"].values():
        for op in item.values():
            for parameter in op.get("parameters", []):
                assert word not in parameter, (op["operationId"], parameter)


@then(step('its info names the license "{spdx:q}"'))
def license_named(exchange: Exchange, spdx: str) -> None:
    assert document(exchange)["info"]["license"] == {"name": spdx, "identifier": spdx}


@then(
    step('the query parameter "{name:q}" of {method:method} "{path:q}" is an integer from {minimum:d} to {maximum:d}')
)
def query_bounds(exchange: Exchange, name: str, method: str, path: str, minimum: int, maximum: int) -> None:
    schema = query_parameter(exchange, method, path, name)["schema"]
    assert (schema["type"], schema["minimum"], schema["maximum"]) == ("integer", minimum, maximum), schema


@then(parsers.re(r'the query parameter "(?P<name>\w+)" has no default on (?P<operations>.+)$'))
def no_default(exchange: Exchange, name: str, operations: str) -> None:
    for method, path in re.findall(r'([A-Z]+) "([^"]+)"', operations):
        assert "default" not in query_parameter(exchange, method, path, name)["schema"], (method, path)


@then(step('the query parameter "{name:q}" of {method:method} "{path:q}" has the default {value:d}'))
def has_default(exchange: Exchange, name: str, method: str, path: str, value: int) -> None:
    assert query_parameter(exchange, method, path, name)["schema"]["default"] == value


@then(step('the query parameter "{name:q}" of {method:method} "{path:q}" is a string matching "{pattern:q}"'))
def query_string(exchange: Exchange, name: str, method: str, path: str, pattern: str) -> None:
    parameter = query_parameter(exchange, method, path, name)
    assert parameter["schema"] == {"type": "string", "pattern": pattern}, parameter
    assert "JSON" not in parameter.get("description", ""), parameter


@then(step('the query parameter "{name:q}" of {method:method} "{path:q}" names its values:'))
def names_values(exchange: Exchange, name: str, method: str, path: str, datatable: list[list[str]]) -> None:
    schema = query_parameter(exchange, method, path, name)["schema"]
    named = dict(zip(schema["enum"], schema["x-enum-varnames"], strict=True))
    for value, varname in datatable[1:]:
        assert named[value] == varname, named


@then(step('the schema "{name:q}" names the "{field:q}" "{value:q}" as "{varname:q}"'))
def schema_names_value(exchange: Exchange, name: str, field: str, value: str, varname: str) -> None:
    prop = document(exchange)["components"]["schemas"][name]["properties"][field]
    assert dict(zip(prop["enum"], prop["x-enum-varnames"], strict=True))[value] == varname, prop


@then("these answers document these headers:")
def answers_document_headers(exchange: Exchange, datatable: list[list[str]]) -> None:
    for method, path, status, header in datatable[1:]:
        answer = operation(exchange, method, path)["responses"][status]
        assert answer["headers"][header] == {"$ref": f"#/components/headers/{header}"}, (method, path, status)


@then("every response header it defines is used by some answer")
def headers_used(exchange: Exchange) -> None:
    doc = document(exchange)
    used = {
        name
        for item in doc["paths"].values()
        for op in item.values()
        for answer in op["responses"].values()
        for name in answer.get("headers", {})
    }
    assert set(doc["components"]["headers"]) == used, set(doc["components"]["headers"]) ^ used


@then(
    parsers.re(
        r'the "(?P<field>\w+)" of the body of (?P<method>[A-Z]+) "(?P<path>[^"]+)" '
        r"(?P<verdict>takes|refuses) (?P<value>.+)$"
    )
)
def money_schema_verdict(exchange: Exchange, field: str, method: str, path: str, verdict: str, value: str) -> None:
    schema = resolve(exchange, body_schema(exchange, method, path)["properties"][field])
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert validator.is_valid(json.loads(value)) == (verdict == "takes"), (value, schema)


@then(step('the query parameters "{first:q}" and "{second:q}" of {method:method} "{path:q}" take an empty value'))
def takes_empty(exchange: Exchange, first: str, second: str, method: str, path: str) -> None:
    for name in (first, second):
        parameter = query_parameter(exchange, method, path, name)
        assert jsonschema.Draft202012Validator(parameter["schema"]).is_valid(""), parameter
        assert "not given" in parameter["description"], parameter


# -- Examples --------------------------------------------------------------------


def _examples(node: Any, where: str = "") -> list[tuple[str, dict[str, Any], Any]]:
    """Every example in the document, with the schema it stands beside: a schema's
    own `examples`, and a media type's `example` beside its `schema`."""
    found: list[tuple[str, dict[str, Any], Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list) and "content" not in node:
            schema = {key: value for key, value in node.items() if key != "examples"}
            found += [(where, schema, example) for example in node["examples"]]
        if "example" in node and "schema" in node:
            found.append((where, node["schema"], node["example"]))
        for key, value in node.items():
            found += _examples(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _examples(value, f"{where}/{index}")
    return found


@then("every example in it is valid against the schema it stands beside")
def examples_are_valid(exchange: Exchange) -> None:
    doc = document(exchange)
    found = _examples(doc["paths"]) + _examples(doc["components"]["schemas"], "/components/schemas")
    assert len(found) > 50, len(found)
    wrong = []
    for where, schema, example in found:
        # The document's components beside the schema, so that its $refs resolve.
        validator = jsonschema.Draft202012Validator(
            {**schema, "components": doc["components"]}, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        wrong += [f"{where}: {error.message}" for error in validator.iter_errors(example)]
    assert wrong == [], wrong


@then(
    parsers.re(
        r'the answer is the document\'s example for (?P<method>[A-Z]+) "(?P<template>[^"]+)" (?P<status>\d+), '
        r"but for the detail and the request id"
    )
)
def answer_is_example(exchange: Exchange, shop: InProcessShop, method: str, template: str, status: str) -> None:
    answer = exchange.last
    assert answer.status_code == int(status), answer.text
    described = shop.request("GET", "/openapi.json").json["paths"][template][method.lower()]["responses"][status]
    [(media, content)] = described["content"].items()
    assert answer.headers["Content-Type"] == media, answer.headers
    example, body = content["example"], answer.json
    if media != "application/problem+json":
        assert body == example, (body, example)
        return
    own = {"detail", "request_id", "errors"}
    assert {k: v for k, v in body.items() if k not in own} == {k: v for k, v in example.items() if k not in own}
    assert isinstance(example["detail"], str) and example["detail"]
    for error in example.get("errors", []):
        assert error in body.get("errors", []), (error, body)


def _request_schemas(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The component schemas a request body uses, nested ones too, by name."""
    schemas = doc["components"]["schemas"]
    names = {
        found.removeprefix("#/components/schemas/")
        for item in doc["paths"].values()
        for operation in item.values()
        for found in re.findall(r'"\$ref": "([^"]+)"', json.dumps(operation.get("requestBody", {})))
    }
    seen: dict[str, dict[str, Any]] = {}
    while names:
        name = names.pop()
        if name not in seen:
            seen[name] = schemas[name]
            names |= {
                ref.removeprefix("#/components/schemas/")
                for ref in re.findall(r'"\$ref": "([^"]+)"', json.dumps(schemas[name]))
            }
    return seen


@then("no property of a request body schema has a default")
def no_request_defaults(exchange: Exchange) -> None:
    schemas = _request_schemas(document(exchange))
    assert {"UserCreate", "OrderCreate", "LineIn", "ProductCreate"} <= schemas.keys(), sorted(schemas)
    defaults = [
        f"{name}.{prop}"
        for name, schema in schemas.items()
        for prop, described in schema.get("properties", {}).items()
        if "default" in described
    ]
    assert defaults == [], defaults


@then(
    step(
        'the property "{name:q}" of the request body of {method:method} "{path:q}" '
        'says that left out, it is "{value:q}"'
    )
)
def request_property_says(exchange: Exchange, name: str, method: str, path: str, value: str) -> None:
    prop = body_schema(exchange, method, path)["properties"][name]
    assert f'Left out, it is "{value}".' in prop.get("description", ""), prop


@then(step('the property "{name:q}" of the request body of {method:method} "{path:q}" is not required'))
def request_property_optional(exchange: Exchange, name: str, method: str, path: str) -> None:
    schema = body_schema(exchange, method, path)
    assert name in schema["properties"] and name not in schema.get("required", []), schema
