"""The code stays readable: no function in dnnlab/, scripts/, labs/ or bench/ over 50
lines, no import cycle in dnnlab/.

(ruff's statement and argument limits run in CI: `make lint`, from .ci/run.)
"""

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "dnnlab"
LIMIT = 50  # lines per function, its docstring included
COVERED = ("dnnlab", "scripts", "labs", "bench")


def test_no_function_over_fifty_lines():
    long = []
    paths = sorted(p for folder in COVERED for p in (ROOT / folder).rglob("*.py"))
    assert len(paths) > 60  # the four folders, labs/textbook/ and labs/papers/ too
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > LIMIT:
                    where = path.relative_to(ROOT)
                    long.append(f"{where}:{node.lineno} {node.name} ({lines})")
    assert not long, long


def imports(path: Path) -> set[str]:
    """The dnnlab modules a module imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "dnnlab"
        ):
            if node.module == "dnnlab":
                found.update(f"dnnlab.{a.name}" for a in node.names)
            else:
                found.add(node.module)
    return {m.split(".")[1] for m in found if m.count(".") == 1} - {path.stem}


def test_no_import_cycle():
    graph = {p.stem: imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    graph = {m: {d for d in deps if d in graph} for m, deps in graph.items()}

    def cycle(start, node, seen):
        for nxt in graph[node]:
            if nxt == start:
                return [*seen, nxt]
            if nxt not in seen:
                found = cycle(start, nxt, [*seen, nxt])
                if found:
                    return found
        return None

    cycles = [c for m in graph if (c := cycle(m, m, [m]))]
    assert not cycles, cycles[0]
