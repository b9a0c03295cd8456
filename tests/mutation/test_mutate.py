"""scripts/mutate.py: the mutants it makes, and the floor it enforces (docs/testing.md)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("caseload_mutate", ROOT / "scripts" / "mutate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["caseload_mutate"] = module
    spec.loader.exec_module(module)
    return module


mutate = _load()


def changes(source: str) -> dict[str, str]:
    """change -> the mutated source's changed line, for every mutant of ``source``."""
    source = textwrap.dedent(source)
    found = {}
    for m in mutate.mutants_of("m.py", source):
        found[f"{m.line}: {m.change}"] = mutate.apply(source, m).splitlines()[m.line - 1].strip()
    return found


def test_comparisons_booleans_constants_and_returns_are_mutated() -> None:
    found = changes(
        """
        def rule(total, flagged):
            return total >= 10 and not flagged
        """
    )
    assert found["3: '>=' -> '>'"] == "return (total > 10) and not flagged"
    assert found["3: '>=' -> '<'"] == "return (total < 10) and not flagged"
    assert found["3: 10 -> 11"] == "return total >= (11) and not flagged"
    assert found["3: 10 -> 9"] == "return total >= (9) and not flagged"
    assert found["3: 'and' -> 'or'"] == "return (total >= 10 or not flagged)"
    assert found["3: operand 'total >= 10' dropped"] == "return (not flagged)"
    assert found["3: 'not' removed"] == "return total >= 10 and (flagged)"
    assert found["3: return None"] == "return None"


def test_statements_conditions_and_loops_are_mutated() -> None:
    found = changes(
        """
        def count(days, holidays):
            n = 0
            while n < days:
                n += 1
                if n in holidays:
                    continue
            return [d for d in holidays if d > n]
        """
    )
    assert found["4: while condition 'n < days' -> False"] == "while False:"
    assert found["5: remove 'n += 1'"] == "pass"
    assert found["5: '+=' -> '-='"] == "n -= 1"
    assert found["6: if condition 'n in holidays' -> True"] == "if True:"
    assert found["6: if condition 'n in holidays' -> False"] == "if False:"
    assert found["6: 'in' -> 'not in'"] == "if (n not in holidays):"
    assert found["7: remove continue"] == "pass"
    assert (
        found["8: comprehension filter 'd > n' dropped"] == "return [d for d in holidays if True]"
    )


def test_docstrings_strings_annotations_and_fstrings_are_left_alone() -> None:
    found = changes(
        '''
        """Module docstring 1 < 2."""
        LIMIT: int = 3

        def f(x: int = 1) -> str:
            """Docstring."""
            return f"{x + 1} items"
        '''
    )
    assert sorted(found) == ["3: 3 -> 2", "3: 3 -> 4", "5: 1 -> 0", "5: 1 -> 2", "7: return None"]


def test_columns_after_non_ascii_text_are_respected() -> None:
    source = 'LABEL = "0–4 days"; LIMIT = 4 < 5\n'
    mutant = next(m for m in mutate.mutants_of("m.py", source) if m.change == "'<' -> '<='")
    assert mutate.apply(source, mutant) == 'LABEL = "0–4 days"; LIMIT = (4 <= 5)\n'


