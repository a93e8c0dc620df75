"""Serve the committed openapi.yaml (the contract) instead of FastAPI's generated schema."""

import logging
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)


class _ContractLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, so the document stays JSON-serialisable."""


_ContractLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def find_openapi_file(configured: Path | None = None) -> Path | None:
    candidates = [configured] if configured else []
    # The project root in a source checkout (src/<package>/openapi.py -> ../../..),
    # then the working directory (the Docker image copies it to /app).
    candidates += [Path(__file__).resolve().parents[2] / "openapi.yaml", Path.cwd() / "openapi.yaml"]
    return next((path for path in candidates if path.is_file()), None)


def load_openapi(configured: Path | None = None) -> dict[str, Any] | None:
    path = find_openapi_file(configured)
    if path is None:
        log.warning("openapi.yaml not found: serving the schema FastAPI generates")
        return None
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_ContractLoader)  # noqa: S506 - a SafeLoader subclass
    return _stringify_keys(document)


def _stringify_keys(node: Any) -> Any:
    # YAML reads `200:` as an int; JSON object keys must be strings.
    if isinstance(node, dict):
        return {str(key): _stringify_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_stringify_keys(item) for item in node]
    return node
