#!/usr/bin/env python3
"""Mutation testing of Caseload's rule modules (``make mutate``; docs/testing.md).

For each rule module named in ``mutation/modules.toml`` this makes every small change ("mutant")
the operators below allow, one at a time, in a private copy of the checkout, and runs that
module's tests against it with ``pytest -x -q -p no:cacheprovider``. A mutant the tests fail on
(or time out on) is *caught*; one they pass is a *survivor*: a change to a rule that no test
would notice. Mutants that cannot change behaviour are listed, each with its reason, in
``mutation/equivalent.toml`` and left out of the score.

Operators: comparison swaps (< <= > >= == != in/not in, is/is not), arithmetic (+ - * / // %),
set operators (& | -), augmented assignment, and/or swapped, one operand of and/or dropped,
``not`` removed, unary minus removed, whole-number constants ±1, True/False swapped,
any/all and min/max swapped, ``if``/``while``/conditional-expression tests forced True or False,
comprehension filters dropped, ``return x`` made ``return None``, and a statement (call,
augmented assignment, raise, continue, break) removed. Strings, docstrings,
annotations and f-strings are not mutated.

Trustworthiness: the original source is never touched. Each module gets a fresh copy of the
paths in ``copy`` without any ``__pycache__``, Python runs with PYTHONDONTWRITEBYTECODE=1 so a
stale bytecode file can never stand in for a mutant, the unmutated copy must pass its tests
first, and a canary mutant (the module raising on import) must be caught: otherwise the run
stops, because the tests are not reading the copy.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import dataclasses
import datetime as dt
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = "mutation/modules.toml"
PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider"]
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "var"}
RECORD_MARKER = re.compile(r"mutation-full-run:\s*([0-9a-f]{7,40})")
STOP = threading.Event()  # set when the run is stopped from outside
RUNNING: set[subprocess.Popen[bytes]] = set()


class Stopped(Exception):
    """The run was stopped (SIGTERM, Ctrl-C): no verdict for the mutant in hand."""


def _stop(*_: object) -> None:
    STOP.set()
    for child in list(RUNNING):
        child.kill()


# ---------------------------------------------------------------------------------------------
# Mutants


@dataclasses.dataclass(frozen=True)
class Mutant:
    module: str  # path relative to the checkout
    line: int  # 1-based line where the changed code starts
    col: int
    end_line: int
    end_col: int
    change: str  # e.g. "'<' -> '<='"
    replacement: str  # source text that replaces [line:col, end_line:end_col)
    line_text: str  # the first changed line, stripped: the stable half of the key
    occurrence: int = 0  # among mutants with the same line_text and change

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.module, self.line_text, self.change, self.occurrence)

    def describe(self) -> str:
        return f"{self.module}:{self.line}: {self.change}    | {self.line_text}"


_CMP_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
_BIN_SWAPS: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Add,),
    ast.Div: (ast.Mult,),
    ast.FloorDiv: (ast.Mult,),
    ast.Mod: (ast.FloorDiv,),
    ast.BitAnd: (ast.BitOr,),
    ast.BitOr: (ast.BitAnd,),
}
_NAME_SWAPS = {"any": "all", "all": "any", "min": "max", "max": "min"}
_SYMBOL = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.And: "and",
    ast.Or: "or",
}


def _short(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Collector(ast.NodeVisitor):
    """Walks a module and yields (node, change, replacement-source) for every mutation."""

    def __init__(self) -> None:
        self.found: list[tuple[ast.expr | ast.stmt, str, str]] = []

    def add(self, node: ast.expr | ast.stmt, change: str, new: ast.AST | str) -> None:
        text = new if isinstance(new, str) else ast.unparse(new)
        if isinstance(node, ast.expr) and not isinstance(new, str):
            text = f"({text})"
        self.found.append((node, change, text))

    # Things never mutated -------------------------------------------------------------------
    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:  # f-strings: message text
        return

    def visit_arguments(self, node: ast.arguments) -> None:  # defaults are visited, not annotations
        for default in [*node.defaults, *(d for d in node.kw_defaults if d is not None)]:
            self.visit(default)

    def _body(self, body: list[ast.stmt]) -> None:
        for index, stmt in enumerate(body):
            is_docstring = (
                index == 0
                and isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            )
            if is_docstring:
                continue
            self.visit(stmt)

    def visit_Module(self, node: ast.Module) -> None:
        self._body(node.body)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.visit(node.args)
        self._body(node.body)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._body(node.body)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        return

    def visit_Import(self, node: ast.Import) -> None:
        return

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    # Statements -----------------------------------------------------------------------------
    def _removable(self, node: ast.stmt, what: str) -> None:
        self.add(node, f"remove {what}", "pass")

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call):
            self._removable(node, f"call {_short(node.value.func, 40)}(…)")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._removable(node, f"'{_short(node)}'")
        for new_op in _BIN_SWAPS.get(type(node.op), ()):
            mutated = copy.copy(node)
            mutated.op = new_op()
            self.add(
                node,
                f"'{_SYMBOL[type(node.op)]}=' -> '{_SYMBOL[new_op]}='",
                ast.unparse(mutated),
            )
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        self._removable(node, "raise")
        self.generic_visit(node)

    def visit_Continue(self, node: ast.Continue) -> None:
        self._removable(node, "continue")

    def visit_Break(self, node: ast.Break) -> None:
        self._removable(node, "break")

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            self.add(node, "return None", "return None")
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        # Forcing the test False removes the block; True removes the condition.
        self._force(node.test, "if")
        self.visit(node.test)
        self._body(node.body)
        self._body(node.orelse)

    def visit_While(self, node: ast.While) -> None:
        self.add(node.test, f"while condition '{_short(node.test, 40)}' -> False", "False")
        self.visit(node.test)
        self._body(node.body)
        self._body(node.orelse)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self._body(node.body)
        self._body(node.orelse)

    def _force(self, test: ast.expr, where: str) -> None:
        for value in (True, False):
            self.add(test, f"{where} condition '{_short(test, 40)}' -> {value}", str(value))

    # Expressions ----------------------------------------------------------------------------
    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._force(node.test, "conditional expression")
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        for index, condition in enumerate(node.ifs):
            self.add(condition, f"comprehension filter '{_short(condition, 40)}' dropped", "True")
            del index
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            for new_op in _CMP_SWAPS.get(type(op), ()):
                mutated = copy.copy(node)
                mutated.ops = list(node.ops)
                mutated.ops[index] = new_op()
                self.add(node, f"'{_SYMBOL[type(op)]}' -> '{_SYMBOL[new_op]}'", mutated)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        for new_op in _BIN_SWAPS.get(type(node.op), ()):
            mutated = copy.copy(node)
            mutated.op = new_op()
            self.add(node, f"'{_SYMBOL[type(node.op)]}' -> '{_SYMBOL[new_op]}'", mutated)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        mutated = copy.copy(node)
        mutated.op = other()
        self.add(node, f"'{_SYMBOL[type(node.op)]}' -> '{_SYMBOL[other]}'", mutated)
        for index, operand in enumerate(node.values):
            rest = [v for i, v in enumerate(node.values) if i != index]
            kept: ast.expr = rest[0] if len(rest) == 1 else ast.BoolOp(op=node.op, values=rest)
            self.add(node, f"operand '{_short(operand, 40)}' dropped", kept)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self.add(node, "'not' removed", node.operand)
        elif isinstance(node.op, ast.USub):
            self.add(node, "unary '-' removed", node.operand)
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return  # -1 is a constant: the unary mutant above covers it
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(node, f"{value} -> {not value}", ast.Constant(not value))
        elif isinstance(value, int):
            for new in (value + 1, value - 1):
                self.add(node, f"{value} -> {new}", ast.Constant(new))

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in _NAME_SWAPS:
            new = _NAME_SWAPS[node.func.id]
            self.add(node.func, f"{node.func.id}() -> {new}()", new)
        self.generic_visit(node)


def mutants_of(module: str, source: str) -> list[Mutant]:
    """Every mutant of ``source`` (the file at ``module``), in source order."""
    tree = ast.parse(source)
    collector = _Collector()
    collector.visit(tree)
    lines = source.splitlines()
    found: list[Mutant] = []
    seen: Counter[tuple[str, str]] = Counter()
    for node, change, text in collector.found:
        assert node.end_lineno is not None
        assert node.end_col_offset is not None
        line_text = lines[node.lineno - 1].strip()
        occurrence = seen[(line_text, change)]
        seen[(line_text, change)] += 1
        found.append(
            Mutant(
                module=module,
                line=node.lineno,
                col=node.col_offset,
                end_line=node.end_lineno,
                end_col=node.end_col_offset,
                change=change,
                replacement=text,
                line_text=line_text,
                occurrence=occurrence,
            )
        )
    return found


def apply(source: str, mutant: Mutant) -> str:
    """``source`` with the mutant's span replaced (AST columns are UTF-8 byte offsets)."""
    lines = source.encode("utf-8").splitlines(keepends=True)
    start = sum(len(x) for x in lines[: mutant.line - 1]) + mutant.col
    end = sum(len(x) for x in lines[: mutant.end_line - 1]) + mutant.end_col
    data = source.encode("utf-8")
    mutated = (data[:start] + mutant.replacement.encode("utf-8") + data[end:]).decode("utf-8")
    ast.parse(mutated)  # a mutant must still be Python; a SyntaxError here is a tool bug
    return mutated


