"""Reading request bodies into pydantic models, with every refusal a problem:
415 for a body that is not JSON, 413 past the size limit, 400 for malformed
JSON, 422 with `errors[].loc` for the rest."""

from __future__ import annotations

from typing import Any

import falcon.asgi
from pydantic import BaseModel, ValidationError

from shop.kernel import codec
from shop.web.problems import Problem, validation_error

MAX_BODY_BYTES = 1024 * 1024


def is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def too_large() -> Problem:
    return Problem(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")


def nul_errors(document: Any, source: str) -> list[dict[str, Any]]:
    """Where a request's strings hold NUL, which no database stores in text:
    refused here, once for every body and query string."""
    return [
        {"loc": [source, *loc], "msg": "must not contain NUL characters"}
        for loc in codec.strings_where(document, lambda text: "\x00" in text)
    ]


async def read_json_bytes(req: falcon.asgi.Request) -> bytes:
    """The request's body as sent, when it says it is JSON, read with the size limit enforced."""
    if not is_json(req.content_type):
        raise Problem(415, "The request body must be JSON, sent as Content-Type: application/json.")
    data: bytes = await req.stream.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise too_large()
    return data


async def read_json(req: falcon.asgi.Request) -> Any:
    """The request's JSON document, read with the size limit enforced."""
    data = await read_json_bytes(req)
    try:
        document = codec.loads_exact(data)
    except codec.DuplicateKey as error:
        raise validation_error([{"loc": ["body", error.key], "msg": "This key is given more than once."}]) from None
    except (ValueError, RecursionError):
        raise Problem(400, "The request body is not valid JSON (UTF-8).") from None
    nul = nul_errors(document, "body") if b"\\u0000" in data else []
    if nul:
        raise validation_error(nul)
    return document


def pydantic_errors(error: ValidationError, source: str) -> list[dict[str, Any]]:
    return [
        {"loc": [source, *error_item["loc"]], "msg": error_item["msg"].removeprefix("Value error, ")}
        for error_item in error.errors(include_url=False, include_input=False, include_context=False)
    ]


async def parse_body[M: BaseModel](req: falcon.asgi.Request, model: type[M]) -> M:
    document = await read_json(req)
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise validation_error(pydantic_errors(error, "body")) from None
