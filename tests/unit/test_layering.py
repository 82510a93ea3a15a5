"""The one-way data flow: profiles -> matching -> worker; inside worker, one way too, with no import cycle; and the
queue-free commands stay queue-free."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"profiles", "matching", "worker"}

# The parts of `worker`, lowest first: a module may import its own part and the parts below it, never above.
WORKER_LAYERS = [
    "worker.errors",
    "worker.settings",
    "worker.artefact",
    "worker.runtime",
    "worker.chunks",
    "worker.decoding",
    "worker.lines",
    "worker.sources",
    "worker.service",
    "worker.batch",
    "worker.cli",
]


def imported_packages(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "allowed", "forbidden"),
    [
        ("profiles", set(), {"celery", "redis", "httpx", "sklearn"}),
        ("matching", {"profiles"}, {"celery", "redis", "httpx"}),
    ],
)
def test_library_layers_import_only_downstream(package, allowed, forbidden):
    imports = imported_packages(package)
    assert (imports & PROJECT) - {package} <= allowed
    assert not imports & forbidden


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that runs, at the top or inside a function; not those under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(package: str) -> dict[str, set[str]]:
    """module -> the project modules it imports (a `from package import submodule` counts as the submodule)."""
    paths = {module_name(path): path for path in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for node in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
                continue
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                targets.add(submodule if submodule in paths else module)
        graph[name] = {target for target in targets if target in paths and target != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


@pytest.mark.parametrize("package", sorted(PROJECT))
def test_no_import_cycle_counting_imports_inside_functions(package):
    assert find_cycle(import_graph(package)) is None


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def layer(module: str) -> int | None:
    for index, part in enumerate(WORKER_LAYERS):
        if module == part or module.startswith(part + "."):
            return index
    return None


def test_worker_parts_import_only_their_own_part_or_lower_ones():
    graph = import_graph("worker")
    assert {layer(module) for module in graph if module != "worker"} == set(range(len(WORKER_LAYERS)))
    upward = [
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if module != "worker" and layer(target) is not None and layer(target) > layer(module)  # type: ignore[operator]
    ]
    assert upward == []


@pytest.mark.parametrize("command", [["profiles"], ["classify", "examples/posting.txt"]])
def test_queue_free_commands_do_not_import_celery_or_redis(command):
    code = (
        "import sys; from worker.cli import main; rc = main(sys.argv[1:]);"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('celery', 'redis', 'kombu', 'httpx'));"
        "print('LOADED', bad); raise SystemExit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code, *command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout


def in_import_block(line: str) -> bool:
    return not line.strip() or line.strip().startswith(("from ", "import "))


def test_every_import_inside_a_function_says_why():
    """An import inside a function is there to keep a command's start-up light, and a comment on it (or on the
    block of imports it belongs to) says so; none may exist to dodge a cycle."""
    silent = []
    for path in sorted((ROOT / "worker").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                above = node.lineno - 2
                # Walk up the block this import belongs to (blank lines separate its groups).
                while above >= 0 and in_import_block(lines[above]):
                    above -= 1
                if "#" not in lines[node.lineno - 1] and not lines[above].strip().startswith("#"):
                    silent.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert silent == []
