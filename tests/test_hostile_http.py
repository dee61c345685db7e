"""Attacks on the HTTP side of a real `streamlit run server.py` (issue #29): Streamlit's own upload route, a sign-in
flood, forwarded headers from a peer that is not a trusted proxy, a cross-site logout, server paths in answers."""

import fcntl
import http.client
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from fixtures.hostile import make_hostile_files as hostile
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
from support import PASSWORD, SERVER_PIDS, header, request, serve, warehouse_and_store
from test_browser_auth import post_sign_in, session_cookie
from websockets.sync.client import connect

from metrics import accounts

pytestmark = pytest.mark.browser

MIB = 2**20
REFUSED_UPLOAD = "文件过大或结构异常：{}(更大的文件请由管理员用命令行 python -m metrics load 载入)，已拒绝"
SESSION_UPLOAD_MB = 3
SERVER_UPLOAD_MB = 5


@pytest.fixture(scope="module")
def untrusting(tmp_path_factory):
    """A server that trusts no proxy on this machine (its only trusted proxy is elsewhere), with small upload
    limits: (url, accounts store)."""
    folder = tmp_path_factory.mktemp("untrusting")
    db, store = warehouse_and_store(folder, ("editor1", "editor", ("华容区",)), ("viewer1", "viewer", ()),
                                    ("guessed", "viewer", ()))
    env = {"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(store), "METRICS_VIEW_LOGIN": "required",
           "METRICS_LOGIN_DELAY_SECONDS": "0", "METRICS_TRUSTED_PROXIES": "192.0.2.1",
           "METRICS_ACCOUNTS_WAIT_SECONDS": "1",
           "METRICS_UPLOAD_SESSION_MB": str(SESSION_UPLOAD_MB), "METRICS_UPLOAD_SERVER_MB": str(SERVER_UPLOAD_MB)}
    for url in serve(env):
        yield url, store


@dataclass
class PageRun:
    """What one script run sent: the file uploader's widget id, the alerts' texts, each table as its message's bytes
    (its text cells are in there as UTF-8), the pages by URL path."""

    uploader: str | None = None
    alerts: list[str] = field(default_factory=list)
    tables: list[bytes] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)


class StreamlitSession:
    """A Streamlit session over a real websocket, opened with the given cookies as a browser opens it."""

    def __init__(self, url: str, cookie: str = ""):
        self.url = url
        self.xsrf = generate_xsrf_token_string()
        self.cookie = "; ".join(filter(None, [cookie, f"_streamlit_xsrf={self.xsrf}"]))
        self.socket = connect(url.replace("http://", "ws://") + "/_stcore/stream",
                              subprotocols=["streamlit", self.xsrf],
                              additional_headers={"Cookie": self.cookie, "Origin": url}, max_size=None)
        back = BackMsg()
        back.rerun_script.query_string = ""
        self.socket.send(back.SerializeToString())
        while True:
            message = ForwardMsg.FromString(self.socket.recv(timeout=60))
            if message.WhichOneof("type") == "new_session":
                self.id = message.new_session.initialize.session_id
                self._first_run: PageRun | None = None
                return

    def first_run(self) -> PageRun:
        """The run begun as the socket opened, once it has ended."""
        if self._first_run is None:
            self._first_run = self._finished()
        return self._first_run

    def open(self, url_path: str) -> PageRun:
        """After the first run has ended: the page at url_path, as its link opens it."""
        self.page = self.first_run().pages[url_path]
        opened = self.run()
        self.uploader = opened.uploader
        return opened

    def run(self, chosen: tuple[str, str, int] | None = None) -> PageRun:
        """Rerun the open page as the browser does, with its file uploader set to the chosen (name, file id,
        size), and wait for the run's end."""
        back = BackMsg()
        back.rerun_script.page_script_hash = self.page
        if chosen:
            widget = back.rerun_script.widget_states.widgets.add()
            widget.id = self.uploader
            name, file_id, size = chosen
            widget.file_uploader_state_value.uploaded_file_info.append(
                UploadedFileInfo(name=name, file_id=file_id, size=size))
        self.socket.send(back.SerializeToString())
        return self._finished()

    def _finished(self) -> PageRun:
        run = PageRun()
        while True:
            message = ForwardMsg.FromString(self.socket.recv(timeout=120))
            kind = message.WhichOneof("type")
            if kind == "navigation":
                run.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                if element.WhichOneof("type") == "file_uploader":
                    run.uploader = element.file_uploader.id
                elif element.WhichOneof("type") == "alert":
                    run.alerts.append(element.alert.body)
                elif element.WhichOneof("type") == "dataframe":
                    run.tables.append(element.SerializeToString())
            elif kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return run

    def close(self) -> None:
        self.socket.close()


