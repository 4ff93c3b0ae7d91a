"""A layered layout of the console's own, for when Graphviz is not installed. Pure: no I/O.

The usual steps of a layered (Sugiyama-style) drawing, each kept simple:

1. Layers: the longest path from the start, with the edges that close a loop (found by a
   depth-first search) left out and drawn round the right-hand side instead.
2. Edges that skip layers get a waypoint on each layer they cross, so they run between
   nodes instead of through them.
3. Order within a layer: by the mean place of each node's parents (two sweeps), states of one
   branch of a Parallel or Map kept together.
4. Places: each node as near the mean of its parents as its left neighbour allows, then the
   whole drawing moved to start at the margin.

Example: start->A, A->B, B->A (a retry), B->end gives the layers start 0, A 1, B 2, end 3, with
B->A drawn as a loop on the right. Known caveat: crossings are reduced, not minimised.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from host.console.graph import END, START, Graph

NODE_H = 40
PSEUDO_R = 13
GAP_X = 30
GAP_Y = 46
WAYPOINT_W = 16
MARGIN = 24
FONT = 'font-family="Helvetica,Arial,sans-serif"'
_PSEUDO_LABEL = {"start": "Start", "end": "End"}


def width_of(node) -> float:
    if node.kind in ("start", "end"):
        return 2 * PSEUDO_R + 14
    return max(96.0, 7.0 * len(node.id) + 32)


def height_of(node) -> float:
    return 2 * PSEUDO_R if node.kind in ("start", "end") else NODE_H


def layers(graph: Graph) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Layer of each node (longest path from the start, loops left out) and the edges that close loops."""
    out: dict[str, list[str]] = {node.id: [] for node in graph.nodes}
    for edge in graph.edges:
        out[edge.source].append(edge.target)
    back: set[tuple[str, str]] = set()
    colour: dict[str, int] = {}  # 1: on the search's stack, 2: done
    order: list[str] = []
    for root in [START, *out]:
        if root not in out or root in colour:
            continue
        colour[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = 2
                order.append(node)
                stack.pop()
            elif colour.get(child) == 1:
                back.add((node, child))
            elif child not in colour:
                colour[child] = 1
                stack.append((child, iter(out[child])))
    layer = dict.fromkeys(out, 0)
    for node in reversed(order):  # a topological order once the loops are left out
        for child in out[node]:
            if (node, child) not in back:
                layer[child] = max(layer[child], layer[node] + 1)
    if END in layer:
        layer[END] = max(layer.values())
    return layer, back


@dataclass
class Placement:
    x: dict[str, float]  # centre of each node and waypoint
    y: dict[str, float]
    routes: list[tuple[object, list[str]]]  # each edge with the points it passes (nodes, then waypoints)
    back: set[tuple[str, str]]
    width: float
    height: float
    loop_x: float  # where edges closing a loop run up, right of everything


def place(graph: Graph) -> Placement:
    nodes = {node.id: node for node in graph.nodes}
    layer, back = layers(graph)
    group = {member: cluster.id for cluster in graph.clusters for member in cluster.nodes}
    rows: dict[int, list[str]] = {}
    for node in graph.nodes:
        rows.setdefault(layer[node.id], []).append(node.id)
    parents: dict[str, list[str]] = {}
    size: dict[str, float] = {n: width_of(nodes[n]) for n in nodes}
    routes = []
    for index, edge in enumerate(graph.edges):
        chain = [edge.source]
        if (edge.source, edge.target) not in back:
            for step in range(layer[edge.source] + 1, layer[edge.target]):
                waypoint = f"\0{index}:{step}"
                rows.setdefault(step, []).append(waypoint)
                size[waypoint] = WAYPOINT_W
                group[waypoint] = group.get(edge.source, "")
                parents.setdefault(waypoint, []).append(chain[-1])
                chain.append(waypoint)
            parents.setdefault(edge.target, []).append(chain[-1])
        routes.append((edge, [*chain, edge.target]))
    position: dict[str, float] = {}
    for _sweep in range(2):
        for index in sorted(rows):
            row = rows[index]
            for slot, item in enumerate(row):
                position.setdefault(item, slot)
            if index:

                def mean(item: str, row=row) -> float:
                    above = [position[p] for p in parents.get(item, []) if p in position]
                    return sum(above) / len(above) if above else position[item]

                # Branch members stay together, the group placed where its members' parents are.
                spot = {g: min(mean(i) for i in row if group.get(i, "") == g) for g in {group.get(i, "") for i in row}}
                row.sort(key=lambda item: (spot[group.get(item, "")], group.get(item, ""), mean(item)))
            for slot, item in enumerate(row):
                position[item] = slot
    x: dict[str, float] = {}
    y: dict[str, float] = {}
    for index in sorted(rows):
        cursor = float("-inf")
        for item in rows[index]:
            above = [x[p] for p in parents.get(item, []) if p in x]
            wanted = sum(above) / len(above) if above else 0.0
            centre = max(wanted, cursor + size[item] / 2)
            x[item] = centre
            cursor = centre + size[item] / 2 + GAP_X
            y[item] = MARGIN + index * (NODE_H + GAP_Y) + NODE_H / 2
    left = min(x[i] - size[i] / 2 for i in x)
    labels = [len(e.label) for e in graph.edges if e.label and (e.source, e.target) not in back]
    pad = MARGIN + (min(140.0, 4.4 * max(labels)) if labels else 0.0)  # room for a label left of an edge
    for item in x:
        x[item] += pad - left
    right = max(x[i] + size[i] / 2 for i in x)
    loop_labels = [len(e.label) for e in graph.edges if (e.source, e.target) in back]
    width = right + MARGIN + (40 + 4.6 * max(loop_labels) if loop_labels else 0)
    loop_x = right + 28
    height = MARGIN * 2 + (max(rows) + 1) * (NODE_H + GAP_Y) - GAP_Y
    return Placement(x, y, routes, back, width, height, loop_x)


def _path(points: list[tuple[float, float]]) -> str:
    """A smooth path through points: vertical tangents at each point (edges run top to bottom)."""
    (sx, sy), rest = points[0], points[1:]
    d = f"M {sx:.1f} {sy:.1f}"
    px, py = sx, sy
    for tx, ty in rest:
        mid = (py + ty) / 2
        d += f" C {px:.1f} {mid:.1f}, {tx:.1f} {mid:.1f}, {tx:.1f} {ty:.1f}"
        px, py = tx, ty
    return d


def fallback_svg(graph: Graph) -> str:
    """The graph drawn as SVG in the same shape as Graphviz's (see ``host.console.layout``)."""
    nodes = {node.id: node for node in graph.nodes}
    p = place(graph)
    x, y = p.x, p.y
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{p.width:.0f}pt" height="{p.height:.0f}pt"'
        f' viewBox="0 0 {p.width:.0f} {p.height:.0f}" class="fallback-layout">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"'
        ' orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#9aa5b5"/></marker></defs>',
    ]
    for cluster in graph.clusters:
        members = [m for m in _cluster_members(graph, cluster.id) if m in x]
        if not members:
            continue
        left = min(x[m] - width_of(nodes[m]) / 2 for m in members) - 12
        right = max(x[m] + width_of(nodes[m]) / 2 for m in members) + 12
        top = min(y[m] - height_of(nodes[m]) / 2 for m in members) - 22
        bottom = max(y[m] + height_of(nodes[m]) / 2 for m in members) + 10
        parts.append(
            f'<g class="cluster"><title>{html.escape(cluster.id)}</title><rect x="{left:.1f}" y="{top:.1f}"'
            f' width="{right - left:.1f}" height="{bottom - top:.1f}" rx="6" fill="none" stroke="#b8c0cc"'
            f' stroke-dasharray="4 3"/><text x="{left + 8:.1f}" y="{top + 13:.1f}" font-size="9"'
            f' fill="#6b7585" {FONT}>{html.escape(cluster.label)}</text></g>'
        )
    for edge, chain in p.routes:
        a, b = nodes[edge.source], nodes[edge.target]
        if (a.id, b.id) in p.back or y[b.id] <= y[a.id]:  # loops go up the right-hand side
            sx, sy = x[a.id] + width_of(a) / 2, y[a.id]
            tx, ty = x[b.id] + width_of(b) / 2, y[b.id]
            r, bend = 8, p.loop_x
            up = -r if ty < sy else r
            d = (
                f"M {sx:.1f} {sy:.1f} H {bend - r:.1f} Q {bend:.1f} {sy:.1f} {bend:.1f} {sy + up:.1f}"
                f" V {ty - up:.1f} Q {bend:.1f} {ty:.1f} {bend - r:.1f} {ty:.1f} H {tx:.1f}"
            )
            lx, ly, anchor = bend + 5, (sy + ty) / 2, "start"
        else:
            points = [(x[a.id], y[a.id] + height_of(a) / 2)]
            points += [(x[w], y[w]) for w in chain[1:-1]]
            points.append((x[b.id], y[b.id] - height_of(b) / 2))
            d = _path(points)
            (sx, sy), (tx, ty) = points[0], points[1]
            # A label sits on the side its edge leans to; a straight edge's on the side away from its siblings.
            siblings = [x[c[1]] for e, c in p.routes if e.source == a.id and (e.source, e.target) not in p.back]
            leans = tx - sx if abs(tx - sx) > 1 else (-1 if any(s > sx + 1 for s in siblings) else 1)
            lx, ly = sx + (tx - sx) * 0.55 + (5 if leans > 0 else -5), sy + (ty - sy) * 0.55
            anchor = "start" if leans > 0 else "end"
        stroke = "#d9822b" if edge.dashed else "#9aa5b5"
        dash = ' stroke-dasharray="5 3"' if edge.dashed else ""
        parts.append(
            f'<g class="edge"><title>{html.escape(a.id)}&#45;&gt;{html.escape(b.id)}</title>'
            f'<path d="{d}" fill="none" stroke="{stroke}"{dash} marker-end="url(#arrow)"/>'
        )
        if edge.label:
            parts.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="8" fill="#6b7585" text-anchor="{anchor}"'
                f" {FONT}>{html.escape(edge.label)}</text>"
            )
        parts.append("</g>")
    for node in graph.nodes:
        cx, cy = x[node.id], y[node.id]
        middle = f'{FONT} text-anchor="middle"'
        if node.kind in ("start", "end"):
            parts.append(
                f'<g class="node pseudo"><title>{html.escape(node.id)}</title><ellipse cx="{cx:.1f}" cy="{cy:.1f}"'
                f' rx="{PSEUDO_R + 7}" ry="{PSEUDO_R}" fill="#eef1f5" stroke="#9aa5b5"/>'
                f'<text x="{cx:.1f}" y="{cy + 3:.1f}" font-size="9" {middle}>{_PSEUDO_LABEL[node.kind]}</text></g>'
            )
            continue
        w = width_of(node)
        parts.append(
            f'<g class="node state kind-{node.kind}"><title>{html.escape(node.id)}</title>'
            f'<rect x="{cx - w / 2:.1f}" y="{cy - NODE_H / 2:.1f}" width="{w:.1f}" height="{NODE_H}" rx="8"'
            f' fill="#ffffff" stroke="#9aa5b5" stroke-width="1.2"/>'
            f'<text x="{cx:.1f}" y="{cy - 1:.1f}" font-size="11" {middle}>{html.escape(node.id)}</text>'
            f'<text x="{cx:.1f}" y="{cy + 12:.1f}" font-size="8" fill="#8a94a6" {middle}>{node.kind.title()}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _cluster_members(graph: Graph, cluster_id: str) -> list[str]:
    """The states of a cluster and of every cluster inside it."""
    inside = {cluster_id}
    changed = True
    while changed:
        changed = False
        for cluster in graph.clusters:
            if cluster.parent in inside and cluster.id not in inside:
                inside.add(cluster.id)
                changed = True
    return [node for cluster in graph.clusters if cluster.id in inside for node in cluster.nodes]
