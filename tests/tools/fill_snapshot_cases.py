"""Fill the Step Functions oracle cases with AWS's recorded histories.

Each file under ``tests/unit/stepfunctions/cases/`` lists cases written for this project
(a definition, an input, the fake functions they need) that name a recording in
LocalStack's AWS-recorded snapshot files (``"snapshot": "<file>::<test id>::<key>"``).
This script copies the recorded events into the case (``"history"``), and the recorded responses into
the API cases under ``api_cases/`` (each step's ``"expected"``), so the tests need
no copy of LocalStack. Run it again after adding cases:

    python tests/tools/fill_snapshot_cases.py /path/to/localstack/checkout
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "unit" / "stepfunctions" / "cases"
API_CASES = CASES.parent / "api_cases"  # steps of API calls: {"snapshot": "<file>::<test id>", "steps": [...]}
SNAPSHOTS = "tests/aws/services/stepfunctions/"


def _file(root: str, file: str) -> dict:
    path = SNAPSHOTS + file
    if Path(root, path).exists():
        return json.loads(Path(root, path).read_text())
    return json.loads(subprocess.check_output(["git", "-C", root, "show", f"HEAD:{path}"]))  # a bare git directory


def _recording(root: str, file: str, test: str) -> dict:
    data = _file(root, file)
    for name, body in data.items():
        if name.endswith("::" + test) or name.split("::", 1)[-1] == test:
            return body["recorded-content"]
    raise KeyError(f"{file}::{test}")


def _events(content: dict, key: str) -> list[dict]:
    return [{k: v for k, v in e.items() if k != "timestamp"} for e in content[key]["events"]]


def recorded(root: str, reference: str) -> list[dict]:
    file, rest = reference.split("::", 1)
    test, key = rest.rsplit("::", 1)
    return _events(_recording(root, file, test), key)


def expand(root: str, case: dict) -> list[dict]:
    """``"snapshot_all": "<file>::<test>"``: one case per recorded history of that test."""
    file, test = case.pop("snapshot_all").split("::", 1)
    out = []
    for name, body in _file(root, file).items():
        full = name.split("::", 1)[1]
        if full != test and not full.startswith(test + "["):
            continue
        for key, value in body["recorded-content"].items():
            if isinstance(value, dict) and "events" in value:
                label = full[len(test) :] + (f" {key}" if len(body["recorded-content"]) > 1 else "")
                out.append({**case, "name": f"{case['name']} {label}".strip(), "snapshot": f"{file}::{full}::{key}"})
    return out


def fill_api_case(root: str, case: dict) -> None:
    """Each step naming a ``record`` gets the recorded response (or error) as ``expected``."""
    file, test = case["snapshot"].split("::", 1)
    content = _recording(root, file, test)
    for step in case["steps"]:
        if "record" in step:
            step["expected"] = content[step["record"]]


CHOICE_FILES = ["boolean_equals", "is_operators", "numeric", "string_operators", "timestamp_operators"]


def choice_cases(root: str) -> list[dict]:
    """Every comparison AWS recorded for the Choice operators: the operator (from the test's
    name), the execution input, and which branch the execution took."""
    out = []
    for name in CHOICE_FILES:
        file = f"v2/choice_operators/test_{name}.snapshot.json"
        for test, body in _file(root, file).items():
            words = test.rsplit("::", 1)[1].removeprefix("test_").split("_")
            operator = "".join(w.capitalize() for w in words if w != "path") + ("Path" if words[-1] == "path" else "")
            out.append({"operator": operator, "snapshot": f"{file}::{test.rsplit('::', 1)[1]}",
                        "cases": body["recorded-content"]["cases"]})  # fmt: skip
    return out


def main() -> None:
    root = sys.argv[1]
    for path in sorted((CASES.parent / "mock_cases").glob("*.json")):  # histories of mocked executions
        cases = json.loads(path.read_text())
        for case in cases:
            case["history"] = recorded(root, case["snapshot"])
        path.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
    choices = choice_cases(root)
    (CASES.parent / "choice_cases.json").write_text(json.dumps(choices, indent=1) + "\n")
    print(f"choice_cases.json: {sum(len(c['cases']) for c in choices)} comparisons")
    for path in sorted(API_CASES.glob("*.json")):
        cases = json.loads(path.read_text())
        for case in cases:
            fill_api_case(root, case)
        path.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
        print(f"{path.name}: {len(cases)} cases")
    for path in sorted(CASES.glob("*.json")):
        cases = []
        for case in json.loads(path.read_text()):
            cases.extend(expand(root, case) if "snapshot_all" in case else [case])
        for case in cases:
            if "snapshot" in case:
                case["history"] = recorded(root, case["snapshot"])
        path.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
        print(f"{path.name}: {len(cases)} cases")


if __name__ == "__main__":
    main()
