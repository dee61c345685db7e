"""Several dashboard servers on this machine behind nginx, sharing accounts and sessions in a throwaway PostgreSQL
(issue #15): what `make cluster` starts and `make cluster-stop` stops, and what the cluster tests start.

    python scripts/cluster.py start [--dir .cluster] [--servers 2] [--https-port 8443]
    python scripts/cluster.py stop [--dir .cluster]

PostgreSQL is Debian's (apt-get install postgresql): initdb and pg_ctl under the directory, on a free port,
never the system service. initdb refuses to run as root, so as root it runs as the `postgres` user (its files
then go under /tmp when that user cannot enter the checkout, as under root's 0700 home). nginx is
Debian's too, run with its own prefix and pid file under the directory; its certificate is self-signed (openssl).
The servers share the warehouse, its catalog in PostgreSQL (METRICS_CATALOG_URL) and its data files in one
directory (METRICS_DB's .lake/; writers serialise on its file lock), and, through METRICS_ACCOUNTS_URL, the
accounts store.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from metrics.store.postgres import redacted

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_ROLE = "metrics"
ACCOUNTS_DATABASE = "accounts"
WAREHOUSE_DATABASE = "warehouse"  # the DuckLake catalog
# Every snapshot a server process keeps attached (metrics.store.warehouse.PINNED_KEPT) pools PostgreSQL
# connections of its own, as many as its concurrent page runs: 100 (initdb's default) ran out with two
# servers and 50 busy sessions (scripts/load_test.py). Sizing: deploy/README.md.
MAX_CONNECTIONS = 400
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
SESSION_COOKIE = "metrics_session"  # ui/auth.py COOKIE; nginx hashes on it (ui/ imports streamlit, not here)
STATE_FILE = "cluster.json"
MARKER = ".metrics-cluster"  # in every directory start() made, so that a new start may clear it


class ClusterError(Exception):
    """A part of the cluster did not start; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and the server refuse root: as root, run them as Debian's `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], **kwargs) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        program = command[command.index("--") + 1] if command[0] == "runuser" else command[0]
        raise ClusterError(f"{Path(program).name} 失败：{(done.stderr or done.stdout).strip()}")


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster: data, socket and log under directory, listening on 127.0.0.1:port; a
    directory of its own under the system's temporary directory (removed at stop) when the `postgres` user
    cannot reach the one asked for."""

    directory: Path
    port: int
    password: str = field(repr=False)
    temporary: bool = False

    def url(self, database: str = ACCOUNTS_DATABASE) -> str:
        return f"postgresql://{PG_ROLE}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        _run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_ROLE, name],
             env={**os.environ, "PGPASSWORD": self.password})
        return self.url(name)

    def stop(self) -> None:
        _run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "-w",
                           "stop"]))
        if self.temporary:
            shutil.rmtree(self.directory)

    def restart(self) -> None:
        """Stop (ending every connection) and start again with the same options (pg_ctl keeps them)."""
        _run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast",
                           "-l", str(self.directory / "postgres.log"), "-w", "restart"]))


def _reachable_by_postgres(directory: Path) -> bool:
    """Whether the `postgres` user can write in directory: not under a directory only root may enter, such as
    root's own home (0700), where a checkout's .cluster/ would be."""
    return subprocess.run(_as_postgres(["test", "-w", str(directory)])).returncode == 0


def start_postgres(directory: Path) -> Postgres:
    """initdb a new cluster in directory (which must not hold one), start it, create the accounts database."""
    directory.mkdir(parents=True, exist_ok=True)
    temporary = False
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        if not _reachable_by_postgres(directory):
            directory.rmdir()
            directory, temporary = Path(tempfile.mkdtemp(prefix="metrics-postgres-")), True
            shutil.chown(directory, "postgres", "postgres")
    password = secrets.token_urlsafe(18)
    password_file = directory / "password"
    password_file.write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(password_file, "postgres", "postgres")
    password_file.chmod(0o600)
    _run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(directory / "data"), "-U", PG_ROLE,
                       "--auth=scram-sha-256", f"--pwfile={password_file}", "-E", "UTF8", "--locale=C.UTF-8"]))
    port = free_port()
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections={MAX_CONNECTIONS}"
    _run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(directory / "data"), "-o", options,
                       "-l", str(directory / "postgres.log"), "-w", "start"]))
    postgres = Postgres(directory, port, password, temporary)
    postgres.create_database(ACCOUNTS_DATABASE)
    return postgres


def _wait_for(url: str, process: subprocess.Popen, log: Path, context: ssl.SSLContext | None = None) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise ClusterError(f"{url} 未能启动，日志：{log}")
        time.sleep(0.3)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class AppServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_app_server(directory: Path, env: dict[str, str]) -> AppServer:
    """`streamlit run server.py` on a free port, its output in directory/app-<port>.log."""
    port = free_port()
    log_path = directory / f"app-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = AppServer(port, process)
    _wait_for(f"{server.url}/_stcore/health", process, log_path)
    return server


def self_signed_certificate(directory: Path) -> None:
    """tls/cert.pem and tls/key.pem for localhost and 127.0.0.1, valid a week."""
    tls = directory / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", "/CN=localhost",
          "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
          "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")])
    (tls / "key.pem").chmod(0o600)


def nginx_config(directory: Path, https_port: int, app_ports: list[int]) -> str:
    """deploy/nginx.conf with this cluster's prefix, ports and cookie name filled in."""
    upstream = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in app_ports)
    # safe_substitute: nginx's own $variables are not ours and stay as they are
    text = string.Template(NGINX_TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        prefix=str(directory), https_port=https_port, upstream_servers=upstream, session_cookie=SESSION_COOKIE)
    if "${" in text:
        raise ClusterError("deploy/nginx.conf 中有未填写的占位符")
    return text


