"""Drawing a state machine's graph as SVG: laid out by Graphviz's ``dot`` when it is installed, by
a layered layout of our own (``host.console.fallback_layout``) when it is not (so ``make serve``
does not need Graphviz).

Both drawings share one shape, which the console's script relies on to colour states:
each state is a ``<g class="node ...">`` whose ``<title>`` is the state's name, and whose
shape (``path``, ``polygon``, ``rect`` or ``ellipse``) takes the colour of its status.
Drawings are cached per definition text (``GraphRenderer``); ``dot`` runs at most once for each.
"""

from __future__ import annotations

import hashlib
import html
import logging
import shutil
import subprocess
import threading
from collections import OrderedDict

from host.console.fallback_layout import fallback_svg
from host.console.graph import Graph, build

log = logging.getLogger("lambda_host.console")

DOT_TIMEOUT = 10.0  # seconds; a definition dot cannot lay out in that time is drawn by the fallback
CACHE_SIZE = 128
_KIND_LABEL = {"start": "Start", "end": "End"}

__all__ = ["GraphRenderer", "dot_svg", "fallback_svg", "to_dot"]


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: Graph) -> str:
    """The graph in Graphviz's language, styled as the console draws it."""
    lines = [
        "digraph statemachine {",
        '  graph [rankdir=TB, nodesep=0.3, ranksep=0.42, pad=0.15, bgcolor="transparent", fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#9aa5b5", fontname="Helvetica",'
        ' fontsize=11, height=0.42, margin="0.2,0.05", penwidth=1.2];',
        '  edge [color="#9aa5b5", arrowsize=0.6, fontname="Helvetica", fontsize=8, fontcolor="#6b7585"];',
    ]
    for node in graph.nodes:
        if node.kind in ("start", "end"):
            style = 'shape=ellipse, style="filled", fillcolor="#eef1f5", fontsize=9, height=0.28, margin="0.08,0.02"'
            lines.append(f'  {_quote(node.id)} [label="{_KIND_LABEL[node.kind]}", class="pseudo", {style}];')
        else:
            label = f'<{html.escape(node.id)}<BR/><FONT POINT-SIZE="8" COLOR="#8a94a6">{node.kind.title()}</FONT>>'
            lines.append(f'  {_quote(node.id)} [label={label}, class="state kind-{node.kind}"];')
    children: dict[str | None, list] = {}
    for cluster in graph.clusters:
        children.setdefault(cluster.parent, []).append(cluster)

    def emit(cluster, indent: str) -> None:
        lines.append(f"{indent}subgraph {cluster.id} {{")
        lines.append(
            f'{indent}  label={_quote(cluster.label)}; style="dashed,rounded"; color="#b8c0cc";'
            ' fontsize=9; fontcolor="#6b7585"; labeljust=l;'
        )
        for member in cluster.nodes:
            lines.append(f"{indent}  {_quote(member)};")
        for inner in children.get(cluster.id, []):
            emit(inner, indent + "  ")
        lines.append(f"{indent}}}")

    for cluster in children.get(None, []):
        emit(cluster, "  ")
    for edge in graph.edges:
        attrs = []
        if edge.label:
            attrs.append(f"label={_quote(edge.label)}")
        if edge.dashed:
            attrs.append('style=dashed, color="#d9822b"')
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_svg(graph: Graph, dot: str = "dot") -> str:
    """SVG laid out by Graphviz; raises OSError or subprocess errors when dot cannot do it."""
    done = subprocess.run([dot, "-Tsvg"], input=to_dot(graph).encode(), capture_output=True, timeout=DOT_TIMEOUT)
    if done.returncode != 0:
        raise OSError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    text = done.stdout.decode()
    return text[text.index("<svg") :]


class GraphRenderer:
    """Draws definitions, with ``dot`` when it is on the PATH, and keeps the last drawings."""

    def __init__(self, dot: str | None = None, use_dot: bool = True) -> None:
        self.dot = (dot or shutil.which("dot")) if use_dot else None
        self.cache: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self.lock = threading.Lock()

    def svg(self, definition: str) -> tuple[str, str]:
        """(SVG text, "graphviz" or "fallback") for a definition's JSON text; ValueError if it is not one."""
        key = hashlib.sha256(definition.encode()).hexdigest()
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        graph = build(definition)
        drawn = None
        if self.dot is not None:
            try:
                drawn = (dot_svg(graph, self.dot), "graphviz")
            except (OSError, subprocess.SubprocessError, ValueError) as exc:
                log.warning("Graphviz could not lay out a state machine (%s); using the built-in layout", exc)
        if drawn is None:
            drawn = (fallback_svg(graph), "fallback")
        with self.lock:
            self.cache[key] = drawn
            while len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
        return drawn
