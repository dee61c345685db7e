"""deploy/nginx.conf as scripts/cluster.py fills it in: sticky on the cookie the app really sets, every server in
the upstream with its passive health check, and a configuration nginx itself accepts. The running cluster is
tested in test_browser_cluster.py."""

import subprocess

from support import cluster

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
