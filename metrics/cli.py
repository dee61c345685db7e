"""python -m metrics: build, export and inspect the warehouse from the shell."""

import argparse
import contextlib
import datetime as dt
import getpass
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from metrics import (
    accounts,
    changes,
    config,
    exporting,
    facts,
    formatting,
    ingest,
    notify,
    periods,
    reporting,
    supervision,
)
from metrics.assessment import scoring
from metrics.briefing import model as briefing_model
from metrics.errors import DoneButPending, UserFacingError
from metrics.ingest.files import max_cli_load_mb
from metrics.paths import resolve_db
from metrics.store import build as building
from metrics.store import engine, journal, queries, upgrade, warehouse
from metrics.store.warehouse import WarehouseError, open_reader
from metrics.webhook import post as webhook_post
from metrics.webhook import shown_url

# Problems or conflicts printed one per line; a longer list is counted and written to a file.
PRINTED_LINES = 20



def _operator() -> str:
    """Who runs a command: 'cli:<system user>', which screens and the audit log name as 服务器命令行
    (metrics.formatting.actor_text), never as the bare system account (root)."""
    return f"cli:{getpass.getuser()}"

def _write(text: str, out: str | None) -> None:
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as error:
            raise WarehouseError(f"无法写入 {out}：{error.strerror}") from error
    else:
        sys.stdout.write(text)


def _read(args, function):
    """function(con) on a read-only connection to the warehouse the arguments name."""
    con = open_reader(resolve_db(args.db))
    try:
        return function(con)
    finally:
        con.close()


def _write_csv(args, frame_of) -> None:
    """The frame frame_of(con) gives, as CSV to --out or standard output."""
    _write(exporting.to_csv_text(_read(args, frame_of)), args.out)


def _build(db: Path, force: bool) -> None:
    rows = building.build(db, force=force, actor=_operator())
    print(f"已构建数据仓库 {db}：{rows} 条通报观测值", file=sys.stderr)


def cmd_build(args) -> None:
    db = resolve_db(args.db)
    if args.force and (aside := warehouse.set_aside_unopenable(db)):
        print(f"已将无法打开的目录库及数据文件移至 {aside}", file=sys.stderr)
    _build(db, args.force)
    changes.after_commit(db, "构建")


def cmd_ensure(args) -> None:
    """Build only where there is no warehouse at all; migrate one of the earlier format; never replace one."""
    db = resolve_db(args.db)
    if not warehouse.exists(db):
        _build(db, force=False)
    elif warehouse.is_legacy(db):
        tables, observations = upgrade.migrate_legacy(db, actor=_operator())
        print(f"已将旧格式数据仓库 {db} 迁移到 DuckLake（{warehouse.lake_dir(db)}）：{tables} 张表，"
              f"观测值 {observations} 条，逐表核对行数一致；旧文件保留未动", file=sys.stderr)
    elif damage := warehouse.damage(db):
        raise WarehouseError(damage)
    else:
        print(f"数据仓库已存在：{db}", file=sys.stderr)
        removed = warehouse.remove_orphan_files(db)
        if removed:
            print(f"已删除 {removed} 个未被任何版本引用的数据文件（中断或失败的写入留下）", file=sys.stderr)
    if upgrade.upgrade(db, actor=_operator()):
        print(f"已将数据仓库 {db} 升级到当前版本的结构并重新计算指标结果；载入的数据未改动，升级前的版本保留可恢复",
              file=sys.stderr)
    try:
        journal.reconcile(db)
    except accounts.StoreBusy as busy:
        print(f"注意：{busy}，审计记录将在下次变更或启动时补记", file=sys.stderr)
    one_time = accounts.bootstrap_admin(accounts.accounts_path(db))
    if one_time:
        print(
            f"首次启动：已创建管理员账户 admin，一次性密码 {one_time}\n"
            "请登录后立即修改密码；此密码不会再次显示。",
            file=sys.stderr,
        )


