"""The command line: one command whose module fails to load leaves the others working."""

from __future__ import annotations

import sys
import types

import pytest

from xrayreview import cli, commands


@pytest.fixture
def broken_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command module that raises on import, as one with a missing optional dependency would."""
    real_iter = cli.pkgutil.iter_modules

    def with_broken(path):
        yield from real_iter(path)
        yield types.SimpleNamespace(name="broken_thing")

    def fail(name, *args, **kwargs):
        if name.endswith(".broken_thing"):
            raise ImportError("No module named 'missing_dependency'")
        return real_import(name, *args, **kwargs)

    real_import = cli.importlib.import_module
    monkeypatch.setattr(cli.pkgutil, "iter_modules", with_broken)
    monkeypatch.setattr(cli.importlib, "import_module", fail)
    assert f"{commands.__name__}.broken_thing" not in sys.modules


def test_other_commands_still_run(broken_command, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert "xrayreview" in capsys.readouterr().out
    assert cli.main(["evaluate", "--data", "/nonexistent/folder"]) == 2  # a working command, its own error


def test_the_broken_command_says_why(broken_command, capsys) -> None:
    assert cli.main(["broken-thing", "--anything"]) == 2
    err = capsys.readouterr().err
    assert "broken-thing command is unavailable" in err and "missing_dependency" in err
