"""State machine graphs: built from definitions, drawn by Graphviz and by the built-in layout."""

import itertools
import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from host.console.graph import END, START, build
from host.console.layout import GraphRenderer, dot_svg, fallback_svg

SVG = "{http://www.w3.org/2000/svg}"

DEFINITION = {
    "StartAt": "Validate",
    "States": {
        "Validate": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:validate",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rejected"}],
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Fanout"}],
            "Default": "Rejected",
        },
        "Fanout": {
            "Type": "Parallel",
            "Next": "Retry?",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A2"}, "A2": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "End": True,
                            "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
                        }
                    },
                },
            ],
        },
        "Retry?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.again", "IsPresent": True, "Next": "Check"}],
            "Default": "Done",
        },
        "Rejected": {"Type": "Fail", "Error": "Nope"},
        "Done": {"Type": "Succeed"},
    },
}
STATES = ["Validate", "Check", "Fanout", "A", "A2", "Each", "Item", "Retry?", "Rejected", "Done"]


def edges(graph):
    return {(e.source, e.target) for e in graph.edges}


def test_a_definition_becomes_nodes_edges_and_nested_clusters():
    graph = build(json.dumps(DEFINITION))
    assert [n.id for n in graph.nodes] == [START, *STATES[:2], "Fanout", "A", "A2", "Each", "Item", *STATES[7:], END]
    assert {
        (START, "Validate"), ("Validate", "Check"), ("Validate", "Rejected"), ("Check", "Fanout"),
        ("Check", "Rejected"), ("Fanout", "A"), ("A", "A2"), ("A2", "Retry?"), ("Fanout", "Each"), ("Each", "Item"),
        ("Item", "Retry?"), ("Retry?", "Check"), ("Retry?", "Done"), ("Rejected", END), ("Done", END),
    } <= edges(graph)  # fmt: skip
    catch = next(e for e in graph.edges if e.source == "Validate" and e.target == "Rejected")
    assert catch.dashed and catch.label == "Catch States.ALL"
    clusters = {c.label: c for c in graph.clusters}
    assert clusters["Fanout: branch 1"].nodes == ("A", "A2")
    assert clusters["Each: each item"].parent == clusters["Fanout: branch 2"].id


def test_what_is_not_a_definition_is_refused():
    with pytest.raises(ValueError):
        build('{"StartAt": "x"}')


def node_titles(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    return {
        g.find(f"{SVG}title").text
        for g in root.iter(f"{SVG}g")
        if "node" in (g.get("class") or "").split() and "state" in (g.get("class") or "").split()
    }


def test_the_built_in_layout_draws_every_state_as_a_titled_node():
    svg = fallback_svg(build(DEFINITION))
    assert node_titles(svg) == set(STATES)
    assert svg.count('class="edge"') == len(build(DEFINITION).edges)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (make test installs it)")
def test_graphviz_draws_every_state_as_a_titled_node_and_is_cached():
    assert node_titles(dot_svg(build(DEFINITION))) == set(STATES)
    renderer = GraphRenderer()
    first = renderer.svg(json.dumps(DEFINITION))
    assert first[1] == "graphviz" and renderer.svg(json.dumps(DEFINITION)) is first


def test_without_graphviz_the_renderer_falls_back_to_its_own_layout():
    renderer = GraphRenderer(use_dot=False)
    svg, engine = renderer.svg(json.dumps(DEFINITION))
    assert engine == "fallback" and node_titles(svg) == set(STATES)
    broken = GraphRenderer(dot="/nonexistent/dot")
    assert broken.svg(json.dumps(DEFINITION))[1] == "fallback"


def test_the_built_in_layout_layers_states_routes_long_edges_between_them_and_loops_aside():
    from host.console.fallback_layout import NODE_H, layers, place, width_of

    graph = build(DEFINITION)
    layer, back = layers(graph)
    assert back == {("Retry?", "Check")}
    assert layer[START] < layer["Validate"] < layer["Check"] < layer["Fanout"] < layer["A"] < layer["A2"]
    assert layer["Retry?"] > layer["A2"] and layer[END] == max(layer.values())
    placed = place(graph)
    skipping = next(chain for edge, chain in placed.routes if (edge.source, edge.target) == ("Rejected", END))
    assert len(skipping) == layer[END] - layer["Rejected"] + 1  # a waypoint on each layer it crosses
    nodes = {node.id: node for node in graph.nodes}
    for row in set(layer.values()):
        members = sorted((n for n in nodes if layer[n] == row), key=lambda n: placed.x[n])
        for left, right in itertools.pairwise(members):  # no two states of a layer overlap
            assert placed.x[left] + width_of(nodes[left]) / 2 < placed.x[right] - width_of(nodes[right]) / 2
    assert placed.loop_x > max(placed.x[n] + width_of(nodes[n]) / 2 for n in nodes)
    assert placed.height >= (max(layer.values()) + 1) * NODE_H