def _password(args) -> str:
    """The password from standard input (--password-stdin) or typed twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if first != getpass.getpass("再次输入密码："):
        raise accounts.AccountError("两次输入的密码不一致")
    return first


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip())


def _scope(args) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """--regions and --categories, each name checked against the warehouse."""
    regions, categories = _split(args.regions), _split(args.categories)
    for names, known, label in (
        (regions, lambda con: facts.regions(con)["name"].tolist(), "地区"),
        (categories, facts.categories, "指标类别"),
    ):
        if names:
            allowed = _read(args, known)
            if unknown := [name for name in names if name not in allowed]:
                raise accounts.AccountError(f"未知{label}“{'、'.join(unknown)}”，可选：{'、'.join(allowed)}")
    return regions, categories


def cmd_user(args) -> None:
    store = accounts.accounts_path(resolve_db(args.db))
    actor = _operator()
    if args.action == "list":
        users = accounts.list_users(store)
        users["scope_regions"] = users["scope_regions"].map("、".join)
        users["scope_categories"] = users["scope_categories"].map("、".join)
        sys.stdout.write(exporting.to_csv_text(users))
        return
    if not args.username:
        raise accounts.AccountError("请给出用户名")
    args.username = accounts.normal_username(args.username)  # ａｄｍｉｎ names admin, as add stores it
    if args.action == "add":
        regions, categories = _scope(args)
        accounts.add_user(store, args.username, _password(args), args.role or "viewer", actor=actor,
                          scope_regions=regions, scope_categories=categories, must_change_password=True)
        print(f"已新增账户 {args.username}（首次登录须修改密码）", file=sys.stderr)
    elif args.action == "set":
        if not args.role:
            raise accounts.AccountError("请用 --role 指定角色（viewer、editor 或 admin）")
        regions, categories = _scope(args)
        accounts.set_role(store, args.username, args.role, actor=actor, scope_regions=regions,
                          scope_categories=categories)
        print(f"已修改 {args.username} 的角色与范围（其会话已结束）", file=sys.stderr)
    elif args.action == "passwd":
        accounts.set_password(store, args.username, _password(args), actor=actor)
        print(f"已修改 {args.username} 的密码", file=sys.stderr)
    elif args.action in ("disable", "enable"):
        accounts.set_disabled(store, args.username, args.action == "disable", actor=actor)
        print(f"已{'停用' if args.action == 'disable' else '启用'}账户 {args.username}", file=sys.stderr)


def cmd_migrate_accounts(args) -> None:
    """Copy the file store into PostgreSQL ($METRICS_ACCOUNTS_URL: the password stays out of the command line)."""
    target = accounts.accounts_path(resolve_db(args.db))
    if not isinstance(target, accounts.PostgresStore):
        raise accounts.AccountError(f"请先设置 {config.ACCOUNTS_URL.name} 为目标 PostgreSQL 数据库的连接串")
    source = Path(args.source) if args.source else accounts.accounts_file(resolve_db(args.db))
    if not source.is_file():
        raise accounts.AccountError(f"账户库文件 {source} 不存在")
    copied = accounts.migrate(source, target)
    counts = "、".join(f"{accounts.STORE_TABLES[table]} {count} 行" for table, count in copied.items())
    print(f"已将账户库 {source} 复制到 {target}：{counts}，逐表核对行数一致", file=sys.stderr)


def cmd_migrate_shared(args) -> None:
    """The embedded install into the shared shape: the warehouse with its history into the catalog of
    $METRICS_CATALOG_URL, then the accounts store into $METRICS_ACCOUNTS_URL; each target must be empty."""
    db = resolve_db(args.db)
    target = accounts.accounts_path(db)
    if not isinstance(target, accounts.PostgresStore):
        raise accounts.AccountError(f"请先设置 {config.ACCOUNTS_URL.name} 为目标 PostgreSQL 数据库的连接串")
    source = accounts.accounts_file(db)
    tables, observations = upgrade.migrate_to_shared(db, actor=_operator())
    print(f"已将数据仓库复制到共享目录库 {warehouse.catalog_name(db)}：{tables} 张表，观测值 {observations} 条，"
          "逐表核对行数一致", file=sys.stderr)
    if source.is_file():
        copied = accounts.migrate(source, target)
        counts = "、".join(f"{accounts.STORE_TABLES[table]} {count} 行" for table, count in copied.items())
        print(f"已将账户库 {source} 复制到 {target}：{counts}，逐表核对行数一致", file=sys.stderr)


def cmd_export(args) -> None:
    _write_csv(args, exporting.observations_frame)


def cmd_indicators(args) -> None:
    _write_csv(args, lambda con: queries.run(con, "indicator_catalog"))


def cmd_score(args) -> None:
    _write_csv(args, lambda con: scoring.score_export(con, args.scheme, args.period))


def _conflict_lines(conflicts: pd.DataFrame) -> list[str]:
    return [
        f"第{conflict.row_number}行 {conflict.indicator}/{conflict.region}/{conflict.period}："
        f"已有 {conflict.old_value:g}({conflict.old_qualifier}，{conflict.old_source}) → "
        f"{conflict.new_value:g}({conflict.new_qualifier}，{conflict.new_source})"
        for conflict in conflicts.itertuples(index=False)
    ]


def _print_list(frame: pd.DataFrame, lines_of, table_of, what: str, full_list: str | None) -> None:
    """The first PRINTED_LINES lines; a longer list is counted, and written whole as CSV (table_of: the frame
    under the headers users read) to a file."""
    for line in lines_of(frame.head(PRINTED_LINES)):
        print(line, file=sys.stderr)
    if len(frame) <= PRINTED_LINES:
        return
    if full_list:
        path = Path(full_list)
    else:
        handle, name = tempfile.mkstemp(prefix="metrics-load-", suffix=".csv")
        os.close(handle)
        path = Path(name)
    _write(exporting.to_csv_text(table_of(frame)), str(path))
    print(f"……共 {len(frame)} 处{what}，以上为前 {PRINTED_LINES} 处，完整列表见 {path}", file=sys.stderr)


def cmd_load(args) -> int:
    """Exit 1 when the file has problems or would change stored rows without --replace."""
    db = resolve_db(args.db)
    validation = ingest.check_file(db, Path(args.file), kind=args.kind, max_mb=max_cli_load_mb())
    _print_list(validation.errors, ingest.problem_lines, ingest.problem_table, "问题", args.full_list)
    if not validation.ok:
        # A file refused as a whole is said in its one line; a count of one problem would only repeat it.
        if not (len(validation.errors) == 1 and validation.errors[ingest.ROW].isna().all()):
            print(f"错误：{len(validation.errors)} 处问题，未载入", file=sys.stderr)
        return 1
    _print_list(validation.conflicts, _conflict_lines, ingest.conflict_table, "与已有数据不同", args.full_list)
    if args.dry_run:
        inserted = len(validation.rows) - len(validation.conflicts) - validation.unchanged
        print(
            f"校验通过(试运行，未写入)：新增 {inserted} 行，与已有不同 {len(validation.conflicts)} 行，"
            f"不变 {validation.unchanged} 行",
            file=sys.stderr,
        )
        return 0
    try:
        result = changes.load(db, validation, actor=args.user, replace=args.replace)
    except ingest.ConflictError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    print(f"已载入 #{result.load_id}：{result.note}", file=sys.stderr)
    return 0


def cmd_history(args) -> None:
    _write_csv(args, ingest.history)


def cmd_rollback(args) -> None:
    result = changes.rollback(resolve_db(args.db), args.load_id, actor=args.user)
    print(f"已撤销(记录为变更 #{result.load_id})：{result.note}", file=sys.stderr)


def cmd_template(args) -> None:
    data = _read(args, ingest.template_bytes)
    try:
        Path(args.out).write_bytes(data)
    except OSError as error:
        raise WarehouseError(f"无法写入 {args.out}：{error.strerror}") from error
    print(f"已生成模板 {args.out}", file=sys.stderr)


# How long a reminder waits in all for the webhook's answer: a per-read timeout alone lets a server that
# sends a byte every few seconds hold the command (and the cron job) for ever.
REMIND_DEADLINE_SECONDS = 10


def _quarter_of(con, period: str | None) -> int:
    """The quarter a command names ('2024Q3'), else the newest with data."""
    if period:
        index = periods.quarter_index(period)
        if index is None:
            raise WarehouseError(f"期间“{period}”无法识别：应写作 2024Q3")
        return index
    quarters = periods.reporting_quarters(con)
    if quarters.empty:
        raise WarehouseError("数据仓库中还没有任何指标数据")
    return int(quarters["quarter_index"].iloc[0])


def cmd_remind(args) -> None:
    """Print the quarter's 催报 digest as JSON, and post it to the webhook when one is configured."""
    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError as error:
        raise WarehouseError(f"日期“{args.today}”无法识别：应写作 2024-10-20") from error
    message = _read(args, lambda con: reporting.digest(con, _quarter_of(con, args.period), today))
    # JSON's own escapes for the controls json.dumps leaves (DEL, C1), so that what is printed stays JSON.
    body = formatting.TERMINAL_CONTROLS.sub(lambda found: f"\\u{ord(found[0]):04x}",
                                            json.dumps(message, ensure_ascii=False))
    print(body)
    webhook = args.webhook or config.REMIND_WEBHOOK.value()
    if not webhook:
        return
    if not webhook.startswith(("http://", "https://")):
        raise WarehouseError("提醒地址应以 http:// 或 https:// 开头")
    status, _ = webhook_post(webhook, body.encode("utf-8"), REMIND_DEADLINE_SECONDS)
    print(f"已发送提醒到 {shown_url(webhook)}（HTTP {status}）", file=sys.stderr)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError as error:
        raise WarehouseError(f"日期“{text}”无法识别：应写作 2024-10-20") from error


