"""A state machine's definition as a graph of nodes and edges, ready to lay out. Pure: no I/O.

1. Each state is a node named by the state's name (names are unique across a whole state
   machine, branches included, as the Amazon States Language requires); a start and an end
   node frame the top level.
2. ``Next``, ``Default``, each Choice rule's ``Next`` and each ``Catch``'s ``Next`` are edges
   (a catch is dashed); ``End: true`` and Succeed/Fail states lead to the end node.
3. A Parallel's branches and a Map's item processor are clusters: the Parallel or Map node
   leads to each branch's first state, and each branch's last states lead on to where the
   Parallel or Map goes next.

Example: ``{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}`` gives nodes
start, A, end and edges start->A, A->end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

START = "__start__"
END = "__end__"


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # the state's Type in lower case, or "start" / "end"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


@dataclass(frozen=True)
class Cluster:
    id: str
    label: str
    nodes: tuple[str, ...]  # its own states, not those of clusters inside it
    parent: str | None = None  # the cluster it is drawn inside


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.clusters: list[Cluster] = []
        self.owner: dict[str, str] = {}  # state -> the cluster it belongs to directly
        self.stack: list[str] = []  # clusters being filled, innermost last
        self.serial = 0

    def add_states(self, states: dict, start: str, after: list[str]) -> list[str]:
        """Add ``states``; returns the names of their last states (those that end this scope).
        ``after``: where a state ending this scope leads (the end node or a parent's next)."""
        last: list[str] = []
        for name, state in states.items():
            if not isinstance(state, dict):
                continue
            kind = str(state.get("Type", "Task")).lower()
            self.nodes.append(Node(name, kind))
            if self.stack:
                self.owner[name] = self.stack[-1]
            following = _following(state)
            for target, label, dashed in following:
                self.edges.append(Edge(name, target, label, dashed))
            if kind in ("parallel", "map"):
                self._add_branches(name, state, after)
            ends = state.get("End") is True or kind in ("succeed", "fail")
            if ends:
                last.append(name)
                if kind != "fail":
                    for target in after:
                        self.edges.append(Edge(name, target))
                else:
                    self.edges.append(Edge(name, END))
        return last

    def _add_branches(self, name: str, state: dict, after: list[str]) -> None:
        if state.get("Type") == "Parallel":
            branches = [b for b in state.get("Branches") or [] if isinstance(b, dict)]
        else:
            processor = state.get("ItemProcessor") or state.get("Iterator")
            branches = [processor] if isinstance(processor, dict) else []
        # The branch's last states lead where the Parallel/Map itself leads next.
        next_of = [target for target, _, dashed in _following(state) if not dashed] or after
        # Drawn edges from the branches' ends would duplicate the Parallel's own: keep them inside.
        for index, branch in enumerate(branches):
            inner = branch.get("States") or {}
            if not isinstance(inner, dict) or not inner:
                continue
            start = branch.get("StartAt")
            if start in inner:
                self.edges.append(Edge(name, start))
            self.serial += 1
            cluster = f"cluster_{self.serial}"
            parent = self.stack[-1] if self.stack else None
            self.stack.append(cluster)
            self.add_states(inner, start, next_of)
            self.stack.pop()
            members = tuple(node for node, owner in self.owner.items() if owner == cluster)
            label = f"{name}: branch {index + 1}" if state.get("Type") == "Parallel" else f"{name}: each item"
            self.clusters.append(Cluster(cluster, label, members, parent))


def _following(state: dict) -> list[tuple[str, str, bool]]:
    """(target, label, dashed) for each transition out of ``state``."""
    out: list[tuple[str, str, bool]] = []
    if isinstance(state.get("Next"), str):
        out.append((state["Next"], "", False))
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            out.append((rule["Next"], _rule_label(rule), False))
    if isinstance(state.get("Default"), str):
        out.append((state["Default"], "Default", False))
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            errors = catcher.get("ErrorEquals") or []
            out.append((catcher["Next"], "Catch " + ", ".join(map(str, errors)), True))
    return out


def _rule_label(rule: dict) -> str:
    """A short label for a Choice rule: its condition, cut to a readable length."""
    if "Condition" in rule:  # JSONata
        text = str(rule["Condition"])
    else:
        variable = rule.get("Variable", "")
        comparison = next((f"{k} {json.dumps(v)}" for k, v in rule.items() if k not in ("Variable", "Next")), "")
        text = f"{variable} {comparison}".strip()
    return text if len(text) <= 32 else text[:31] + "…"


def build(definition: str | dict) -> Graph:
    """The graph of a definition (its JSON text or the parsed object); ValueError if it is not one."""
    document = json.loads(definition) if isinstance(definition, str) else definition
    if not isinstance(document, dict) or not isinstance(document.get("States"), dict):
        raise ValueError("not a state machine definition")
    builder = _Builder()
    builder.nodes.append(Node(START, "start"))
    start = document.get("StartAt")
    if start in document["States"]:
        builder.edges.append(Edge(START, start))
    builder.add_states(document["States"], start, [END])
    builder.nodes.append(Node(END, "end"))
    known = {node.id for node in builder.nodes}
    edges = []
    for edge in builder.edges:  # drop dangling targets and repeats
        if edge.target in known and edge not in edges:
            edges.append(edge)
    return Graph(tuple(builder.nodes), tuple(edges), tuple(builder.clusters))
