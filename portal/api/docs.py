"""The API's reference page (/api/v1/docs): every operation of the OpenAPI document, rendered on
the server from the generated spec (no scripts, no CDN). Public on the firm's host: it shows no data."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

docs_bp = Blueprint("api_docs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec: dict) -> list[dict]:
    """The spec's operations in path order, each with what a reader needs on one line."""
    ops = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            doc = (op.get("summary") or "") + (" " + op["description"] if op.get("description") else "")
            params = [p for p in op.get("parameters", []) + item.get("parameters", []) if "name" in p]
            body = op.get("requestBody", {}).get("content", {})
            ops.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "doc": doc.strip(),
                    "params": [f"{p['name']} ({p['in']})" for p in params],
                    "body": ", ".join(body),
                    "responses": [k for k in op.get("responses", {}) if k != "default"],
                    "anchor": f"{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
                }
            )
    return ops


@docs_bp.route("/api/v1/docs")
def docs():
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return render_template("api/docs.html", ops=operations(spec), info=spec.get("info", {}))