# ---------------------------------------------------------------------------------------------
# Configuration


@dataclasses.dataclass
class Config:
    root: Path
    floor: float
    copy: list[str]
    modules: dict[str, list[str]]
    equivalent_file: Path
    equivalents: dict[tuple[str, str, str, int], str]
    record: Path | None
    pytest_args: list[str] = dataclasses.field(default_factory=list)
    env: dict[str, str] = dataclasses.field(default_factory=dict)


def load_config(root: Path, path: str = CONFIG) -> Config:
    data = tomllib.loads((root / path).read_text())
    settings = data.get("settings", {})
    modules = {str(k): [str(t) for t in v] for k, v in data.get("modules", {}).items()}
    for module, tests in modules.items():
        for name in [module, *tests]:
            if not (root / name).exists():
                raise SystemExit(f"{path}: '{name}' does not exist")
    equivalent_file = root / settings.get("equivalents", "mutation/equivalent.toml")
    equivalents: dict[tuple[str, str, str, int], str] = {}
    if equivalent_file.exists():
        for entry in tomllib.loads(equivalent_file.read_text()).get("equivalent", []):
            reason = str(entry.get("reason", "")).strip()
            if not reason:
                raise SystemExit(f"{equivalent_file}: every equivalent mutant needs a reason")
            key = (
                str(entry["module"]),
                str(entry["line"]).strip(),
                str(entry["change"]),
                int(entry.get("occurrence", 0)),
            )
            equivalents[key] = reason
    record = settings.get("record")
    return Config(
        root=root,
        floor=float(settings.get("floor", 95)),
        copy=[str(c) for c in settings.get("copy", ["src", "tests", "pyproject.toml"])],
        modules=modules,
        equivalent_file=equivalent_file,
        equivalents=equivalents,
        record=root / record if record else None,
        pytest_args=[str(a) for a in settings.get("pytest_args", [])],
        env={str(k): str(v) for k, v in settings.get("env", {}).items()},
    )