def start_nginx(directory: Path, https_port: int, app_ports: list[int]) -> subprocess.Popen:
    """nginx in the foreground of its own process group (daemon off), with its prefix under directory."""
    self_signed_certificate(directory)
    (directory / "nginx-temp").mkdir(exist_ok=True)
    config = directory / "nginx.conf"
    config.write_text(nginx_config(directory, https_port, app_ports), encoding="utf-8")
    log_path = directory / "nginx-error.log"
    _run(["nginx", "-t", "-p", str(directory), "-c", str(config), "-e", str(log_path)])
    process = subprocess.Popen(
        ["nginx", "-p", str(directory), "-c", str(config), "-e", str(log_path), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # our own self-signed certificate
    _wait_for(f"https://127.0.0.1:{https_port}/healthz", process, log_path, insecure)
    return process


@dataclass
class Cluster:
    directory: Path
    postgres: Postgres
    servers: list[AppServer]
    nginx: subprocess.Popen
    https_port: int

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    def stop(self) -> None:
        _stop_processes([self.nginx.pid, *(server.process.pid for server in self.servers)])
        self.postgres.stop()


def _stop_processes(pids: list[int]) -> None:
    """SIGTERM each process we started (for nginx, its fast shutdown), then SIGKILL what is left after 20 s."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 20
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG) != (0, 0):
                    break
            except ChildProcessError:  # not our child (make cluster-stop): poll for it
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
            time.sleep(0.1)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def start(directory: Path, *, db: Path, servers: int = 2, https_port: int | None = None,
          extra_env: dict[str, str] | None = None) -> Cluster:
    """PostgreSQL, `python -m metrics ensure` (warehouse, accounts tables, the one-time admin password, written
    to directory/ensure.log), the app servers and nginx."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).touch()
    postgres = start_postgres(directory / "postgres")
    env = {
        # The warehouse's catalog in PostgreSQL, its data files under <METRICS_DB>.lake/ (the shared path).
        "METRICS_DB": str(db.resolve()),
        "METRICS_CATALOG_URL": postgres.create_database(WAREHOUSE_DATABASE),
        "METRICS_ACCOUNTS_URL": postgres.url(),
        # One cookie secret for every server: a browser moved to another server keeps a valid XSRF cookie.
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32),
        **(extra_env or {}),
    }
    started: list[AppServer] = []
    try:
        ensure_log = directory / "ensure.log"
        with open(ensure_log, "wb") as log:
            os.chmod(ensure_log, 0o600)  # holds the one-time admin password
            done = subprocess.run([sys.executable, "-m", "metrics", "ensure"], cwd=ROOT, env={**os.environ, **env},
                                  stdout=log, stderr=subprocess.STDOUT)
        if done.returncode:
            raise ClusterError(f"metrics ensure 失败，日志：{ensure_log}")
        for _ in range(servers):
            started.append(start_app_server(directory, env))
        https_port = https_port or free_port()
        nginx = start_nginx(directory, https_port, [server.port for server in started])
    except BaseException:
        _stop_processes([server.process.pid for server in started])
        postgres.stop()
        raise
    return Cluster(directory, postgres, started, nginx, https_port)


def _save(cluster: Cluster) -> None:
    state = {"postgres": str(cluster.postgres.directory), "postgres_temporary": cluster.postgres.temporary,
             "port": cluster.postgres.port, "nginx": cluster.nginx.pid,
             "servers": [{"port": server.port, "pid": server.process.pid} for server in cluster.servers],
             "url": cluster.url}
    (cluster.directory / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")


def cmd_start(args) -> int:
    directory = Path(args.dir).resolve()
    if (directory / STATE_FILE).exists():
        print(f"集群已在运行（{directory / STATE_FILE}），请先执行 make cluster-stop", file=sys.stderr)
        return 1
    if (directory / MARKER).exists():
        shutil.rmtree(directory)  # what a stopped cluster left: a throwaway, never the product's data
    elif directory.exists() and any(directory.iterdir()):
        print(f"目录 {directory} 不是本脚本建立的集群目录且不为空，未做任何更改", file=sys.stderr)
        return 1
    db = Path(args.db) if args.db else directory / "warehouse.duckdb"
    cluster = start(directory, db=db, servers=args.servers, https_port=args.https_port)
    _save(cluster)
    print(f"集群已启动：{cluster.url}（自签名证书，浏览器会提示不安全，确认后继续）")
    for server in cluster.servers:
        print(f"  应用服务器 {server.url}（进程 {server.process.pid}）")
    print(f"  数据仓库目录库 METRICS_CATALOG_URL={redacted(cluster.postgres.url(WAREHOUSE_DATABASE))}，"
          f"数据文件在 {db.resolve()}.lake/data/")
    print(f"  账户库 METRICS_ACCOUNTS_URL={redacted(cluster.postgres.url())}"
          f"（密码见 {cluster.postgres.directory / 'password'}）")
    print(f"  首次启动的管理员 admin 一次性密码见 {directory / 'ensure.log'}：用 admin 与该密码登录后须先修改密码")
    print("停止：make cluster-stop")
    return 0


def cmd_stop(args) -> int:
    directory = Path(args.dir).resolve()
    state_path = directory / STATE_FILE
    if not state_path.exists():
        print(f"没有正在运行的集群（{state_path} 不存在）", file=sys.stderr)
        return 1
    state = json.loads(state_path.read_text(encoding="utf-8"))
    _stop_processes([state["nginx"], *(server["pid"] for server in state["servers"])])
    Postgres(Path(state["postgres"]), state["port"], "", state.get("postgres_temporary", False)).stop()
    state_path.unlink()
    print("集群已停止")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start")
    start_parser.add_argument("--dir", default=str(ROOT / ".cluster"))
    start_parser.add_argument("--db", help="共享的数据仓库（默认 <dir>/warehouse.duckdb，不存在则构建）")
    start_parser.add_argument("--servers", type=int, default=2)
    start_parser.add_argument("--https-port", type=int, default=8443)
    start_parser.set_defaults(run=cmd_start)
    stop_parser = commands.add_parser("stop")
    stop_parser.add_argument("--dir", default=str(ROOT / ".cluster"))
    stop_parser.set_defaults(run=cmd_stop)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ClusterError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
