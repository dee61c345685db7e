"""Attacks on the HTTP side of a real `streamlit run server.py` (issue #29): Streamlit's own upload route, a sign-in
flood, forwarded headers from a peer that is not a trusted proxy, a cross-site logout, server paths in answers."""

import fcntl
import http.client
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
from support import PASSWORD, SERVER_PIDS, header, request, serve, warehouse_and_store
from test_browser_auth import post_sign_in, session_cookie
from websockets.sync.client import connect

from metrics import accounts

pytestmark = pytest.mark.browser

MIB = 2**20
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


class StreamlitSession:
    """A Streamlit session over a real websocket, opened with the given cookies as a browser opens it."""

    def __init__(self, url: str, cookie: str = ""):
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
                return

    def close(self) -> None:
        self.socket.close()


def put_file(url: str, cookie: str, xsrf: str, session_id: str, size: int, file_id: str = "f1") -> tuple[int, str]:
    """PUT a multipart file of size bytes to Streamlit's upload route, as its file uploader does."""
    boundary = "----upload-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="data.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"a" * size + tail
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


def rss_mib(url: str) -> float:
    text = Path(f"/proc/{SERVER_PIDS[url]}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024


def test_uploads_only_from_an_uploading_account_into_its_own_session_within_limits(untrusting):
    url, _ = untrusting
    anonymous = StreamlitSession(url)
    viewer_cookie = session_cookie(post_sign_in(url, "viewer1", PASSWORD)[1])
    viewer = StreamlitSession(url, viewer_cookie)
    editor_cookie = session_cookie(post_sign_in(url, "editor1", PASSWORD)[1])
    editor = StreamlitSession(url, editor_cookie)
    others = [StreamlitSession(url, editor_cookie) for _ in range(2)]
    try:
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
