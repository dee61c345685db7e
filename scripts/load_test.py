"""Load test (issue #15): simulated sessions through nginx for a bounded time, while CLI loads run.

    .venv/bin/python -m scripts.load_test [--servers 1,2] [--sessions 50] [--seconds 120] [--think 1]
                                          [--out FILE.md] [--logs DIR]

For each server count in turn, a fresh cluster (scripts/cluster.py: PostgreSQL for the catalog and the accounts,
N app servers, nginx over HTTPS) in a temporary directory, stopped afterwards. Everything is on 127.0.0.1.

Each simulated session is a real Streamlit session, as a browser makes one: it signs in through the app's own form
(GET and POST /auth/login with the CSRF double submit, cookie metrics_session), loads its first page's HTML through
the page gate, opens wss://…/_stcore/stream with the cookie, and asks for 总览, 区域对比, 趋势, 省级考核 in turn
with a rerun_script BackMsg naming the page, as the sidebar's links do. A page time runs from sending that message
to the page's script_finished: by then the server has sent every element of the page. Between pages a session waits
a random think time (uniform, mean --think seconds). The client speaks the protocol instead of driving Chromium:
on 2 cores, 50 Chromium pages would take the CPU that the servers are being measured on.

Meanwhile one CLI loader repeats `python -m metrics load` of a generated CSV (one indicator × 6 regions × 414 months,
2,484 rows, all before 2024Q3 so the default reporting quarter stays) and `python -m metrics rollback` of it, so the
servers see new snapshots mid-test; the sidebar's "第 N 次载入" on each page tells which snapshot a run saw.

Errors: a sign-in or connection that fails, a page run that takes over --timeout seconds or does not finish, an
exception on the page, an error alert (the assessment page's data finding "不一致" is content, not an error), a
page the server does not find, and a session sent back to sign in.
"""

import argparse
import asyncio
import html
import math
import os
import random
import re
import resource
import shutil
import ssl
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPSConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from metrics import accounts
from scripts import cluster

ROOT = Path(__file__).resolve().parent.parent
VIEWER = "loadtest"
VIEWER_PASSWORD = "load-test-viewer-9"
# The four dashboard pages (ui/navigation.py VIEW): URL path → title; "" is the default page, 总览.
PAGES = {"": "总览", "districts": "区域对比", "trends": "趋势", "assessment": "省级考核"}
DATA_FINDING = "**不一致"  # pages/assessment.py: reported scores that differ from the data, a finding
VERSION = re.compile(r"最近变更：第 (\d+) 次载入")
LOADED = re.compile(r"已载入 #(\d+)")
REGIONS = ["鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区", "市本级"]
RAMP_SECONDS = 10  # sessions start spread over this time: 50 password checks at one instant is not a Monday


def insecure_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the cluster's own self-signed certificate
    return context


def load_file(path: Path) -> Path:
    """One indicator monthly for six regions, 1990-01 to 2024-06, in the tests' upload format."""
    rng = random.Random(15)
    rows = ["指标名称,地区,期间,数值,来源"]
    for index in range((2024 - 1990) * 12 + 6):
        period = f"{1990 + index // 12}-{index % 12 + 1:02d}"
        rows += [f"综合窗口可办事项占比(一窗通办),{region},{period},{rng.uniform(60, 100):.2f},负载测试"
                 for region in REGIONS]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@dataclass
class Results:
    servers: int
    sessions: int
    seconds: float = 0.0
    times: dict[str, list[float]] = field(default_factory=lambda: {title: [] for title in PAGES.values()})
    errors: Counter = field(default_factory=Counter)
    versions: set[int] = field(default_factory=set)
    loads: int = 0
    load_seconds: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    loader_cpu: float = 0.0
    connections: int = 0  # the most client connections PostgreSQL held at once, sampled
    max_connections: int = 0
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def error(self, kind: str) -> None:
        self.errors[kind[:120]] += 1

    @property
    def all_times(self) -> list[float]:
        return [t for times in self.times.values() for t in times]


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least share of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


class SignInError(Exception):
    pass


