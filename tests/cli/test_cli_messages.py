"""What a new office tripped over at the command line (issue 23 item 16), each read as the office reads it."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys

from typer.testing import CliRunner

from bulletin.cli import app

runner = CliRunner()


def test_init_prints_a_next_command_that_survives_a_path_with_spaces(tmp_path):
    target = tmp_path / "我的 简报 工作目录"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    line = [l for l in result.output.splitlines() if "bulletin compile" in l][0].strip()
    assert shlex.split(line) == ["bulletin", "compile", "--workspace", str(target)]


def test_help_keeps_the_square_brackets_of_settings_sections():
    for command, section in (("review", "[web]"), ("deploy", "[mailbox]"), ("send", "[series.名称]")):
        result = runner.invoke(app, [command, "--help"], terminal_width=200)
        assert result.exit_code == 0
        assert section in result.output, (command, result.output)


def test_chinese_quotes_in_bulletin_toml_are_explained_in_chinese(tmp_path):
    (tmp_path / "bulletin.toml").write_text('[bulletin]\ntitle = “工作简报”\n', encoding="utf-8")
    result = runner.invoke(app, ["status", "--workspace", str(tmp_path), "--month", "2026-10"])
    assert result.exit_code == 1
    assert "第2行" in result.output and "中文引号" in result.output and "英文引号" in result.output
    assert "Invalid" not in result.output and "Expected" not in result.output


def test_a_second_serve_on_a_used_port_says_so_in_chinese(tmp_path):
    runner.invoke(app, ["init", str(tmp_path / "ws")])
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        done = subprocess.run([sys.executable, "-m", "bulletin.cli", "serve", "--workspace", str(tmp_path / "ws"),
                               "--port", str(port)], capture_output=True, text=True, timeout=60)
    finally:
        busy.close()
    assert done.returncode == 1
    assert f"端口 {port} 已被占用" in done.stderr
    assert "审核台：http" not in done.stdout  # the address is not announced for a desk that never started
    assert "error while attempting to bind" not in done.stderr + done.stdout