# ---------------------------------------------------------------------------------------------
# Running


@dataclasses.dataclass
class Outcome:
    mutant: Mutant
    verdict: str  # caught, timeout, survived, equivalent
    seconds: float = 0.0


@dataclasses.dataclass
class ModuleResult:
    module: str
    total: int
    outcomes: list[Outcome]
    baseline_seconds: float
    partial: bool = False
    stale_equivalents: list[tuple[str, str, str, int]] = dataclasses.field(default_factory=list)

    def count(self, *verdicts: str) -> int:
        return sum(1 for o in self.outcomes if o.verdict in verdicts)

    @property
    def tried(self) -> int:
        return len(self.outcomes)

    @property
    def scored(self) -> int:
        return self.tried - self.count("equivalent")

    @property
    def caught(self) -> int:
        return self.count("caught", "timeout")

    @property
    def score(self) -> float:
        if not self.scored:  # nothing tried: proven only if there was nothing to try
            return 0.0 if self.partial else 100.0
        return 100.0 * self.caught / self.scored

    @property
    def survivors(self) -> list[Mutant]:
        return [o.mutant for o in self.outcomes if o.verdict == "survived"]


def _copy_tree(root: Path, paths: list[str], dest: Path) -> None:
    for rel in paths:
        source = root / rel
        if source.is_dir():
            shutil.copytree(
                source,
                dest / rel,
                ignore=lambda _d, names: [
                    n for n in names if n in SKIP_DIRS or n.endswith((".pyc", ".sqlite3"))
                ],
            )
        elif source.exists():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)