def sign_in(port: int, first_path: str) -> str:
    """The session cookie, from the sign-in form as a browser submits it, then the first page's HTML with it."""
    connection = HTTPSConnection("127.0.0.1", port, timeout=60, context=insecure_context())
    try:
        connection.request("GET", f"/auth/login?{urlencode({'next': first_path})}")
        response = connection.getresponse()
        form = response.read().decode("utf-8")
        csrf_cookie = _cookie(response, "metrics_csrf")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        if response.status != 200 or not csrf_cookie or not token:
            raise SignInError(f"登录页 HTTP {response.status}")
        body = urlencode({"csrf_token": html.unescape(token.group(1)), "next": first_path, "username": VIEWER,
                          "password": VIEWER_PASSWORD})
        connection.request("POST", "/auth/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"metrics_csrf={csrf_cookie}"})
        response = connection.getresponse()
        response.read()
        session = _cookie(response, "metrics_session")
        if response.status != 303 or not session:
            raise SignInError(f"登录 HTTP {response.status}")
        connection.request("GET", first_path, headers={"Cookie": f"metrics_session={session}"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SignInError(f"页面 {first_path} HTTP {response.status}")
        return session
    finally:
        connection.close()


def _cookie(response, name: str) -> str | None:
    for header in response.headers.get_all("Set-Cookie") or []:
        if name in (cookie := SimpleCookie(header)):
            return cookie[name].value
    return None


def rerun(base: str, path: str, page_hash: str) -> bytes:
    """The BackMsg a browser sends to open a page: the sidebar link's page, the URL it shows."""
    message = BackMsg(rerun_script=ClientState(
        query_string="", page_script_hash=page_hash, page_name=path,
        context_info=ContextInfo(url=f"{base}/{path}", timezone="Asia/Shanghai", timezone_offset=-480,
                                 locale="zh-CN", is_embedded=False, color_scheme="light")))
    return message.SerializeToString()


async def run_page(socket, base: str, path: str, hashes: dict[str, str], results: Results) -> None:
    """Ask for the page and read every message until its run finishes; record what went wrong on it."""
    await socket.send(rerun(base, path, hashes.get(path, "")))
    title = PAGES[path]
    while True:
        message = ForwardMsg.FromString(await socket.recv())
        kind = message.WhichOneof("type")
        if kind == "navigation":
            hashes.update({page.url_pathname: page.page_script_hash for page in message.navigation.app_pages})
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            shown = element.WhichOneof("type")
            if shown == "exception":
                results.error(f"{title}：异常 {element.exception.type}：{element.exception.message}")
            elif shown == "alert" and element.alert.format == Alert.ERROR and not element.alert.body.startswith(
                    DATA_FINDING):
                results.error(f"{title}：错误提示 {element.alert.body}")
            elif shown == "markdown" and (version := VERSION.search(element.markdown.body)):
                results.versions.add(int(version.group(1)))
        elif kind == "page_not_found":
            results.error(f"{title}：页面不存在")
        elif kind == "auth_redirect":
            raise SignInError(f"{title}：会话被送回登录")
        elif kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return
            if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                results.error(f"{title}：脚本编译错误")
                return
            # FINISHED_EARLY_FOR_RERUN: st.switch_page or a query change; the page's own run follows


async def simulate(number: int, port: int, deadline: float, think: float, timeout: float, results: Results) -> None:
    """One signed-in browser tab going round the dashboard's pages until the deadline."""
    rng = random.Random(number)
    paths = list(PAGES)
    first = number % len(paths)
    base = f"https://127.0.0.1:{port}"
    try:
        session = await asyncio.to_thread(sign_in, port, f"/{paths[first]}")
    except (OSError, SignInError) as error:
        results.error(f"登录失败：{error}")
        return
    hashes: dict[str, str] = {}
    try:
        async with websockets.connect(
                f"wss://127.0.0.1:{port}/_stcore/stream", ssl=insecure_context(), proxy=None,
                origin=base, subprotocols=["streamlit"], additional_headers={"Cookie": f"metrics_session={session}"},
                max_size=None, open_timeout=timeout, ping_interval=None) as socket:
            turn = first
            while time.monotonic() < deadline:
                path = paths[turn % len(paths)]
                started = time.perf_counter()
                try:
                    await asyncio.wait_for(run_page(socket, base, path, hashes, results), timeout)
                except TimeoutError:
                    results.error(f"{PAGES[path]}：超过 {timeout:.0f} 秒未完成")
                    return  # the socket is mid-page; a person would reload, a new session
                results.times[PAGES[path]].append(time.perf_counter() - started)
                turn += 1
                await asyncio.sleep(rng.uniform(0, 2 * think))
    except SignInError as error:
        results.error(str(error))
    except (OSError, websockets.WebSocketException) as error:
        results.error(f"连接：{type(error).__name__} {error}")


async def cli(env: dict[str, str], *args: str) -> str:
    """A `python -m metrics` command with the cluster's environment; its message (stderr); raises on failure."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "metrics", *args, cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, stderr = await process.communicate()
    message = stderr.decode("utf-8", "replace").strip()
    if process.returncode:
        raise RuntimeError(message.splitlines()[-1] if message else f"退出码 {process.returncode}")
    return message


async def loader(env: dict[str, str], csv: Path, deadline: float, results: Results) -> None:
    """Load the file and roll it back, again and again until the deadline."""
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            loaded = LOADED.search(await cli(env, "load", str(csv), "--user", "负载测试"))
            await cli(env, "rollback", loaded.group(1), "--user", "负载测试")
        except (RuntimeError, AttributeError) as error:
            results.error(f"命令行载入：{error}")
            await asyncio.sleep(1)
            continue
        results.loads += 1
        results.load_seconds.append(time.perf_counter() - started)


async def count_connections(postgres: cluster.Postgres, deadline: float, results: Results) -> None:
    """Sample PostgreSQL's client connections every 2 s until the deadline: every server's catalog and accounts
    connections come out of one max_connections."""
    query = ("select count(*) filter (where backend_type = 'client backend'), "
             "current_setting('max_connections')::int from pg_stat_activity")
    while time.monotonic() < deadline:
        process = await asyncio.create_subprocess_exec(
            str(cluster.PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", cluster.PG_ROLE,
            "-d", cluster.ACCOUNTS_DATABASE, "-Atc", query, env={**os.environ, "PGPASSWORD": postgres.password},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        stdout, _ = await process.communicate()
        if process.returncode == 0:  # refused when every connection is taken: the peak is already there
            used, allowed = map(int, stdout.decode().strip().split("|"))
            results.connections = max(results.connections, used - 1)  # not this query's own
            results.max_connections = allowed
        await asyncio.sleep(2)


async def drive(running: cluster.Cluster, env: dict[str, str], csv: Path, args, results: Results) -> None:
    pids = [server.process.pid for server in running.servers]
    began = time.monotonic()
    deadline = began + args.seconds
    ramp = min(RAMP_SECONDS, args.seconds / 4)

    async def delayed(number: int) -> None:
        await asyncio.sleep(ramp * number / args.sessions)
        await simulate(number, running.https_port, deadline, args.think, args.timeout, results)

    servers_before = sum(map(cluster.cpu_seconds, pids))
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    await asyncio.gather(loader(env, csv, deadline, results), count_connections(running.postgres, deadline, results),
                         *map(delayed, range(args.sessions)))
    results.seconds = time.monotonic() - began
    results.server_cpu = sum(map(cluster.cpu_seconds, pids)) - servers_before
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    results.client_cpu = own.ru_utime + own.ru_stime - own_before.ru_utime - own_before.ru_stime
    results.loader_cpu = (children.ru_utime + children.ru_stime - children_before.ru_utime
                          - children_before.ru_stime)
    results.load_average = os.getloadavg()


def measure(servers: int, args) -> Results:
    """A fresh cluster of this many servers, a viewer account, the sessions and the loader; the cluster stopped."""
    # Not under a private temp dir: as root, PostgreSQL runs as the postgres user and must reach its directory.
    directory = Path(tempfile.mkdtemp(prefix="metrics-loadtest-"))
    directory.chmod(0o755)
    results = Results(servers, args.sessions)
    try:
        started = cluster.start(directory, db=directory / "warehouse.duckdb", servers=servers)
        try:
            env = {"METRICS_DB": str(directory / "warehouse.duckdb"),
                   "METRICS_CATALOG_URL": started.postgres.url(cluster.WAREHOUSE_DATABASE),
                   "METRICS_ACCOUNTS_URL": started.postgres.url()}
            # Through the library: an account `metrics user add` makes must change its password first.
            accounts.add_user(accounts.PostgresStore(started.postgres.url()), VIEWER, VIEWER_PASSWORD, "viewer",
                              actor="负载测试")
            csv = load_file(directory / "负载测试.csv")
            asyncio.run(drive(started, env, csv, args, results))
        finally:
            started.stop()
            if args.logs:
                # The servers' tracebacks: a page shows only Streamlit's redacted message. Not ensure.log,
                # which holds the admin's one-time password.
                kept = Path(args.logs) / f"{servers}台"
                kept.mkdir(parents=True, exist_ok=True)
                for log in [*directory.glob("*.log"), directory / "postgres" / "postgres.log"]:
                    if log.name != "ensure.log" and log.exists():
                        shutil.copy(log, kept / log.name)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return results


def seconds_text(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


def report(all_results: list[Results], args) -> str:
    lines = [
        f"测量于 {datetime.now(UTC):%Y-%m-%d %H:%M} UTC，本机 {os.cpu_count()} 个 CPU 核；"
        f"`python -m scripts.load_test --servers {args.servers} --sessions {args.sessions} --seconds {args.seconds:g} "
        f"--think {args.think:g}`（每个会话两页之间平均停 {args.think:g} 秒）。",
        "",
        "| 服务器 | 会话 | 时长 (s) | 完成的页面运行 | 页面运行/秒 | p50 (s) | p95 (s) | 最长 (s) | 错误 | 载入+撤销 "
        "| 页面看到的数据版本 | PostgreSQL 最多连接 | 应用服务器 CPU (s) | 压测客户端 CPU (s) | 命令行载入 CPU (s) "
        "| 结束时负载均值 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in all_results:
        times = result.all_times
        load = " / ".join(f"{value:.1f}" for value in result.load_average)
        lines.append(
            f"| {result.servers} | {result.sessions} | {result.seconds:.0f} | {len(times)} | "
            f"{len(times) / result.seconds:.1f} | {seconds_text(percentile(times, 0.5))} | "
            f"{seconds_text(percentile(times, 0.95))} | {seconds_text(max(times, default=float('nan')))} | "
            f"{sum(result.errors.values())} | {result.loads} | {len(result.versions)} | "
            f"{result.connections} / {result.max_connections} | {result.server_cpu:.0f} | "
            f"{result.client_cpu:.0f} | {result.loader_cpu:.0f} | {load} |")
    lines += ["", "各页 p50 / p95（秒）：", "",
              "| 服务器 | " + " | ".join(PAGES.values()) + " |", "|---|" + "---|" * len(PAGES)]
    for result in all_results:
        cells = [f"{seconds_text(percentile(times, 0.5))} / {seconds_text(percentile(times, 0.95))}（{len(times)}）"
                 for times in result.times.values()]
        lines.append(f"| {result.servers} | " + " | ".join(cells) + " |")
    lines += ["", "每轮命令行载入+撤销用时（中位数）：" + "；".join(
        f"{result.servers} 台 {seconds_text(percentile(result.load_seconds, 0.5))} 秒" for result in all_results)]
    for result in all_results:
        if result.errors:
            kinds = "；".join(f"{kind} ×{count}" for kind, count in result.errors.most_common(3))
            lines += ["", f"{result.servers} 台服务器的错误（前几种）：{kinds}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", default="1,2", help="依次测试的服务器台数，逗号分隔（默认 1,2）")
    parser.add_argument("--sessions", type=int, default=50, help="同时在线的模拟会话数（默认 50）")
    parser.add_argument("--seconds", type=float, default=120, help="每种台数的测试时长（默认 120 秒）")
    parser.add_argument("--think", type=float, default=1.0, help="会话两页之间的平均停顿秒数（默认 1）")
    parser.add_argument("--timeout", type=float, default=60, help="一次页面运行超过此秒数记为错误（默认 60）")
    parser.add_argument("--out", help="结果表（Markdown）另写入此文件")
    parser.add_argument("--logs", help="把各台服务器、nginx 与 PostgreSQL 的日志复制到此目录（集群目录用后即删）")
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.servers.split(",") if part.strip()]
    all_results = []
    for servers in counts:
        print(f"{servers} 台服务器：启动集群，{args.sessions} 个会话，{args.seconds:g} 秒…", file=sys.stderr,
              flush=True)
        try:
            all_results.append(measure(servers, args))
        except cluster.ClusterError as error:
            print(f"错误：{error}", file=sys.stderr)
            return 1
    text = report(all_results, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
