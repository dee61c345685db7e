"""`metrics remind` against hostile webhooks, real local servers: one that answers a byte at a time, one
that redirects (to HTTP or to ftp://); and the robot's key in the configured URL is never printed."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from metrics import config
from metrics.cli import REMIND_DEADLINE_SECONDS
from metrics.paths import ROOT

SECRET = "key=robot-secret-123"


def remind(db, webhook: str) -> tuple[subprocess.CompletedProcess, float]:
    """The command with the webhook from the environment, as cron runs it; and how long it took."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "metrics", "remind", "--db", str(db), "--today", "2025-02-01"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, config.REMIND_WEBHOOK.name: webhook})
    assert SECRET not in done.stdout + done.stderr
    json.loads(done.stdout)  # the digest is printed whatever the webhook does
    return done, time.monotonic() - started


class Listener:
    """A TCP port that counts the connections made to it, answering each with HTTP 200 after `delay`
    seconds between bytes (0: at once)."""

    def __init__(self, delay: float = 0):
        self.delay = delay
        self.connections = 0
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        with connection:
            try:
                connection.recv(65536)
                for index in range(len(answer)) if self.delay else [None]:
                    if self.stop.wait(self.delay):
                        return
                    connection.sendall(answer[index:index + 1] if index is not None else answer)
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.socket.close()


@pytest.fixture
def listener():
    opened = []

    def open_listener(delay: float = 0) -> Listener:
        opened.append(Listener(delay))
        return opened[-1]

    yield open_listener
    for each in opened:
        each.close()


@pytest.mark.slow  # waits out a webhook's whole deadline
def test_a_server_that_answers_a_byte_every_5_seconds_gets_the_whole_deadline_and_no_more(seed_db, listener):
    drip = listener(delay=5)
    done, took = remind(seed_db, f"http://127.0.0.1:{drip.port}/hook?{SECRET}")
    assert (done.returncode, done.stderr) == (
        2, f"错误：提醒未能发送到 http://127.0.0.1:{drip.port}/hook：{REMIND_DEADLINE_SECONDS} 秒内未收到完整答复\n")
    assert REMIND_DEADLINE_SECONDS <= took < REMIND_DEADLINE_SECONDS + 15


class Redirector(BaseHTTPRequestHandler):
    location = ""

    def do_POST(self):  # noqa: N802 (the handler's API)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(302)
        self.send_header("Location", Redirector.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("scheme", ["http", "ftp"])
def test_a_redirect_is_not_followed_and_not_sent(seed_db, listener, scheme):
    target = listener()
    Redirector.location = f"{scheme}://127.0.0.1:{target.port}/elsewhere"
    server = HTTPServer(("127.0.0.1", 0), Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done, _ = remind(seed_db, f"http://127.0.0.1:{server.server_port}/hook?{SECRET}")
    finally:
        server.shutdown()
        server.server_close()
    assert (done.returncode, done.stderr) == (2, f"错误：提醒未能发送到 http://127.0.0.1:{server.server_port}/hook："
                                                 "HTTP 302 Found（不跟随重定向，请配置最终地址）\n")
    assert target.connections == 0


def test_a_webhook_from_the_environment_is_named_without_its_key(seed_db, listener):
    robot = listener()
    done, _ = remind(seed_db, f"http://127.0.0.1:{robot.port}/hook?{SECRET}#part")
    assert (done.returncode, done.stderr) == (0, f"已发送提醒到 http://127.0.0.1:{robot.port}/hook（HTTP 200）\n")
    assert robot.connections == 1
