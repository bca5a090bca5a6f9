"""The OpenAPI 3.1 document, assembled from the app's routes and the pydantic
schemas that validate requests and shape answers: one source of truth.

Every responder carries an `Operation` (the `documented` decorator) naming its
body and query models and the answers of its own rules. What every operation
shares is added here, in one place: 401 where a token is needed (and 503 with
Retry-After, for the database it is checked against), 404 for a path id,
400/413/415/422 for a body, 422 for a query, X-Request-ID on every answer,
named enum values, and links from a 201 to the operations on the new resource.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter

from shop.kernel.ids import MAX_ID
from shop.web.problems import PROBLEM_JSON, ErrorItem, ProblemDetails, problem_type, title_of

_REF = "#/components/schemas/{model}"
_PATH_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@functools.lru_cache(maxsize=256)
def route_path(template: str) -> str:
    """A Falcon URI template as OpenAPI (and the metrics) write it: `{product_id:id}` -> `{product_id}`."""
    return _PATH_PARAMETER.sub(r"{\1}", template)


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The client's own X-Request-ID when it was sane (1-128 of [A-Za-z0-9._-]), else a fresh UUID.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
    },
    "Location": {"description": "Where the new resource lives.", "required": True, "schema": {"type": "string"}},
    "ETag": {"description": "The product's version, for If-Match.", "required": True, "schema": {"type": "string"}},
    "X-Total-Count": {
        "description": "How many items the list has in all (the body's `total`).",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "Link": {
        "description": "RFC 8288 links: first and last always, prev and next where there are such pages.",
        "required": True,
        "schema": {"type": "string"},
    },
    "WWW-Authenticate": {"description": "Always `Bearer`.", "required": True, "schema": {"type": "string"}},
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "Sessions-Ended": {
        "description": "Sent when the change ended the user's sessions (a new password or role): "
        "every token issued to them before is refused; they log in again (POST /login) for a fresh one.",
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
}


@dataclass(frozen=True, slots=True)
class Answer:
    """One documented status: what the body is (a type pydantic can describe), its
    headers, and an example of it where a sample made from the schema would mislead."""

    description: str
    schema: Any = None
    headers: tuple[str, ...] = ()
    media_type: str = "application/json"
    example: Any = None


@dataclass(frozen=True, slots=True)
class RequestHeader:
    name: str
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    summary: str
    answers: Mapping[int, Answer]
    description: str = ""
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: tuple[RequestHeader, ...] = ()


def documented[F: Callable[..., Any]](operation: Operation) -> Callable[[F], F]:
    """Attach `operation` to a responder, for the document."""

    def attach(responder: F) -> F:
        responder.openapi = operation  # type: ignore[attr-defined]
        return responder

    return attach


def problem(description: str, *headers: str) -> Answer:
    return Answer(description, ProblemDetails, headers, PROBLEM_JSON)


UNAUTHORIZED = problem("No valid bearer token.", "WWW-Authenticate")
NOT_FOUND = problem("No such resource, or not one the caller may see.")
MALFORMED = problem("The body is not valid JSON (UTF-8).")
TOO_LARGE = problem("The body is larger than 1 MiB.")
NOT_JSON = problem("The body is not sent as Content-Type: application/json.")
INVALID = problem("Valid JSON that breaks a rule; `errors[].loc` says where.")
FORBIDDEN = problem("The caller's role does not allow this.")
UNAVAILABLE = problem("The database does not answer; retry after Retry-After seconds.", "Retry-After")
BUSY = problem(
    "Too many password checks are under way, or the database does not answer; retry after Retry-After seconds.",
    "Retry-After",
)


@dataclass
class _Components:
    schemas: dict[str, Any] = field(default_factory=dict)

    def add(self, kind: Any, mode: str) -> dict[str, Any]:
        """A `$ref` to `kind`'s schema, registered under its name."""
        schema = TypeAdapter(kind).json_schema(mode=mode, ref_template=_REF)  # type: ignore[arg-type]
        if mode == "validation":
            for described in (schema, *schema.get("$defs", {}).values()):
                _defaults_in_words(described)
        self.schemas.update(schema.pop("$defs", {}))
        name = _name(kind)
        # A generic model keeps its own title ("Listing"): generators name their classes by titles.
        self.schemas[name] = {**schema, "title": name}
        return {"$ref": _REF.format(model=name)}