def cmd_supervise(args) -> None:
    """督办 from the shell, as the account --user: the same rights and scope as on the page (an editor reads
    and answers only their units' items)."""
    db = resolve_db(args.db)
    account = accounts.authorise(accounts.accounts_path(db), accounts.normal_username(args.user), "viewer")
    today = dt.date.today()
    if args.action == "list":
        found = _read(args, lambda con: supervision.items(con, account, today))
        found = supervision.filtered(found, region=args.region, author=args.author, status=args.status)
        _write(exporting.to_csv_text(supervision.excel_rows(found)), args.out)
        return
    if args.action == "ask":
        index = periods.quarter_index(args.period or "")
        if index is None:
            raise WarehouseError(f"期间“{args.period or ''}”无法识别：应写作 2024Q3")
        item_id = changes.open_supervision(db, account, indicator_id=args.indicator or "", region_id=args.region or "",
                                           quarter_index=index, content=args.text, deadline=_date(args.deadline))
        print(f"已发起督办 #{item_id}", file=sys.stderr)
        return
    if args.item is None:
        raise WarehouseError("请给出督办编号")
    if args.action == "show":
        item, steps = _read(args, lambda con: (supervision.item(con, account, args.item, today),
                                               supervision.thread(con, account, args.item)))
        print(f"督办 #{args.item} {item['indicator_name']} · {item['region_name']} · {item['quarter_label']} · "
              f"{supervision.status_text(item)} · 时限 {item['deadline']:%Y-%m-%d} · 督办人 {item['author']}")
        print(item["content"])
        for step in steps.itertuples():
            print(supervision.step_text(step))
        return
    action = {"answer": supervision.ANSWER, "return": supervision.SEND_BACK, "close": supervision.CLOSE}[args.action]
    changes.supervision_step(db, account, args.item, action, args.text, args.submission)
    print(f"督办 #{args.item} 已{action}", file=sys.stderr)