def put_file(url: str, cookie: str, xsrf: str, session_id: str, content: int | bytes, file_id: str = "f1",
             name: str = "data.csv") -> tuple[int, str]:
    """PUT a multipart file to Streamlit's upload route, as its file uploader does: content, or that many bytes."""
    boundary = "----upload-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + (b"a" * content if isinstance(content, int) else content) + tail
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.putrequest("PUT", f"/_stcore/upload_file/{session_id}/{file_id}")
        for name, value in {"Content-Type": f"multipart/form-data; boundary={boundary}",
                            "Content-Length": str(len(body)), "Cookie": cookie, "X-Xsrftoken": xsrf}.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            connection.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was read: the answer is already there
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def rss_mib_of(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024


def rss_mib(url: str) -> float:
    return rss_mib_of(SERVER_PIDS[url])


def test_uploads_only_from_an_uploading_account_into_its_own_session_within_limits(untrusting):
    url, _ = untrusting
    anonymous = StreamlitSession(url)
    viewer_cookie = session_cookie(post_sign_in(url, "viewer1", PASSWORD)[1])
    viewer = StreamlitSession(url, viewer_cookie)
    editor_cookie = session_cookie(post_sign_in(url, "editor1", PASSWORD)[1])
    editor = StreamlitSession(url, editor_cookie)
    others = [StreamlitSession(url, editor_cookie) for _ in range(2)]
    try:
        for session in (anonymous, viewer, editor, *others):
            session.first_run()  # their page runs' memory is not the uploads'
        before = rss_mib(url)
        for n in range(6):  # the attack of the issue: anonymous 40 MB PUTs
            assert put_file(url, anonymous.cookie, anonymous.xsrf, anonymous.id, 40 * MIB, f"a{n}") == (
                403, "上传文件须先登录。")
        grown = rss_mib(url) - before
        print(f"server RSS {before:.0f} MiB before six anonymous 40 MB PUTs, grew {grown:.0f} MiB")
        assert grown < 50
        assert put_file(url, viewer.cookie, viewer.xsrf, viewer.id, 1000) == (
            403, "当前账户为“查看”，无权上传文件。")
        # The editor's cookie with a session its websocket did not open (here the anonymous one's).
        assert put_file(url, editor.cookie, editor.xsrf, anonymous.id, 1000) == (
            403, "上传的页面会话不属于当前登录，已拒绝。请刷新页面后重新上传。")
        assert put_file(url, editor.cookie, editor.xsrf, editor.id, 2 * MIB)[0] == 204
        assert put_file(url, editor.cookie, editor.xsrf, editor.id, 2 * MIB, "f2") == (
            413, "本页面已上传的文件合计超过上限，请刷新页面后再上传。")
        assert put_file(url, editor.cookie, editor.xsrf, others[0].id, 2 * MIB)[0] == 204
        assert put_file(url, editor.cookie, editor.xsrf, others[1].id, 2 * MIB) == (
            503, "服务器正在处理的上传文件过多，请稍后再试。")
        editor.close()  # its file goes with its websocket
        deadline = time.monotonic() + 10
        while (answer := put_file(url, editor.cookie, editor.xsrf, others[1].id, 2 * MIB))[0] != 204:
            assert answer[0] == 503 and time.monotonic() < deadline
    finally:
        for session in (anonymous, viewer, editor, *others):
            session.close()


class PeakRss:
    """The highest resident memory of a process while the block runs, read every 20 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak_mib, self._done = pid, 0.0, threading.Event()

    def _watch(self) -> None:
        while not self._done.wait(0.02):
            self.peak_mib = max(self.peak_mib, rss_mib_of(self.pid))

    def __enter__(self):
        self._thread = threading.Thread(target=self._watch)
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._done.set()
        self._thread.join()


@pytest.fixture(scope="module")
def uploading(tmp_path_factory):
    """A server with the default upload limits, and a 华容区 editor: (url, cookie of the editor's sign-in)."""
    folder = tmp_path_factory.mktemp("uploading")
    db, store = warehouse_and_store(folder, ("clerk", "editor", ("华容区",)))
    for url in serve({"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(store), "METRICS_VIEW_LOGIN": "required",
                      "METRICS_LOGIN_DELAY_SECONDS": "0"}):
        yield url, session_cookie(post_sign_in(url, "clerk", PASSWORD)[1])


def csv_of(row: str, size: int = 49 * 10**6) -> bytes:
    """A CSV of the export's header and row repeated to size bytes."""
    header = "指标名称,地区,期间,数值,来源,依据\n".encode()
    line = row.encode()
    return header + line * ((size - len(header)) // len(line) + 1)


# A 49 MB export of mixed text (more characters than the text limit), the same size of Chinese in full-width forms
# (three bytes a character: under the text limit, over the cell limit), and a 49 MB workbook of the export.
EXPORT_ROW = ["综合窗口可办事项占比(一窗通办)", "华容区", "2024Q4", "98.6%", "华容区政务服务中心季度报表",
              "按省通报口径"]
FULL_WIDTH_ROW = ["综合窗口可办事项占比（一窗通办）", "华容区", "２０２４年第四季度", "９８．６", "区报表", "依" * 250]
LARGE_UPLOADS = {
    "导出.csv": (lambda: csv_of(",".join(EXPORT_ROW) + "\n"), REFUSED_UPLOAD.format("文字超过 16,777,216 字上限")),
    "全角.csv": (lambda: csv_of(",".join(FULL_WIDTH_ROW) + "\n"), REFUSED_UPLOAD.format("单元格超过 250,000 个上限")),
    "导出.xlsx": (lambda: hostile.workbook({"观测值": hostile.sheet_xml(hostile.table_rows(
        [[*hostile.HEADER, "依据"]] + [EXPORT_ROW] * 115_000))}, compresslevel=0),
        "文件过大或结构异常：单元格超过 250,000 个上限(更大的表请另存为 CSV 载入)，已拒绝"),
}


@pytest.mark.parametrize("name", LARGE_UPLOADS, ids=["mixed_csv", "full_width_csv", "export_xlsx"])
def test_a_large_upload_to_the_data_page_grows_the_server_by_at_most_300_mib(uploading, name):
    url, cookie = uploading
    make, refusal = LARGE_UPLOADS[name]
    content = make()
    session = StreamlitSession(url, cookie)
    try:
        session.open("data_admin")
        before = rss_mib(url)
        start = time.monotonic()
        with PeakRss(SERVER_PIDS[url]) as peak:
            file_id = str(uuid.uuid4())
            assert put_file(url, session.cookie, session.xsrf, session.id, content, file_id, name)[0] == 204
            shown = session.run((name, file_id, len(content)))
        print(f"{name} ({len(content) / MIB:.1f} MiB): server RSS {before:.0f} MiB before, peak "
              f"+{peak.peak_mib - before:.0f} MiB, answered in {time.monotonic() - start:.1f} s")
        assert shown.alerts[-1] == "文件有 1 处问题，未载入。请按下表逐行修改后重新上传。"
        assert refusal.encode() in shown.tables[-1]
        assert peak.peak_mib - before <= 300
    finally:
        session.close()


def test_forwarded_headers_from_a_peer_that_is_not_a_trusted_proxy_decide_nothing(untrusting):
    url, _ = untrusting
    answers = [post_sign_in(url, "guessed", f"guess-{n}", extra={
        "X-Forwarded-For": f"198.51.100.{n}", "X-Forwarded-Proto": "https"}) for n in range(25)]
    messages = [re.search(r'role="alert">([^<]+)<', text).group(1) for _, _, text in answers]
    # Every guess came from this one address: five wrong passwords lock it out for the name.
    assert messages == [accounts.WRONG] * 4 + [accounts.THROTTLED] * 21
    assert all(header(headers, "strict-transport-security") == [] for _, headers, _ in answers)
    status, _, text = post_sign_in(url, "guessed", PASSWORD, extra={"X-Forwarded-For": "198.51.100.99"})
    assert (status, accounts.THROTTLED in text) == (401, True)


def test_a_logout_posted_without_the_session_cookie_clears_no_cookie(untrusting):
    url, store = untrusting
    cookie = session_cookie(post_sign_in(url, "viewer1", PASSWORD)[1])
    # A form on another site: SameSite=Lax keeps the session cookie back from a cross-site POST.
    status, headers, _ = request(url, "POST", "/auth/logout", {"Content-Type": "application/x-www-form-urlencoded"},
                                 urlencode({"csrf_token": "forged"}))
    assert (status, header(headers, "location"), header(headers, "set-cookie")) == (303, ["/auth/login"], [])
    assert accounts.session(store, cookie.split("=", 1)[1]) is not None
    assert request(url, "GET", "/trends", {"Cookie": cookie})[0] == 200


def test_healthz_and_the_sign_in_page_name_no_server_path(untrusting):
    url, store = untrusting
    held = open(store.with_name(store.name + ".lock"), "w")  # noqa: SIM115
    fcntl.flock(held, fcntl.LOCK_EX)  # the store held by another process: every use waits, then gives up
    try:
        status, _, text = request(url, "GET", "/healthz")
        assert (status, text) == (503, "账户库不可读：账户库 accounts.duckdb 被其他进程占用，1 秒内未释放，请稍后重试")
        status, _, text = request(url, "GET", "/auth/login", {"Cookie": "metrics_session=whatever"})
        assert status == 503
        assert "账户库 accounts.duckdb 被其他进程占用，1 秒内未释放，请稍后重试" in text
        assert str(store.parent) not in text
    finally:
        held.close()


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """A server behind a proxy on this machine (loopback trusted), with accounts for a crowd of sign-ins."""
    folder = tmp_path_factory.mktemp("crowded")
    db, store = warehouse_and_store(folder, ("reader", "viewer", ()))
    env = {"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(store), "METRICS_VIEW_LOGIN": "required",
           "METRICS_LOGIN_DELAY_SECONDS": "0"}
    yield from serve(env)


def test_a_sign_in_flood_neither_fails_nor_holds_up_a_signed_in_reader(crowded):
    url = crowded
    cookie = session_cookie(post_sign_in(url, "reader", PASSWORD)[1])
    assert request(url, "GET", "/trends", {"Cookie": cookie})[0] == 200
    flood_over = threading.Event()
    waits = []

    def read_pages():
        while not flood_over.is_set():
            start = time.monotonic()
            status = request(url, "GET", "/trends", {"Cookie": cookie})[0]
            waits.append((time.monotonic() - start, status))

    reader = threading.Thread(target=read_pages)
    reader.start()
    try:
        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(lambda n: post_sign_in(url, "reader", f"wrong-{n}", extra={
                "X-Forwarded-For": f"198.51.100.{n}"}), range(50)))
    finally:
        flood_over.set()
        reader.join()
    outcomes = sorted({(status, re.search(r'role="alert">([^<]+)<', text).group(1)) for status, _, text in answers})
    slowest = max(wait for wait, _ in waits)
    print(f"50 parallel sign-ins: {[(o, sum(1 for a in answers if a[0] == o[0])) for o in outcomes]}; the reader's "
          f"{len(waits)} page loads took at most {slowest:.2f} s")
    # Refused as wrong, or, past what the password checks can take in their queue's wait, asked to retry.
    assert set(outcomes) <= {(401, accounts.WRONG), (503, "同时登录的人数过多，请稍后重试")}
    assert {status for _, status in waits} == {200}
    assert slowest < 2.0