def _defaults_in_words(schema: dict[str, Any]) -> None:
    """What a request may leave out says its default in words, not as `default`:
    generators such as openapi-typescript make a property with a `default`
    required, which is true of an answer but not of a request."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and (default := prop.pop("default")) is not None:
            said = f"Left out, it is {json.dumps(default)}."
            prop["description"] = f"{prop['description']} {said}" if "description" in prop else said


def _name(kind: Any) -> str:
    origin = get_origin(kind)
    if origin is not None:  # Listing[Product] is a "ProductListing"
        return "".join(_name(argument) for argument in get_args(kind)) + _name(origin)
    return str(kind.__name__)


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation", ref_template=_REF)
    parameters = []
    for name, prop in schema["properties"].items():
        prop = _without_null(prop)
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in schema.get("required", ()),
                "schema": prop,
                **({"description": prop.pop("description")} if "description" in prop else {}),
            }
        )
    return parameters


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A schema that says nothing of null: for query values, which are never null."""
    prop = {key: value for key, value in prop.items() if key != "title" and not (key == "default" and value is None)}
    choices = [choice for choice in prop.pop("anyOf", []) if choice != {"type": "null"}]
    if len(choices) == 1:
        prop.update(choices[0])
    elif choices:
        prop["anyOf"] = choices
    return prop


# A request id as the shop makes one, for the examples.
EXAMPLE_REQUEST_ID = "5f0c6a4e-8d2b-4c1e-9a7f-3b2d1e0c9f8a"


def _answer(components: _Components, status: int, answer: Answer, invalid_at: ErrorItem | None) -> dict[str, Any]:
    described: dict[str, Any] = {
        "description": answer.description,
        "headers": {name: {"$ref": f"#/components/headers/{name}"} for name in ("X-Request-ID", *answer.headers)},
    }
    if answer.schema is not None:
        schema = (
            answer.schema if isinstance(answer.schema, dict) else components.add(answer.schema, mode="serialization")
        )
        media: dict[str, Any] = {"schema": schema}
        example = answer.example if answer.example is not None else _problem_example(status, answer, invalid_at)
        if example is not None:
            media["example"] = example
        described["content"] = {answer.media_type: media}
    return described


def _problem_example(status: int, answer: Answer, invalid_at: ErrorItem | None) -> ProblemDetails | None:
    """A problem as the shop answers with it for `status`: a sample made from the
    schema alone would show the first type of all and a status of 0."""
    if answer.schema is not ProblemDetails:
        return None
    example: ProblemDetails = {
        "type": problem_type(status),
        "title": title_of(status),
        "status": status,
        "detail": answer.description,
        "request_id": EXAMPLE_REQUEST_ID,
    }
    if status == 422 and invalid_at is not None:
        example["errors"] = [invalid_at]
    return example


def _invalid_at(operation: Operation) -> ErrorItem | None:
    """Where a 422 of this operation points, for its example: a required body field
    left out, or a list's per_page above 100."""
    if operation.body is not None:
        fields = operation.body.model_fields
        name = next((name for name, info in fields.items() if info.is_required()), next(iter(fields), ""))
        return {"loc": ["body", name], "msg": "Field required"}
    if operation.query is not None and "per_page" in operation.query.model_fields:
        return {"loc": ["query", "per_page"], "msg": "Input should be less than or equal to 100"}
    return None


