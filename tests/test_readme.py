"""The README's test command is exactly what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", setup, flags=re.S)


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert "streamlit run app.py" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _readme_commands()[1]
    lines = [line.strip() for line in script.splitlines()]
    marker = lines.index("# TEST-COMMAND (kept identical to README.md by tests/test_readme.py)")
    assert lines[marker + 1] == test_command


def test_readme_goal_example_is_a_valid_goal_file() -> None:
    from kpi_core.goals import load_goals

    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## Goals", 1)[1]
    example = re.search(r"```yaml\n(.+?)\n```", text, flags=re.S).group(1)
    goals = load_goals(example)
    assert goals.kgi.target == 144_000_000 and [k.id for k in goals.kpis] == ["valid_deals"]
