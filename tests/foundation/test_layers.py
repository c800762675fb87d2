"""The package keeps its layers, and never shadows the standard library."""
import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "xinfang"

# What each layer must never import (DESIGN §2: dependencies point one way).
FORBIDDEN = {
    "nlp": ("xinfang.models", "xinfang.cases", "xinfang.bot", "xinfang.handlers", "xinfang.queue", "xinfang.admin",
            "xinfang.runtime", "flask", "redis", "sqlalchemy", "rq"),
    "models": ("xinfang.cases", "xinfang.bot", "xinfang.handlers", "xinfang.queue", "xinfang.admin", "flask"),
    "cases": ("xinfang.bot", "xinfang.handlers", "xinfang.queue", "xinfang.admin", "flask"),
    "bot": ("xinfang.handlers", "xinfang.queue", "xinfang.admin"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package_parts[: len(package_parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
                names.add(module)
                names.update(f"{module}.{a.name}" for a in node.names)
            elif node.module:
                names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_only_downward(layer):
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_import_queue_is_still_the_standard_library():
    import xinfang  # noqa: F401
    import xinfang.queue.worker  # noqa: F401

    import queue

    assert hasattr(queue, "SimpleQueue") and queue.__file__.startswith(sys.base_prefix)


def test_importing_the_package_starts_nothing():
    import subprocess

    code = "import xinfang, sys; print(sorted(m for m in sys.modules if m.startswith(('flask','sqlalchemy','redis'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