def _environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("DATABASE_URL", None)  # each run uses its own SQLite test database
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the copied pytest configuration names it
    env.pop("PYTEST_XDIST_WORKER", None)
    # The copy lives in a temporary folder: point at the real shared corpora beside the checkout.
    env.setdefault("CASELOAD_FHIR_FIXTURES", str(root.parent / "shared" / "fixtures"))
    return env


def _copy_database(source: Path, dest: Path) -> None:
    """A SQLite database between runs, with its write-ahead log if one is left."""
    for suffix in ("", "-wal", "-shm"):
        found = Path(f"{source}{suffix}")
        if found.exists():
            shutil.copyfile(found, Path(f"{dest}{suffix}"))


class Workspace:
    """A private copy of the checkout in which one mutant at a time replaces the module."""

    def __init__(self, config: Config, module: str, python: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="caseload-mutate-"))
        _copy_tree(config.root, config.copy, self.dir)
        self.target = self.dir / module
        self.original = (config.root / module).read_text()
        self.tests = config.modules[module]
        self.env = _environment(config.root)
        # One SQLite test database per copy, migrated by the first run and kept (--reuse-db):
        # migrating for every mutant would cost more than the tests.
        self.env["CASELOAD_TEST_DB_NAME"] = str(self.dir / "mutate-test.sqlite3")
        self.extra_args = config.pytest_args
        self.env.update(config.env)
        self.python = python

    def run(
        self, source: str, timeout: float | None, cpu_limit: float | None = None
    ) -> tuple[str, float]:
        """Write ``source`` as the module, run its tests; (verdict, seconds), the verdict one of
        "passed", "failed", "timeout" (the CPU limit) or "wall-timeout" (the wall limit).

        ``cpu_limit`` bounds the CPU seconds the test process may use (a mutant that loops
        forever); ``timeout`` the wall time (one that waits forever). On a shared, busy machine
        wall time stretches with the load while CPU time does not, so the CPU limit is the tight
        one and the wall limit is generous: a slow machine must not turn a survivor into a
        "caught by the time limit".
        """
        if STOP.is_set():
            raise Stopped
        self.target.write_text(source)
        started = time.monotonic()
        try:
            with subprocess.Popen(
                [self.python, "-m", "pytest", *PYTEST_ARGS, *self.extra_args, *self.tests],
                cwd=self.dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            ) as child:
                RUNNING.add(child)
                if cpu_limit is not None and hasattr(resource, "prlimit"):
                    seconds = int(cpu_limit) + 1
                    # SIGXCPU at the soft limit, SIGKILL 5 CPU-seconds later (unless finished)
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        resource.prlimit(child.pid, resource.RLIMIT_CPU, (seconds, seconds + 5))
                try:
                    output, _ = child.communicate(timeout=timeout)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.communicate()
                    return "wall-timeout", time.monotonic() - started
                finally:
                    RUNNING.discard(child)
        finally:
            self.target.write_text(self.original)
        if STOP.is_set():
            raise Stopped
        elapsed = time.monotonic() - started
        if child.returncode == 0:
            return "passed", elapsed
        if cpu_limit is not None and child.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            return "timeout", elapsed
        if child.returncode == 5:
            raise SystemExit(f"{self.tests}: pytest collected no tests")
        self.last_output = output.decode(errors="replace")
        return "failed", elapsed

    @property
    def database(self) -> Path:
        return Path(self.env["CASELOAD_TEST_DB_NAME"])

    def seed(self, template: Path) -> None:
        """Start from a database an unmutated run migrated (another copy's: the same
        migrations), instead of migrating again; the next run checks it still passes."""
        if template.exists():  # tests that never touch the database leave none
            _copy_database(template, self.database)
            self.migrated()

    def migrated(self) -> None:
        """The copy's test database is migrated (by an unmutated run): later runs skip the
        ``migrate`` Django runs even on a kept database (tests/conftest.py's django_db_setup).
        The copy's migrations cannot change: a mutant changes one rule module."""
        self.env["CASELOAD_TEST_DB_MIGRATED"] = "1"

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def run_module(
    config: Config,
    module: str,
    *,
    only: set[tuple[str, str, str, int]] | None = None,
    jobs: int,
    budget: float | None,
    python: str,
    log: bool,
    template: Path | None = None,
) -> ModuleResult:
    deadline = time.monotonic() + budget if budget is not None else None
    source = (config.root / module).read_text()
    mutants = mutants_of(module, source)
    keys = {m.key for m in mutants}
    if only is not None:
        mutants = [m for m in mutants if m.key in only]
    stale = [k for k in config.equivalents if k[0] == module and k not in keys]

    workspaces = [Workspace(config, module, python) for _ in range(max(1, jobs))]
    try:
        first = workspaces[0]
        # Migrating costs a minute or more on a busy machine: once per run, not per copy.
        # ``template`` holds the database the run's first unmutated tests migrated.
        if template is not None and template.exists():
            first.seed(template)
        verdict, _ = first.run(source, timeout=None)  # migrates the copy's test database if new
        if verdict != "passed":
            raise SystemExit(
                f"{module}: the tests fail without any mutant; fix them first.\n"
                + getattr(first, "last_output", "")[-3000:]
            )
        first.migrated()
        if template is not None and not template.exists():
            _copy_database(first.database, template)
        # Once more, to time a run as a mutant's will be (database kept). It is the only test
        # process at this moment, so the CPU time our children used across it is its own.
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        verdict, baseline = first.run(source, timeout=None)
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        baseline_cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (
            cpu_before.ru_utime + cpu_before.ru_stime
        )
        if verdict != "passed":
            raise SystemExit(f"{module}: the tests passed once without any mutant, then failed")
        # Every other copy runs the unmutated module once too, so its test database is
        # created (and kept) by unmutated code.
        for space in workspaces[1:]:
            space.seed(first.database)
            if space.run(source, timeout=None)[0] != "passed":
                raise SystemExit(f"{module}: the tests fail without any mutant in a second copy")
        canary = source + '\n\nraise RuntimeError("mutation canary")\n'
        if first.run(canary, timeout=None)[0] == "passed":
            raise SystemExit(
                f"{module}: the canary mutant survived, so the tests do not import the copy "
                "the mutants are written to; no verdict of this run could be trusted."
            )
        # A mutant is stopped after four times the unmutated run's CPU time (at least 20 s),
        # or, waiting rather than computing, after twenty times its wall time (at least 300 s).
        cpu_limit = max(20.0, 4 * baseline_cpu + 10)
        timeout = max(300.0, 20 * baseline)
        order = list(mutants)
        # A seeded shuffle: a run cut short by the budget has tried a fair sample, the same
        # one for the same source.
        random.Random(hashlib.sha256(source.encode()).hexdigest()).shuffle(order)
        outcomes: list[Outcome] = []
        pending = [m for m in order if m.key not in config.equivalents]
        outcomes.extend(Outcome(m, "equivalent") for m in order if m.key in config.equivalents)

        def work(index: int, mutant: Mutant) -> Outcome | None:
            if deadline is not None and time.monotonic() > deadline:
                return None
            space = workspaces[index % len(workspaces)]
            mutated = apply(source, mutant)
            verdict, seconds = space.run(mutated, timeout=timeout, cpu_limit=cpu_limit)
            if verdict == "wall-timeout":
                # Waiting, not computing, for twenty times the unmutated run: a mutant that
                # waits forever, or a run that was paused (SIGSTOP) or starved. Once more
                # before the verdict: a pause does not strike the same mutant twice.
                verdict, seconds = space.run(mutated, timeout=timeout, cpu_limit=cpu_limit)
                verdict = "timeout" if verdict == "wall-timeout" else verdict
            name = {"passed": "survived", "failed": "caught", "timeout": "timeout"}[verdict]
            if log:
                print(f"  [{name:8}] {mutant.describe()}", file=sys.stderr, flush=True)
            return Outcome(mutant, name, seconds)

        # One workspace per worker: worker i only ever uses workspaces[i].
        def worker(slot: int) -> list[Outcome]:
            done: list[Outcome] = []
            for mutant in pending[slot :: len(workspaces)]:
                try:
                    result = work(slot, mutant)
                except Stopped:
                    break
                if result is None:
                    break
                done.append(result)
            return done

        with ThreadPoolExecutor(max_workers=len(workspaces)) as pool:
            for batch in pool.map(worker, range(len(workspaces))):
                outcomes.extend(batch)
        if STOP.is_set():
            raise SystemExit("stopped: no result")
        ran = len(outcomes) - len([o for o in outcomes if o.verdict == "equivalent"])
        result = ModuleResult(
            module=module,
            total=len(mutants),
            outcomes=outcomes,
            baseline_seconds=baseline,
            partial=ran < len(pending),
            stale_equivalents=stale,
        )
    finally:
        for space in workspaces:
            space.close()
    return result


