"""Every command of the CLI documents itself, and `python -m casekit` is the same program."""
from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from casekit.cli import app

def missing_help(typer_app) -> list[str]:
    """Commands without a help text, and options or arguments without one, as ``"command --option"``."""
    import typer

    group = typer.main.get_command(typer_app)
    missing = []
    for name, command in sorted(group.commands.items()):
        if not (command.help or "").strip():
            missing.append(name)
        for param in command.params:
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{name} {param.opts[0] if param.opts else param.name}")
    return missing


COMMANDS = sorted(__import__("typer").main.get_command(app).commands)


def test_every_command_and_option_has_help():
    assert {"validate", "template", "sample", "run", "batch", "docs"} <= set(COMMANDS)
    assert missing_help(app) == []


def test_the_help_check_fails_for_a_command_or_option_without_help():
    import typer

    bare = typer.Typer()

    @bare.command()
    def documented(x: int = typer.Option(1, help="A number.")) -> None:
        """Has help."""

    @bare.command()
    def silent(y: int = typer.Option(2)) -> None:
        pass

    assert missing_help(bare) == ["silent", "silent --y"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_prints_its_help(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and len(result.output.splitlines()) > 4


def test_python_m_casekit_lists_all_commands():
    out = subprocess.run([sys.executable, "-m", "casekit", "--help"], capture_output=True, text=True, check=True)
    for command in COMMANDS:
        assert command in out.stdout


def test_missing_path_is_a_message_not_a_traceback(tmp_path):
    out = subprocess.run([sys.executable, "-m", "casekit", "run", str(tmp_path / "nowhere"), "--no-pdf"],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr + out.stdout
    assert "nowhere" in out.stderr + out.stdout


def test_validate_speaks_the_language_asked_for():
    from casekit.paths import J_HOSPITAL_DIR

    zh = CliRunner().invoke(app, ["validate", str(J_HOSPITAL_DIR), "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    assert "通过：已从" in zh.output and "2020年有实际数但无预算" in zh.output and "请补充该年预算" in zh.output
    en = CliRunner().invoke(app, ["validate", str(J_HOSPITAL_DIR)])
    assert en.output.splitlines()[-1].startswith("OK: ") and "year 2020 has actuals but no budget" in en.output
    bad = CliRunner().invoke(app, ["validate", str(J_HOSPITAL_DIR), "--lang", "fr"])
    assert bad.exit_code == 1 and "unknown report language" in bad.output
