"""python -m metrics: build, export and inspect the warehouse from the shell."""

import argparse
import sys
from pathlib import Path

from metrics import build as building
from metrics import exporting, queries
from metrics.paths import resolve_db
from metrics.warehouse import WarehouseError, open_reader


def _write(text: str, out: str | None) -> None:
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as error:
            raise WarehouseError(f"无法写入 {out}：{error.strerror}") from error
    else:
        sys.stdout.write(text)


def cmd_build(args) -> None:
    db = resolve_db(args.db)
    rows = building.build(db)
    print(f"已构建数据仓库 {db}：{rows} 条通报观测值", file=sys.stderr)


def cmd_ensure(args) -> None:
    db = resolve_db(args.db)
    if db.exists():
        open_reader(db).close()
        print(f"数据仓库已存在：{db}", file=sys.stderr)
    else:
        cmd_build(args)


def cmd_export(args) -> None:
    con = open_reader(resolve_db(args.db))
    try:
        _write(exporting.to_csv_text(exporting.observations_frame(con)), args.out)
    finally:
        con.close()


def cmd_indicators(args) -> None:
    con = open_reader(resolve_db(args.db))
    try:
        _write(exporting.to_csv_text(queries.run(con, "indicator_catalog")), args.out)
    finally:
        con.close()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m metrics", description="政务服务指标看板 数据仓库命令")
    commands = top.add_subparsers(dest="command", required=True)

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--db", help="数据仓库路径(默认 $METRICS_DB 或 data/warehouse.duckdb)")
        sub.set_defaults(handler=handler)
        return sub

    command("build", cmd_build, "从 sql/ 与 data/seed/ 构建数据仓库")
    command("ensure", cmd_ensure, "数据仓库不存在时构建，存在时检查能否打开")
    command("export", cmd_export, "导出全部观测值(长表 CSV)").add_argument("--out", help="输出文件，默认标准输出")
    command("indicators", cmd_indicators, "导出指标目录 CSV").add_argument("--out", help="输出文件，默认标准输出")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.handler(args)
    except WarehouseError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    return 0