# ---------------------------------------------------------------------------------------------
# Which modules a change touched (CI)


def _git(root: Path, *args: str) -> str | None:
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def change_base(config: Config) -> tuple[str | None, str]:
    """The commit to compare with, and why it was chosen.

    1. The commit of the last full run recorded in docs/testing.md, when it is an ancestor of
       HEAD: everything changed since the rules were last proven is checked again.
    2. ``git merge-base HEAD origin/main`` (or ``main``) when that differs from HEAD (a branch).
    3. HEAD~1 (on a clean clone of main: what the last commit brought).
    """
    if config.record and config.record.exists():
        found = RECORD_MARKER.findall(config.record.read_text())
        if found:
            sha = found[-1]
            if _git(config.root, "merge-base", "--is-ancestor", sha, "HEAD") is not None:
                return sha, f"the last recorded full run ({sha})"
    head = _git(config.root, "rev-parse", "HEAD")
    for main in ("origin/main", "main"):
        base = _git(config.root, "merge-base", "HEAD", main)
        if base and base != head:
            return base, f"the merge base with {main} ({base[:12]})"
    parent = _git(config.root, "rev-parse", "HEAD~1")
    if parent:
        return parent, f"the previous commit ({parent[:12]})"
    return None, "no history"


def changed_modules(config: Config) -> tuple[list[str], str]:
    base, why = change_base(config)
    if base is None:
        return list(config.modules), f"{why}: every rule module"
    diff = _git(config.root, "diff", "--name-only", base)
    untracked = _git(config.root, "ls-files", "--others", "--exclude-standard")
    if diff is None:
        return list(config.modules), f"cannot diff against {why}: every rule module"
    changed = set(filter(None, (diff + "\n" + (untracked or "")).splitlines()))
    machinery = {CONFIG, "scripts/mutate.py", str(config.equivalent_file.relative_to(config.root))}
    if changed & machinery:
        return list(config.modules), f"the mutation set-up changed since {why}: every rule module"
    picked = [m for m, tests in config.modules.items() if changed & {m, *tests}]
    return picked, f"changed since {why}"


