"""Serve the committed openapi.yaml (the contract) instead of FastAPI's generated schema.

`/openapi.json` and `/docs` are ordinary API routes here (FastAPI's built-in ones are turned off),
so they are matched, labelled in metrics and logged like every other route.
"""

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
def openapi_json(request: Request) -> JSONResponse:
    # The committed contract (loaded by create_app), else the schema FastAPI generates.
    document = request.app.state.openapi_document
    return JSONResponse(document if document is not None else request.app.openapi())


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{request.app.title} - docs")


try:  # libyaml's fast loader when PyYAML was built with it
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - the pure-Python one otherwise
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _ContractLoader(_SafeLoader):
    """A SafeLoader that keeps dates as strings, for JSON."""


_ContractLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def find_openapi_file(configured: Path | None = None) -> Path | None:
    candidates = [configured] if configured else []
    # The project root in a source checkout (src/<package>/openapi.py -> ../../..),
    # then the working directory (the Docker image copies it to /app).
    candidates += [
        Path(__file__).resolve().parents[2] / "openapi.yaml",
        Path.cwd() / "openapi.yaml",
    ]
    return next((path for path in candidates if path.is_file()), None)


def load_openapi(configured: Path | None = None) -> dict[str, Any] | None:
    path = find_openapi_file(configured)
    if path is None:
        log.warning("openapi.yaml not found: serving the schema FastAPI generates")
        return None
    return _parse(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _parse(path: Path, _mtime_ns: int) -> dict[str, Any]:
    # Cached per file version: parsing the contract is the slowest part of create_app.
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_ContractLoader)  # noqa: S506 - a SafeLoader subclass
    contract: dict[str, Any] = _stringify_keys(document)
    return contract


def _stringify_keys(node: Any) -> Any:
    # YAML reads `200:` as an int; JSON object keys must be strings.
    if isinstance(node, dict):
        return {str(key): _stringify_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_stringify_keys(item) for item in node]
    return node
