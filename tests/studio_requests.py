"""The studio page exercised without a browser: what the browser would post for a callback
(the Flask test client posts it), built from the layout the studio serves."""

from __future__ import annotations

import json
from typing import Any

import dash
from dash.development.base_component import Component


def components(node: Any) -> list[Component]:
    """Every component of a layout that has an id."""
    if isinstance(node, list | tuple):
        return [c for child in node for c in components(child)]
    if not isinstance(node, Component):
        return []
    own = [node] if getattr(node, "id", None) is not None else []
    return own + components(getattr(node, "children", None))


def pattern_of(component_id: Any) -> Any:
    """A callback's id as the page states it: wildcards as Dash writes them."""
    if isinstance(component_id, str):
        return component_id
    return {k: ["ALL"] if v is dash.ALL else ["MATCH"] if v is dash.MATCH else v
            for k, v in component_id.items()}


def found_components(layout: list[Component], pattern: Any,
                     option: int | None) -> list[Component]:
    """The layout's components a callback's (wildcard) id names; ``MATCH`` is ``option``."""
    def fits(id_: Any) -> bool:
        if isinstance(pattern, str) or not isinstance(id_, dict):
            return pattern == id_
        return set(pattern) == set(id_) and all(
            v == ["ALL"] or (id_[k] == option if v == ["MATCH"] else id_[k] == v)
            for k, v in pattern.items())

    return [c for c in layout if fits(c.id)]


def callback_request(app: dash.Dash, layout: list[Component], key: str,
                     values: dict[Any, Any], changed: str,
                     option: int | None = None) -> dict[str, Any]:
    """What the browser posts for callback ``key``: each input and state with its value
    from the page (or ``values``, by id: a dictionary id as sorted JSON), wildcards
    expanded over the page's components."""
    spec = app.callback_map[key]

    def one(component: Component, prop: str, value: bool = True) -> dict[str, Any]:
        entry = {"id": component.id, "property": prop}
        if value:
            name = component.id if isinstance(component.id, str) \
                else json.dumps(component.id, sort_keys=True)
            entry["value"] = values.get(name, getattr(component, prop, None))
        return entry

    def expand(pattern: Any, prop: str, value: bool = True) -> Any:
        found = found_components(layout, pattern, option)
        if isinstance(pattern, dict) and ["ALL"] in pattern.values():
            return [one(c, prop, value) for c in found]
        assert len(found) == 1, pattern
        return one(found[0], prop, value)

    def dependency(d: dict[str, str]) -> Any:
        raw = d["id"]
        return expand(json.loads(raw) if raw.startswith("{") else raw, d["property"])

    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    out = [expand(pattern_of(o.component_id), o.component_property, False) for o in outputs]
    return {"output": key, "outputs": out if isinstance(spec["output"], list) else out[0],
            "inputs": [dependency(d) for d in spec["inputs"]],
            "state": [dependency(d) for d in spec["state"]], "changedPropIds": [changed]}


def strings(node: Any) -> list[str]:
    """Every text child of a rendered component tree (Dash components or their JSON)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list | tuple):
        return [s for child in node for s in strings(child)]
    if isinstance(node, dict):
        return strings(node.get("props", {}).get("children", []))
    return strings(getattr(node, "children", None) or [])


def fill_form(app: dash.Dash, client: Any, layout: list[Component], form_json: str
              ) -> dict[str, Any]:
    """Post the page's form-filling callback with a saved form; the values it puts back,
    by component id."""
    key = next(k for k in app.callback_map if k.startswith("form-msg.children@")
               and app.callback_map[k]["inputs"] == [{"id": "form-fill", "property": "data"}])
    body = callback_request(app, layout, key, {"form-fill": form_json}, "form-fill.data")
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["sideUpdate"]