def _operation(
    components: _Components, operation: Operation, template: str, security: list[dict[str, list[str]]]
) -> dict[str, Any]:
    answers = dict(operation.answers)
    parameters: list[dict[str, Any]] = []
    for name in _PATH_PARAMETER.findall(template):
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            }
        )
        answers.setdefault(404, NOT_FOUND)
    if security:  # the token's user is looked up in the database, which may be away
        answers.setdefault(401, UNAUTHORIZED)
        answers.setdefault(503, UNAVAILABLE)
    if operation.query is not None:
        parameters.extend(_query_parameters(operation.query))
        answers.setdefault(422, INVALID)
    for header in operation.headers:
        parameters.append(
            {"name": header.name, "in": "header", "description": header.description, "schema": header.schema}
        )
    described: dict[str, Any] = {
        "operationId": operation.id,
        "summary": operation.summary,
        "tags": [_tag(template)],
        "security": security,
    }
    if operation.description:
        described["description"] = operation.description
    if parameters:
        described["parameters"] = parameters
    if operation.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": components.add(operation.body, mode="validation")}},
        }
        for status, answer in ((400, MALFORMED), (413, TOO_LARGE), (415, NOT_JSON), (422, INVALID)):
            answers.setdefault(status, answer)
    invalid_at = _invalid_at(operation)
    described["responses"] = {
        str(status): _answer(components, status, answers[status], invalid_at) for status in sorted(answers)
    }
    return described


def _tag(template: str) -> str:
    segments = template.strip("/").split("/")
    if {"payments", "refunds"} & set(segments):
        return "payments"
    if segments[0] in (
        "users",
        "products",
        "categories",
        "shipping-zones",
        "tax-rates",
        "discounts",
        "orders",
        "events",
        "webhooks",
    ):
        return segments[0]
    return "auth" if segments[0] in ("login", "logout") else "operations"


def _security(resource: object, method: str) -> list[dict[str, list[str]]]:
    if method in getattr(resource, "public", ()):
        return []
    if method in getattr(resource, "anonymous", ()):
        return [{}, {"bearerAuth": []}]
    return [{"bearerAuth": []}]


def _link_new_resources(paths: dict[str, dict[str, Any]]) -> None:
    """A 201 on `/things` links to every operation on `/things/{thing_id}` by the new id."""
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        for other, other_item in paths.items():
            match = re.fullmatch(re.escape(path) + r"/\{(\w+)\}", other)
            if match is None:
                continue
            created["links"] = {
                op["operationId"]: {"operationId": op["operationId"], "parameters": {match[1]: "$response.body#/id"}}
                for op in other_item.values()
            }


def enum_names(values: Iterable[str]) -> list[str]:
    """Names for enum values, for the classes generators write (`x-enum-varnames`):
    `-price` (a descending sort) is PRICE_DESC, `urn:shop:problem:not-found` NOT_FOUND."""
    names = []
    for value in values:
        word = value.rsplit(":", 1)[-1]
        name = re.sub(r"[^A-Za-z0-9]+", "_", word.removeprefix("-")).strip("_").upper() or "EMPTY"
        names.append(f"{name}_DESC" if word.startswith("-") else name)
    if len(set(names)) != len(names):
        raise ValueError(f"enum values {list(values)} do not have names of their own: {names}")
    return names


def _name_enum_values(node: Any) -> None:
    if isinstance(node, dict):
        values = node.get("enum")
        if isinstance(values, list) and values and all(isinstance(value, str) for value in values):
            node["x-enum-varnames"] = enum_names(values)
        for child in node.values():
            _name_enum_values(child)
    elif isinstance(node, list):
        for child in node:
            _name_enum_values(child)


def build(
    routes: Iterable[tuple[str, object]], *, title: str, version: str, description: str, license: str
) -> dict[str, Any]:
    """The document for `routes` (URI template, resource), in the order they were added;
    `license` is an SPDX expression."""
    components = _Components()
    paths: dict[str, dict[str, Any]] = {}
    for template, resource in routes:
        path = route_path(template)
        for method in METHODS:
            responder = getattr(resource, f"on_{method.lower()}", None)
            if responder is None:
                continue
            operation = getattr(responder, "openapi", None)
            if not isinstance(operation, Operation):
                raise TypeError(f"{method} {template} is not documented: give it an openapi.Operation")
            paths.setdefault(path, {})[method.lower()] = _operation(
                components, operation, template, _security(resource, method)
            )
    _link_new_resources(paths)
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": description,
            "license": {"name": license, "identifier": license},
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "headers": RESPONSE_HEADERS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "The access_token from POST /login.",
                }
            },
        },
    }
    _name_enum_values(document)
    return document
