"""The benchmark registry: cases and the data sets they need, declared by decorators.

A module of this package whose name starts with ``cases`` is imported by
`load_cases`, so a later issue adds its figures in its own module::

    # bench/cases_workflows.py
    from bench import benchmark, dataset

    @dataset("deliverables", needs=("people",), scale={"deliverables": 5_000})
    def build_deliverables(ctx):
        ...  # bulk_create; what it returns is ctx.data["deliverables"]

    def _setup(ctx):
        client = ctx.client(ctx.data["people"].home_user)
        return client

    @benchmark(
        "deliverable_list",
        "GET /deliverables/ with {deliverables:,} deliverables",
        setup=_setup,
        needs=("deliverables",),
    )
    def deliverable_list(client):
        expect_ok(client.get("/deliverables/"))

This module imports nothing from Django, so it can be imported before settings.
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Setup = Callable[[Any], Any]
Timed = Callable[[Any], Any]


@dataclass(frozen=True)
class Benchmark:
    """One figure: `func(state)` is timed, where `state = setup(ctx)` (or `ctx` itself)."""

    name: str
    description: str
    func: Timed
    setup: Setup | None = None
    needs: tuple[str, ...] = ()
    module: str = ""

    def title(self, scale: Mapping[str, int]) -> str:
        """The description with scale placeholders filled in, e.g. ``{users:,}``."""
        try:
            return self.description.format_map(scale)
        except (KeyError, ValueError, IndexError):
            return self.description


@dataclass(frozen=True)
class Dataset:
    """A part of the scaled data set, built once per run before the cases that need it."""

    name: str
    build: Callable[[Any], Any]
    needs: tuple[str, ...] = ()
    scale: Mapping[str, int] = field(default_factory=dict)


_benchmarks: dict[str, Benchmark] = {}
_datasets: dict[str, Dataset] = {}


class RegistryError(Exception):
    pass


def benchmark(
    name: str,
    description: str = "",
    *,
    setup: Setup | None = None,
    needs: Iterable[str] = (),
) -> Callable[[Timed], Timed]:
    """Register the decorated function as the timed body of the benchmark `name`.

    `setup(ctx)` runs once, untimed, after the data sets in `needs` are built;
    what it returns is passed to every timed call. Without `setup` the timed
    function receives the context. `description` may use the scale's keys as
    format fields (``"GET / with {users:,} users"``).
    """

    def register(func: Timed) -> Timed:
        if name in _benchmarks and _benchmarks[name].func is not func:
            raise RegistryError(f"benchmark {name!r} is registered twice")
        doc = (func.__doc__ or "").strip()
        _benchmarks[name] = Benchmark(
            name=name,
            description=description or (doc.splitlines()[0] if doc else name),
            func=func,
            setup=setup,
            needs=tuple(needs),
            module=func.__module__,
        )
        return func

    return register


def dataset(
    name: str, *, needs: Iterable[str] = (), scale: Mapping[str, int] | None = None
) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Register the decorated `build(ctx)` as the data set `name`.

    `scale` declares the sizes this data set reads from `ctx.scale` with their
    defaults; `--scale KEY=N` (and `--users N`) override them.
    """

    def register(build: Callable[[Any], Any]) -> Callable[[Any], Any]:
        if name in _datasets and _datasets[name].build is not build:
            raise RegistryError(f"data set {name!r} is registered twice")
        _datasets[name] = Dataset(name=name, build=build, needs=tuple(needs), scale=scale or {})
        return build

    return register


def load_cases(package: str = "bench") -> list[str]:
    """Import every module of `package` whose name starts with ``cases``; return their names."""
    pkg = importlib.import_module(package)
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(pkg.__path__)
        if info.name.startswith("cases") and not info.ispkg
    )
    for name in names:
        importlib.import_module(f"{package}.{name}")
    return names


def benchmarks() -> list[Benchmark]:
    """All registered benchmarks, in registration order."""
    return list(_benchmarks.values())


def datasets() -> dict[str, Dataset]:
    return dict(_datasets)


def default_scale() -> dict[str, int]:
    scale: dict[str, int] = {}
    for ds in _datasets.values():
        scale.update(ds.scale)
    return scale


def select(patterns: Iterable[str]) -> list[Benchmark]:
    """The benchmarks whose name matches one of `patterns` (glob or substring); all if none."""
    patterns = list(patterns)
    if not patterns:
        return benchmarks()
    return [
        b
        for b in benchmarks()
        if any(p in b.name or fnmatch.fnmatchcase(b.name, p) for p in patterns)
    ]


def build_order(selected: Iterable[Benchmark]) -> list[Dataset]:
    """The data sets the selected benchmarks need, dependencies first, each once."""
    order: list[Dataset] = []
    visiting: set[str] = set()

    def visit(name: str, wanted_by: str) -> None:
        if any(ds.name == name for ds in order):
            return
        if name not in _datasets:
            raise RegistryError(f"{wanted_by} needs data set {name!r}, which is not registered")
        if name in visiting:
            raise RegistryError(f"data set {name!r} depends on itself")
        visiting.add(name)
        ds = _datasets[name]
        for dep in ds.needs:
            visit(dep, f"data set {name!r}")
        visiting.discard(name)
        order.append(ds)

    for b in selected:
        for name in b.needs:
            visit(name, f"benchmark {b.name!r}")
    return order