def test_mutants_of_the_rule_modules_are_still_python() -> None:
    # apply() parses every mutant it writes; here a spread of each module's mutants (parsing
    # all of them would cost half a minute).
    config = mutate.load_config(ROOT)
    for module in config.modules:
        source = (ROOT / module).read_text()
        mutants = mutate.mutants_of(module, source)
        assert len(mutants) > 20
        for mutant in mutants[:: max(1, len(mutants) // 40)]:
            ast.parse(mutate.apply(source, mutant))


def test_equivalents_are_matched_by_line_content_not_line_number() -> None:
    before = "def f(x):\n    return x >= 0\n"
    after = "# a comment\n\n" + before
    key = next(m.key for m in mutate.mutants_of("m.py", before) if m.change == "'>=' -> '>'")
    moved = next(m for m in mutate.mutants_of("m.py", after) if m.change == "'>=' -> '>'")
    assert moved.line == 4
    assert moved.key == key == ("m.py", "return x >= 0", "'>=' -> '>'", 0)


# --- a planted project: the floor, the canary and the choice of changed modules ---------------

TOY = """\
def adult(age):
    return age >= 18
"""
STRONG = """\
from toy import adult

def test_adult():
    assert adult(18) is True
    assert adult(17) is False
"""
WEAK = """\
from toy import adult

def test_adult():
    assert adult(30)
"""
NOT_IMPORTING = """\
def test_nothing():
    assert True
"""


def toy_project(tmp_path: Path, tests: str, *, equivalent: str = "") -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "src" / "toy.py").write_text(TOY)
    (tmp_path / "tests" / "test_toy.py").write_text(tests)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["src"]\n')
    (tmp_path / "mutation").mkdir()
    (tmp_path / "mutation" / "modules.toml").write_text(
        textwrap.dedent(
            """
            [settings]
            floor = 95
            env = {PYTEST_DISABLE_PLUGIN_AUTOLOAD = "1"}
            copy = ["src", "tests", "pyproject.toml"]
            record = "testing.md"

            [modules]
            "src/toy.py" = ["tests/test_toy.py"]
            """
        )
    )
    (tmp_path / "mutation" / "equivalent.toml").write_text(equivalent)
    return tmp_path


def run(root: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "scripts" / "mutate.py"),
            "--root",
            str(root),
            "--quiet",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr


def test_a_weak_test_set_is_below_the_floor_and_fails(tmp_path: Path) -> None:
    code, out = run(toy_project(tmp_path, WEAK))
    assert code == 1
    assert "src/toy.py" in out
    assert "BELOW FLOOR" in out
    assert "src/toy.py:2: '>=' -> '>'    | return age >= 18" in out
    assert "src/toy.py:2: 18 -> 19" in out
    assert "FAILED: src/toy.py below the floor of 95 %" in out
    # the original is never touched
    assert (tmp_path / "src" / "toy.py").read_text() == TOY


def test_tests_at_the_boundary_catch_every_mutant_and_pass(tmp_path: Path) -> None:
    code, out = run(toy_project(tmp_path, STRONG))
    assert code == 0, out
    assert "100.0%" in out
    assert "Every module at or above the floor of 95 %." in out


def test_a_run_out_of_time_is_scored_on_what_it_tried_and_nothing_tried_fails(
    tmp_path: Path,
) -> None:
    code, out = run(toy_project(tmp_path, STRONG), "--budget", "0.001")
    assert code == 1
    assert "(partial: time budget)" in out
    assert "BELOW FLOOR" in out


def test_an_equivalent_mutant_needs_a_reason_and_leaves_the_score(tmp_path: Path) -> None:
    entry = (
        '[[equivalent]]\nmodule = "src/toy.py"\nline = "return age >= 18"\n'
        "change = \"'>=' -> '>'\"\n"
    )
    code, out = run(toy_project(tmp_path, WEAK, equivalent=entry))
    assert code != 0
    assert "needs a reason" in out
    (tmp_path / "mutation" / "equivalent.toml").write_text(entry + 'reason = "planted"\n')
    code, out = run(tmp_path, "--list")
    assert code == 0
    assert "src/toy.py:2: '>=' -> '>'    | return age >= 18 [equivalent]" in out


def test_a_test_set_that_never_reads_the_mutated_copy_stops_the_run(tmp_path: Path) -> None:
    code, out = run(toy_project(tmp_path, NOT_IMPORTING))
    assert code != 0
    assert "canary mutant survived" in out


def git(root: Path, *args: str) -> None:
    subprocess.run(  # noqa: S603
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],  # noqa: S607
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_ci_mutates_only_modules_changed_since_the_recorded_full_run(tmp_path: Path) -> None:
    root = toy_project(tmp_path, STRONG)
    (root / "notes.txt").write_text("x")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (root / "testing.md").write_text(f"<!-- mutation-full-run: {sha} -->\n")
    (root / "notes.txt").write_text("y")
    git(root, "commit", "-qam", "unrelated")
    git(root, "add", "testing.md")
    git(root, "commit", "-qm", "record")
    code, out = run(root, "--changed", "--list")
    assert code == 0
    assert "Rule modules changed since the last recorded full run" in out
    assert ": none" in out
    # a weaker test set is a change to the module's proof: the module is mutated again
    (root / "tests" / "test_toy.py").write_text(WEAK)
    git(root, "commit", "-qam", "weaker tests")
    code, out = run(root, "--changed", "--list")
    assert code == 0
    assert ": src/toy.py" in out
    assert "src/toy.py:2: '>=' -> '>'" in out


@pytest.mark.parametrize("history", ["none", "one"])
def test_without_a_record_ci_compares_with_the_previous_commit(
    tmp_path: Path, history: str
) -> None:
    root = toy_project(tmp_path, STRONG)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    if history == "one":
        (root / "notes.txt").write_text("y")
        git(root, "add", "notes.txt")
        git(root, "commit", "-qm", "unrelated")
        code, out = run(root, "--changed", "--list")
        assert "changed since the previous commit" in out
        assert ": none" in out
    else:
        code, out = run(root, "--changed", "--list")
        assert "every rule module" in out
        assert "src/toy.py:2:" in out
    assert code == 0
