"""The code keeps its shape: no import cycles, small modules, one complete schema.

DESIGN.md §3 draws the layers; pyproject's import-linter contracts keep them pointing
inward. These tests hold what the contracts do not: no two modules of ours depend on each
other (a `TYPE_CHECKING` import counts, since it couples the two files just the same), and
no module grows past the size a reader takes in at once.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Iterator, Mapping, Set
from pathlib import Path

import grimp
import pytest

import storage.rows

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = tuple(
    p for p in ("bot", "domain", "storage", "sandbox") if (ROOT / p / "__init__.py").exists()
)
SIZED_FOLDERS = ("bot", "domain", "storage", "sandbox", "bench")
MAX_LINES = 300
MIGRATIONS = ROOT / "storage" / "migrations" / "versions"


def import_cycles(imports: Mapping[str, Set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, each sorted by name.

    Tarjan's algorithm, iterative so a deep import chain cannot hit the recursion limit.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(sorted(imports[root])))]
        while work:
            module, targets = work[-1]
            target = next((t for t in targets if t in imports), None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = _pop_component(stack, on_stack, module)
                    if len(component) > 1:
                        cycles.append(sorted(component))
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(imports[target]))))
            elif target in on_stack:
                low[module] = min(low[module], index[target])
    return sorted(cycles)


def _pop_component(stack: list[str], on_stack: set[str], head: str) -> list[str]:
    component: list[str] = []
    while True:
        module = stack.pop()
        on_stack.discard(module)
        component.append(module)
        if module == head:
            return component


@pytest.fixture(scope="module")
def our_imports() -> dict[str, set[str]]:
    """Every module of ours and the modules of ours it imports, TYPE_CHECKING ones included."""
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False, cache_dir=None)
    return {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}


def test_no_modules_of_ours_import_each_other_in_a_cycle(
    our_imports: dict[str, set[str]],
) -> None:
    cycles = import_cycles(our_imports)

    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_names_every_module_of_a_cycle_and_nothing_else() -> None:
    imports = {
        "a.errors": {"a.orders"},
        "a.orders": {"a.restaurants", "a.ids"},
        "a.restaurants": {"a.errors"},
        "a.ids": set(),
        "a.views": {"a.orders", "a.views_more"},
        "a.views_more": {"a.views", "outside.package"},
    }

    assert import_cycles(imports) == [
        ["a.errors", "a.orders", "a.restaurants"],
        ["a.views", "a.views_more"],
    ]


def test_the_schema_package_imports_every_table_module(
    our_imports: dict[str, set[str]],
) -> None:
    """So `Base.metadata` is whole wherever `storage.rows` is imported (Alembic included)."""
    tables = {f"storage.rows.{m.name}" for m in pkgutil.iter_modules(storage.rows.__path__)}

    assert tables - our_imports["storage.rows"] == set()


def _is_exempt(path: Path) -> bool:
    """Alembic revisions, and wording tables: all of a bot's texts read best in one place."""
    relative = path.relative_to(ROOT)
    return path.is_relative_to(MIGRATIONS) or (
        relative.parts[0] == "bot" and relative.name == "texts.py"
    )


def _our_modules() -> Iterator[Path]:
    for folder in SIZED_FOLDERS:
        yield from (p for p in sorted((ROOT / folder).rglob("*.py")) if not _is_exempt(p))


def test_no_module_is_longer_than_300_lines() -> None:
    sizes = {p.relative_to(ROOT): len(p.read_text().splitlines()) for p in _our_modules()}

    too_long = {str(path): lines for path, lines in sizes.items() if lines > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"
