"""Issue 23 item 14: what the README shows can be pasted.

Every ```toml block of README.md is read by the product's own loader (bulletin.core.config.load_settings): a
fragment ([layout], [scoring]…) is appended to a minimal valid bulletin.toml, a block with its own [bulletin]
stands alone. Every `bulletin …` line of the ```bash blocks names commands and options the CLI has (typer's
click tree, typer.main.get_command(app)); an option that takes a value is followed by one.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import typer

from bulletin.cli import app
from bulletin.core.config import load_settings

README = Path(__file__).resolve().parents[2] / "README.md"
MINIMAL = """\
[bulletin]
title = "章贡区“五型”政府建设 工作简报"
office = "区“五型”政府建设领导小组办公室"
phone = "8199917"
email = "zgqwxzfb@163.com"
first_issue = 64
report_to = "区政府区长、副区长"
send_to = "各镇、街道，全区政府系统部门（单位）"
"""


def blocks(language: str) -> list[tuple[int, str]]:
    """(line number of the opening fence, text) of every fenced block in that language."""
    found, inside, ours, lines, start = [], False, False, [], 0
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("```"):
            if inside and ours:
                found.append((start, "\n".join(lines) + "\n"))
            inside, ours, lines, start = not inside, line[3:].strip() == language, [], number
        elif inside:
            lines.append(line)
    return found


TOML = blocks("toml")
BASH = blocks("bash")


def test_the_readme_has_the_examples_this_test_is_about():
    assert len(TOML) >= 5 and len(BASH) >= 8
    assert any("[scoring.levels]" in text for _, text in TOML)


@pytest.mark.parametrize("line, text", TOML, ids=[f"README.md:{line}" for line, _ in TOML])
def test_every_toml_block_loads_with_the_product_loader(tmp_path, line, text):
    data = tomllib.loads(text)  # a syntax error names README's block (line) in the test id
    whole = text if "bulletin" in data else MINIMAL + "\n" + text
    path = tmp_path / "bulletin.toml"
    path.write_text(whole, encoding="utf-8")
    settings = load_settings(path)
    for section in data:  # every section the block sets is really read (not left out as a default)
        assert getattr(settings, section) is not None


def test_the_scoring_example_sets_the_levels_it_shows(tmp_path):
    text = next(t for _, t in TOML if "[scoring.levels]" in t)
    path = tmp_path / "bulletin.toml"
    path.write_text(MINIMAL + "\n" + text, encoding="utf-8")
    assert load_settings(path).scoring.levels == {"市级": 5, "省级": 10, "国家级": 20}


def command_lines() -> list[tuple[int, str]]:
    """`bulletin …` commands (also `.venv/bin/bulletin …` after `&&`), comments and environment lines left out."""
    found = []
    for start, text in BASH:
        for offset, raw in enumerate(text.splitlines(), start=1):
            try:
                tokens = shlex.split(raw, comments=True)
            except ValueError:
                continue
            command: list[str] = []
            for token in tokens + ["&&"]:
                if token in ("&&", "||", ";", "|"):
                    if command and Path(command[0]).name == "bulletin":
                        found.append((start + offset, shlex.join(command)))
                    command = []
                else:
                    command.append(token)
    return found


COMMANDS = command_lines()
ROOT = typer.main.get_command(app)


def is_group(command) -> bool:
    return hasattr(command, "get_command") and hasattr(command, "list_commands")


def check(tokens: list[str]) -> list[str]:
    """What the CLI would not accept in `bulletin <tokens>`, as readable complaints ([] when all is known)."""
    command = ROOT  # typer ships its own click (typer._click): groups are known by get_command, not by class
    rest = list(tokens)
    while is_group(command) and rest and not rest[0].startswith("-"):
        name = rest.pop(0)
        sub = command.get_command(None, name)
        if sub is None:
            return [f"no command {name!r} under {command.name!r}"]
        command = sub
    if is_group(command) and not getattr(command, "invoke_without_command", False):  # `bulletin instructions` lists
        return [f"{command.name!r} needs a subcommand"] if not rest else [f"options before a subcommand: {rest}"]
    options = {o: p for p in command.params if p.param_type_name == "option" for o in p.opts + p.secondary_opts}
    options |= {o: None for o in command.get_help_option_names(command.make_context("bulletin", ["--help"],
                                                                                   resilient_parsing=True))}
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    problems, positional = [], 0
    while rest:
        token = rest.pop(0)
        if token.startswith("-") and token != "-":
            name, has_value, _ = token.partition("=")
            if name not in options:
                problems.append(f"{command.name}: no option {name}")
                continue
            option = options[name]
            if option is not None and not (option.is_flag or option.count) and not has_value:
                if not rest or (rest[0].startswith("-") and rest[0] != "-"):
                    problems.append(f"{command.name}: {name} needs a value")
                else:
                    rest.pop(0)
        else:
            positional += 1
    if positional > sum(max(a.nargs, 0) if a.nargs != -1 else 99 for a in arguments):
        problems.append(f"{command.name}: {positional} positional arguments, takes {len(arguments)}")
    return problems


def test_the_readme_shows_the_commands_this_test_is_about():
    shown = {line.split()[1] for _, line in COMMANDS}
    assert {"compile", "approve", "send", "status", "stats", "fetch", "tasks", "deploy", "serve"} <= shown


@pytest.mark.parametrize("line, command", COMMANDS, ids=[f"README.md:{line}" for line, _ in COMMANDS])
def test_every_bulletin_command_line_uses_what_the_cli_has(line, command):
    assert check(shlex.split(command)[1:]) == []


@pytest.mark.parametrize("tokens, problem", [
    (["compile", "--mont", "2026-11"], "compile: no option --mont"),
    (["aprove"], "no command 'aprove' under 'bulletin'"),
    (["tasks", "spilt"], "no command 'spilt' under 'tasks'"),
    (["approve", "--month"], "approve: --month needs a value"),
])
def test_the_checker_catches_what_it_is_for(tokens, problem):
    assert problem in check(tokens)
