"""Settings: one table in metrics/config.py, each row documented in the README's table, read nowhere else."""

import ast
import re
from pathlib import Path

import pytest

from metrics import config
from metrics.paths import ROOT

README_ROW = re.compile(r"^\| `(?P<name>[A-Z_]+)` \| (?P<type>[^|]+) \| (?P<default>[^|]+) \| (?P<meaning>[^|]+) \|$",
                        re.M)


def readme_settings() -> dict[str, tuple[str, str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {row["name"]: (row["type"].strip(), row["default"].strip(), row["meaning"].strip())
            for row in README_ROW.finditer(text)}


def default_text(setting: config.Setting) -> str:
    if setting.default is None or setting.default == "":
        return "（未设）"
    if isinstance(setting.default, float) and setting.default.is_integer():
        return f"`{int(setting.default)}`"
    return f"`{setting.default}`"


def test_every_setting_is_in_the_table_and_the_readme_documents_each_row_as_it_is():
    declared = [value for value in vars(config).values() if isinstance(value, config.Setting)]
    assert sorted(setting.name for setting in declared) == sorted(setting.name for setting in config.SETTINGS)
    expected = {setting.name: (config.TYPE_NAMES[setting.type], default_text(setting), setting.meaning)
                for setting in config.SETTINGS}
    assert readme_settings() == expected


def reads_environment(path: Path) -> list[int]:
    """Lines that read or write the process environment: os.environ, os.getenv, os.putenv."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "putenv", "unsetenv"} \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and {alias.name for alias in node.names} & {"environ", "getenv", "putenv"}:
            lines.append(node.lineno)
    return lines


def test_nothing_but_the_config_module_reads_the_environment():
    sources = [path for directory in ("metrics", "ui", "pages") for path in (ROOT / directory).rglob("*.py")]
    sources += [ROOT / "app.py", ROOT / "server.py"]
    offenders = {str(path.relative_to(ROOT)): lines for path in sources
                 if path != ROOT / "metrics" / "config.py" and (lines := reads_environment(path))}
    assert offenders == {}


def test_a_setting_reads_its_value_its_default_and_refuses_a_wrong_type_in_one_line(monkeypatch):
    monkeypatch.delenv("METRICS_MAX_UPLOAD_MB", raising=False)
    assert config.MAX_UPLOAD_MB.value() == 50.0
    monkeypatch.setenv("METRICS_MAX_UPLOAD_MB", " 12.5 ")
    assert config.MAX_UPLOAD_MB.value() == 12.5
    monkeypatch.setenv("METRICS_MAX_UPLOAD_MB", "")
    assert config.MAX_UPLOAD_MB.value() == 50.0
    monkeypatch.setenv("METRICS_MAX_UPLOAD_CELLS", "十万")
    with pytest.raises(config.SettingError) as refused:
        config.MAX_UPLOAD_CELLS.value()
    assert str(refused.value) == "设置 METRICS_MAX_UPLOAD_CELLS 的值“十万”不是整数"
    monkeypatch.setenv("METRICS_DB", "/srv/metrics/warehouse.duckdb")
    assert config.DB.value() == Path("/srv/metrics/warehouse.duckdb")