def cmd_notify(args) -> None:
    """Evaluate every account's subscriptions and send what is due, once; retry failed deliveries that are due."""
    try:
        now = dt.datetime.fromisoformat(args.now) if args.now else None
    except ValueError as error:
        raise WarehouseError(f"时间“{args.now}”无法识别：应写作 2025-01-20T08:00") from error
    report = notify.run(resolve_db(args.db), now)
    print(f"新提醒 {report.new_alerts} 条；本次发送成功 {report.delivered} 条，失败 {len(report.failures)} 条")
    for failure in report.failures:
        print(f"未能发送（保留，稍后重试）：{failure}", file=sys.stderr)


def _drawn_file(args, made, what: str) -> None:
    """The file made(con) gives (name, bytes), its charts drawn by kaleido's Chromium, written to --out whole or
    not at all; a folder it cannot write to fails before the work."""
    from metrics.briefing import images, output  # charts and the renderer: 0.15 s of imports no other command needs

    out = Path(args.out)
    output.check_writable(out)
    try:
        _, data = _read(args, made)
    finally:
        images.stop_chart_server()
    output.write_atomically(data, out)
    print(f"已生成{what} {out}", file=sys.stderr)


def cmd_brief(args) -> None:
    """A quarter's briefing as .docx or .pdf."""
    from metrics.briefing import output

    _drawn_file(args, lambda con: output.brief_bytes(con, args.period, args.region, args.format), "简报")


def cmd_slides(args) -> None:
    """A quarter's 驾驶舱 as .pptx slides."""
    from metrics import slides  # python-pptx: imports no other command needs

    _drawn_file(args, lambda con: slides.slides_bytes(con, args.period), "幻灯片")


