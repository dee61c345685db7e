"""deploy/nginx.conf as scripts/cluster.py fills it in: sticky on the cookie the app really sets, every server in
the upstream with its passive health check, and a configuration nginx itself accepts. The running cluster is
tested in test_browser_cluster.py."""

import subprocess
from pathlib import Path

from scripts import cluster
from ui import auth


def test_nginx_config_is_sticky_on_the_app_session_cookie_with_each_server_checked(tmp_path):
    assert cluster.SESSION_COOKIE == auth.COOKIE
    text = cluster.nginx_config(tmp_path, 8443, [8601, 8602])
    assert "map $cookie_metrics_session $sticky_key {" in text
    assert "hash $sticky_key consistent;" in text
    assert "server 127.0.0.1:8601 max_fails=1 fail_timeout=10s;" in text
    assert "server 127.0.0.1:8602 max_fails=1 fail_timeout=10s;" in text
    assert "listen 127.0.0.1:8443 ssl;" in text
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Upgrade", "Connection"):
        assert f"proxy_set_header {header} " in text
    assert "${" not in text and "$$" not in text


def test_nginx_accepts_the_filled_in_config(tmp_path):
    cluster.self_signed_certificate(tmp_path)
    (tmp_path / "nginx-temp").mkdir()
    config = tmp_path / "nginx.conf"
    config.write_text(cluster.nginx_config(tmp_path, cluster.free_port(), [cluster.free_port()]), encoding="utf-8")
    checked = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(config), "-e",
                              str(tmp_path / "nginx-error.log")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_make_cluster_starts_and_stops_from_a_checkout_under_a_directory_only_its_owner_may_enter(tmp_path):
    """As root's home is: initdb runs as the `postgres` user, which cannot enter it."""
    import json
    import ssl
    import sys
    import urllib.request

    from support import ROOT

    private = tmp_path / "home"
    private.mkdir(mode=0o700)
    directory = private / ".cluster"
    script = [sys.executable, str(ROOT / "scripts" / "cluster.py")]
    started = subprocess.run([*script, "start", "--dir", str(directory), "--servers", "1",
                              "--https-port", str(cluster.free_port())],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    state = json.loads((directory / "cluster.json").read_text()) if started.returncode == 0 else {}
    try:
        assert started.returncode == 0, started.stderr
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # the cluster's own certificate
        with urllib.request.urlopen(f"{state['url']}/healthz", context=insecure, timeout=30) as answer:
            assert (answer.status, answer.read()) == (200, b"ok")
    finally:
        if state:
            stopped = subprocess.run([*script, "stop", "--dir", str(directory)], cwd=ROOT, capture_output=True,
                                     text=True, timeout=120)
            assert (stopped.returncode, stopped.stdout) == (0, "集群已停止\n"), stopped.stderr
            assert not Path(state["postgres"]).exists()  # PostgreSQL's own directory goes with it
