"""Stage 2b, expansion: templates applied, giving one flat list of objectives.

``apply queue_slas("billing") as billing`` copies the template's scopes and
objectives with ids prefixed ``billing.``, parameters replaced by the
arguments wherever they appear as bare words, and ``{param}`` in titles
filled in. Spans stay those of the template text.
"""

from __future__ import annotations

from typing import Any

import attrs

from slalang.lang import model as m


def substitute(node: Any, mapping: dict[str, m.Value]) -> Any:
    """Replace every :class:`~slalang.lang.model.Ident` named in ``mapping`` inside ``node``."""
    if isinstance(node, m.Ident):
        return mapping.get(node.name, node)
    if isinstance(node, tuple):
        return tuple(substitute(item, mapping) for item in node)
    if attrs.has(type(node)):
        changes = {}
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            new = substitute(value, mapping)
            if new is not value:
                changes[field.name] = new
        return attrs.evolve(node, **changes) if changes else node
    return node


def _fill(title: m.Text | None, mapping: dict[str, m.Value]) -> m.Text | None:
    if title is None:
        return None
    text = title.value
    for name, value in mapping.items():
        shown = value.value if isinstance(value, m.Text) else _plain(value)
        text = text.replace("{" + name + "}", shown)
    return attrs.evolve(title, value=text)


def _plain(value: m.Value) -> str:
    if isinstance(value, m.Ident):
        return value.name
    if isinstance(value, m.Quantity):
        return f"{value.value}{'' if value.unit is None else ' ' + value.unit}"
    return type(value).__name__.lower()


def _renamed(name: m.Name, prefix: str) -> m.Name:
    return attrs.evolve(name, text=f"{prefix}.{name.text}")


def instantiate(
    template: m.Template, apply: m.Apply
) -> tuple[tuple[m.ScopeDecl, ...], tuple[m.Objective, ...]]:
    """Return the scopes and objectives one ``apply`` produces."""
    mapping = {param.text: arg for param, arg in zip(template.params, apply.args, strict=False)}
    prefix = apply.alias.text
    local = {scope.id.text for scope in template.scopes}
    scopes = []
    for scope in template.scopes:
        base = _renamed(scope.base, prefix) if scope.base.text in local else scope.base
        scopes.append(
            attrs.evolve(substitute(scope, mapping), id=_renamed(scope.id, prefix), base=base)
        )
    objectives = []
    for objective in template.objectives:
        new = substitute(objective, mapping)
        source = new.source
        if source is not None and source.text in local:
            source = _renamed(source, prefix)
        objectives.append(
            attrs.evolve(
                new,
                id=_renamed(objective.id, prefix),
                title=_fill(objective.title, mapping),
                source=source,
            )
        )
    return tuple(scopes), tuple(objectives)


def expand(contract: m.Contract) -> m.Contract:
    """Return the contract with every ``apply`` replaced by what it produces."""
    templates = {template.id.text: template for template in contract.templates}
    scopes = list(contract.scopes)
    objectives = list(contract.objectives)
    for apply in contract.applies:
        template = templates.get(apply.template.text)
        if template is None or len(template.params) != len(apply.args):
            continue
        new_scopes, new_objectives = instantiate(template, apply)
        scopes.extend(new_scopes)
        objectives.extend(new_objectives)
    return attrs.evolve(contract, scopes=tuple(scopes), objectives=tuple(objectives))