def cmd_notice(args) -> int:
    from metrics.ingest import notice  # only this command reads notices

    date = _iso_date(args.date) if args.date else None
    document = notice.read_text(args.file)
    proposals = notice.propose(document, notice.seed_catalog(), date)
    if args.out:
        try:
            Path(args.out).write_bytes(notice.to_csv_bytes(proposals))
        except OSError as error:
            raise WarehouseError(f"无法写入 {args.out}：{error.strerror}") from error
    else:
        sys.stdout.write(notice.to_csv_bytes(proposals).decode("utf-8-sig"))
    print("\n".join(notice.summary(document, proposals, date)), file=sys.stderr)
    if args.out and proposals:
        print(f"已写入 {args.out}：{len(proposals)} 行(未写入数据仓库；核对后载入)", file=sys.stderr)
    return 0 if proposals else 1


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise UserFacingError(f"日期“{text}”应为 YYYY-MM-DD，如 2024-07-26") from error


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m metrics", description="政务服务指标看板 数据仓库命令")
    commands = top.add_subparsers(dest="command", required=True)

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--db", help="数据仓库路径(默认 $METRICS_DB 或 data/warehouse.duckdb)")
        sub.set_defaults(handler=handler)
        return sub

    command("build", cmd_build, "从 sql/ 与 data/seed/ 构建数据仓库").add_argument(
        "--force", action="store_true", help="数据仓库已有载入时也重建(原版本保留为快照)")
    command("ensure", cmd_ensure, "数据仓库不存在时构建；旧格式的迁移到 DuckLake；存在时检查并升级结构")
    for name, handler, help_text in (
        ("export", cmd_export, "导出全部观测值(长表 CSV)"),
        ("indicators", cmd_indicators, "导出指标目录 CSV"),
    ):
        command(name, handler, help_text).add_argument("--out", help="输出文件，默认标准输出")
    score = command("score", cmd_score, "考核计分：按规则计算的得分与上报得分、距下一档差距(CSV)")
    score.add_argument("--scheme", help="只输出该考核方案(scheme_id)")
    score.add_argument("--period", help="只输出该期间(period_id)")
    score.add_argument("--out", help="输出文件，默认标准输出")
    load = command("load", cmd_load, "校验并载入一个 CSV 或 .xlsx 文件(观测值、地区或指标)")
    load.add_argument("file", help="要载入的文件")
    load.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    load.add_argument("--replace", action="store_true", help="覆盖与已有数据不同的行")
    load.add_argument("--full-list", help=f"问题或差异超过 {PRINTED_LINES} 处时，完整列表写入此文件(默认写入临时目录)")
    load.add_argument(
        "--kind", choices=["observations", "regions", "indicators"], help="文件类型(默认按列名识别)"
    )
    load.add_argument("--user", default=_operator(), help="操作人(默认 cli:当前系统用户，页面上称“服务器命令行”)")
    command("history", cmd_history, "列出全部载入记录(CSV)").add_argument("--out", help="输出文件")
    undo = command("rollback", cmd_rollback, "撤销一次载入，恢复到载入前的状态")
    undo.add_argument("load_id", type=int, help="载入编号(见 history)")
    undo.add_argument("--user", default=_operator(), help="操作人(默认 cli:当前系统用户，页面上称“服务器命令行”)")
    template = command("template", cmd_template, "生成数据载入 Excel 模板")
    template.add_argument("--out", required=True, help="输出 .xlsx 文件")
    brief = command("brief", cmd_brief, "生成季度简报(Word 或 PDF)")
    brief.add_argument("--period", required=True, help="报告季度，如 2024Q3")
    brief.add_argument("--region", help="只看一个地区(地区编码如 linkong，或名称如 临空经济区)")
    brief.add_argument("--format", required=True, choices=briefing_model.FORMATS, help="docx 或 pdf")
    brief.add_argument("--out", required=True, help="输出文件")
    slides = command("slides", cmd_slides, "导出领导驾驶舱幻灯片(.pptx)：标题、指标矩阵、各核心指标图表、需关注")
    slides.add_argument("--period", required=True, help="报告季度，如 2025Q1")
    slides.add_argument("--out", required=True, help="输出 .pptx 文件")
    remind = command("remind", cmd_remind, "本季度报送提醒(JSON)：已报/未报/逾期与催报清单，可发送到 webhook")
    remind.add_argument("--period", help="报告期，如 2024Q3(默认有数据的最新季度)")
    remind.add_argument("--today", help="按哪一天判定逾期，如 2024-10-20(默认今天)")
    remind.add_argument("--webhook", help=f"把提醒以 JSON POST 到此地址(默认 ${config.REMIND_WEBHOOK.name})")
    notice = commands.add_parser("notice", help="读取通报(.txt/.docx/.pdf/.html)，提出其中的数值(CSV)，不写入数据仓库")
    notice.set_defaults(handler=cmd_notice)
    notice.add_argument("file", help="通报文件")
    notice.add_argument("--out", help="提议 CSV(UTF-8 带 BOM)，默认标准输出")
    notice.add_argument("--date", help="通报日期 YYYY-MM-DD(文中未注明日期时用于推定年份)")
    command("notify", cmd_notify, "按各账户的订阅发送提醒(站内消息、群机器人、邮件)，每个条件只发一次；"
            "失败的稍后重试").add_argument("--now", help="按哪一时刻判定(默认现在)，如 2025-01-20T08:00")
    supervise = command("supervise", cmd_supervise,
                        "督办：list | show | ask | answer | return | close（以 --user 账户的权限与范围）")
    supervise.add_argument("action", choices=["list", "show", "ask", "answer", "return", "close"])
    supervise.add_argument("item", nargs="?", type=int, help="督办编号(show、answer、return、close)")
    supervise.add_argument("--user", required=True, help="以哪个账户操作(其角色与填报范围照样适用)")
    supervise.add_argument("--text", help="督办内容、答复、退回原因或办结意见")
    supervise.add_argument("--submission", type=int, help="answer：附上本人提交审核的更正文件(报送编号)")
    supervise.add_argument("--indicator", help="ask：指标编码")
    supervise.add_argument("--region", help="ask：地区编码；list：只列该单位(名称)")
    supervise.add_argument("--period", help="ask：报告季度，如 2024Q3")
    supervise.add_argument("--deadline", help="ask：时限，如 2025-01-20")
    supervise.add_argument("--author", help="list：只列该督办人")
    supervise.add_argument("--status", choices=supervision.STATUS_FILTERS, help="list：未办结、逾期或已办结")
    supervise.add_argument("--out", help="list：输出文件(CSV)，默认标准输出")
    user = command("user", cmd_user, "账户管理：add | set | passwd | disable | enable | list")
    user.add_argument("action", choices=["add", "set", "passwd", "disable", "enable", "list"])
    user.add_argument("username", nargs="?")
    user.add_argument("--role", choices=list(accounts.ROLE_NAMES),
                      help="viewer 查看 / editor 填报 / admin 管理（add 默认 viewer，set 必须给出）")
    user.add_argument("--regions", help="填报账户可填报的地区，逗号分隔，如 华容区,鄂城区")
    user.add_argument("--categories", help="填报账户可填报的指标类别，逗号分隔")
    user.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    migrate = command("migrate-accounts", cmd_migrate_accounts,
                      f"把账户库文件(账户、会话、登录失败、审计)复制到 ${config.ACCOUNTS_URL.name} "
                      "的空 PostgreSQL 数据库并核对行数")
    migrate.add_argument("--from", dest="source",
                         help="账户库文件(默认 $METRICS_ACCOUNTS 或数据仓库旁的 accounts.duckdb)")
    command("migrate-shared", cmd_migrate_shared,
            f"把本机的数据仓库(含载入历史)复制到 ${config.CATALOG_URL.name} 的共享目录库，"
            f"账户库复制到 ${config.ACCOUNTS_URL.name}，均须为空并逐表核对行数")
    return top


class _TerminalStream:
    """A text stream that writes terminal controls as their escapes (formatting.terminal_text): what the
    commands print holds cell values, file names and servers' answers, and a terminal would obey the ESC
    sequences among them. Files written with --out keep the exact text."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(formatting.terminal_text(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextlib.contextmanager
def _terminal_streams() -> Iterator[None]:
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalStream(sys.stdout), _TerminalStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = streams


def main(argv: list[str] | None = None) -> int:
    with _terminal_streams():
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except DoneButPending as pending:  # the data did change: success, with a warning
        print(f"注意：{pending}", file=sys.stderr)
        return 0
    except UserFacingError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    except duckdb.IOException as error:  # a data file deleted or lost under the catalog, most often
        db = resolve_db(getattr(args, "db", None))
        missing = warehouse.missing_files_text(db, with_paths=True)
        print(f"错误：{missing or f'读取数据仓库 {db} 出错：' + str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    except duckdb.OutOfMemoryException:
        print(f"错误：内存不足，操作未完成，数据仓库未改变；可用 {config.MEMORY_LIMIT.name} 调高内存上限"
              f"（现为 {engine.memory_limit()}）", file=sys.stderr)
        return 2
