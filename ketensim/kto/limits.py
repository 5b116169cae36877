"""Bounds on what a caller may send: every request body is read with a cap before anything parses it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request

from ketensim.standards.validation import MAX_BYTES

__all__ = ["BadRequest", "TooLarge", "read_body", "json_body", "loads", "BODY_SECONDS", "MAX_PAYLOAD_BYTES", "MAX_META_BYTES", "MAX_JSON_BYTES"]

MAX_PAYLOAD_BYTES = MAX_BYTES  # 25 MB, the chain's own limit (CC03)
MAX_META_BYTES = 64 * 1024
MAX_JSON_BYTES = 64 * 1024
BODY_SECONDS = 120.0  # a started request must deliver its body within this time


class BadRequest(Exception):
    """The request is malformed (400); the message says what was expected, in Dutch."""


class TooLarge(BadRequest):
    """The request body is larger than the endpoint accepts (413)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused as soon as it grows past ``limit`` bytes (also without a Content-Length)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest("Content-Length is geen getal")
        if int(declared) > limit:
            raise TooLarge(f"het verzoek is {declared} bytes; ten hoogste {limit} bytes toegestaan")
    chunks: list[bytes] = []

    async def collect() -> None:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"het verzoek is groter dan {limit} bytes")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(collect(), BODY_SECONDS)
    except asyncio.TimeoutError:
        raise BadRequest(f"de body kwam niet binnen {BODY_SECONDS:g} seconden binnen") from None
    body = b"".join(chunks)
    request._body = body  # Starlette's form() and json() read this cached body
    return body


def loads(text: str | bytes, what: str) -> Any:
    """JSON from a caller: anything that is not plain, bounded JSON is a :class:`BadRequest`."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BadRequest(f"{what} is geen JSON: {err}") from None
    except (RecursionError, ValueError) as err:  # absurd nesting, or an integer of thousands of digits
        raise BadRequest(f"{what} is te diep geneste of te grote JSON ({type(err).__name__})") from None


async def json_body(request: Request, limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """A small JSON object body; an empty body is an empty object."""
    body = await read_body(request, limit)
    if not body.strip():
        return {}
    value = loads(body, "de body")
    if not isinstance(value, dict):
        raise BadRequest("de body is geen JSON-object")
    return value