# ---------------------------------------------------------------------------------------------
# Reporting


def report(results: list[ModuleResult], floor: float) -> str:
    out = [
        f"{'module':48} {'mutants':>7} {'equiv':>5} {'tried':>5} {'caught':>6} "
        f"{'survived':>8} {'score':>7}"
    ]
    for r in results:
        note = " (partial: time budget)" if r.partial else ""
        below = "  BELOW FLOOR" if r.score < floor else ""
        out.append(
            f"{r.module:48} {r.total:>7} {r.count('equivalent'):>5} {r.scored:>5} "
            f"{r.caught:>6} {len(r.survivors):>8} {r.score:>6.1f}%{note}{below}"
        )
    for r in results:
        if r.survivors:
            out.append(f"\nSurvivors in {r.module}:")
            out.extend(f"  {m.describe()}" for m in sorted(r.survivors, key=lambda m: m.line))
        timeouts = r.count("timeout")
        if timeouts:
            out.append(f"\n{r.module}: {timeouts} mutant(s) caught by the time limit")
        for key in r.stale_equivalents:
            out.append(f"\nStale entry in the equivalents file (no such mutant now): {key}")
    return "\n".join(out)


def markdown(results: list[ModuleResult], root: Path) -> str:
    commit = _git(root, "rev-parse", "HEAD") or "unknown"
    dirty = " (with uncommitted changes)" if _git(root, "status", "--porcelain") else ""
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = [
        f"Full run {today}, commit `{commit[:12]}`{dirty}.",
        "",
        "| module | mutants | equivalent | tried | caught | survived | score |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows.append(
            f"| `{r.module}` | {r.total} | {r.count('equivalent')} | {r.scored} | {r.caught} "
            f"| {len(r.survivors)} | {r.score:.1f} % |"
        )
    rows.append("")
    rows.append(f"<!-- mutation-full-run: {commit} -->")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="rule modules to test (default: all)")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--config", default=CONFIG)
    parser.add_argument("--changed", action="store_true", help="only modules a change touched")
    parser.add_argument("--jobs", "-j", type=int, default=int(os.environ.get("MUTATE_JOBS", 1)))
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds for the whole run, shared by the modules; a module still running when its "
        "share is spent is scored on the mutants it tried (a seeded random sample)",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--json", type=Path, help="write every verdict here")
    parser.add_argument("--markdown", action="store_true", help="print docs/testing.md's table")
    parser.add_argument("--quiet", action="store_true", help="no line per mutant")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument(
        "--survivors-of",
        type=Path,
        help="try only the survivors of an earlier --json run (after adding tests; a run for "
        "the record must try every mutant)",
    )
    args = parser.parse_args(argv)
    # Stopped from outside (CI's limit, kill): unwind, so every private copy is removed.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    config = load_config(args.root.resolve(), args.config)
    modules = args.modules or list(config.modules)
    unknown = [m for m in modules if m not in config.modules]
    if unknown:
        parser.error(f"not in {args.config}: {', '.join(unknown)}")
    if args.changed:
        picked, why = changed_modules(config)
        modules = [m for m in modules if m in picked]
        print(f"Rule modules {why}: {', '.join(modules) or 'none'}")
        if not modules:
            return 0

    if args.list:
        for module in modules:
            for mutant in mutants_of(module, (config.root / module).read_text()):
                mark = " [equivalent]" if mutant.key in config.equivalents else ""
                print(mutant.describe() + mark)
        return 0

    only = None
    if args.survivors_of:
        only = {
            (o["module"], o["line_text"], o["change"], o["occurrence"])
            for r in json.loads(args.survivors_of.read_text())
            for o in r["outcomes"]
            if o["verdict"] == "survived"
        }
        modules = [m for m in modules if any(k[0] == m for k in only)]
    results = []
    finish = time.monotonic() + args.budget if args.budget else None
    template_dir = Path(tempfile.mkdtemp(prefix="caseload-mutate-db-"))
    template = template_dir / "migrated.sqlite3"
    try:
        for index, module in enumerate(modules):
            share = (finish - time.monotonic()) / (len(modules) - index) if finish else None
            print(f"Mutating {module} …", file=sys.stderr, flush=True)
            try:
                result = run_module(
                    config,
                    module,
                    only=only,
                    jobs=args.jobs,
                    budget=share,
                    python=args.python,
                    log=not args.quiet,
                    template=template,
                )
            except Stopped:
                print("Stopped: no result.", file=sys.stderr)
                return 143
            results.append(result)
    finally:
        shutil.rmtree(template_dir, ignore_errors=True)
    print(report(results, config.floor))
    if args.markdown:
        print()
        print(markdown(results, config.root))
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "module": r.module,
                        "score": r.score,
                        "partial": r.partial,
                        "outcomes": [
                            {**dataclasses.asdict(o.mutant), "verdict": o.verdict}
                            for o in r.outcomes
                        ],
                    }
                    for r in results
                ],
                indent=1,
            )
        )
    below = [r for r in results if r.score < config.floor]
    if below:
        print(
            f"\nFAILED: {', '.join(r.module for r in below)} below the floor of "
            f"{config.floor:g} %: add tests that catch the survivors, or list a mutant that "
            f"cannot change behaviour in {config.equivalent_file.relative_to(config.root)} "
            "with the reason."
        )
        return 1
    print(f"\nEvery module at or above the floor of {config.floor:g} %.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
