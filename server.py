"""The dashboard's server: `streamlit run server.py` (what `make run` does) serves app.py through st.App, with
the sign-in routes, the page gate, /healthz, /metrics and the security headers of ui/web.py, and warms the
default views of every new snapshot in the background (ui/warming.py)."""

import sys

import streamlit as st
import uvicorn

from ui import warming, web


def _configure_uvicorn() -> None:
    """Adjust the uvicorn Config that is importing this module, which `streamlit run` sets up without asking us:
    drop the Server header that names uvicorn (it rebuilds its default headers from the Config), and turn off
    its proxy-header handling, which would rewrite the client's address and scheme from X-Forwarded-For/-Proto
    for any loopback peer before ui/web.py looks; METRICS_TRUSTED_PROXIES alone decides whom to believe."""
    frame = sys._getframe(1)
    while frame is not None:
        config = frame.f_locals.get("self")
        if isinstance(config, uvicorn.Config):
            config.encoded_headers = [h for h in config.encoded_headers if h[0] != b"server"]
            config.proxy_headers = False  # read after the app is imported (uvicorn.Config.load)
            return
        frame = frame.f_back


web.check_trusted_proxies()
_configure_uvicorn()
app = st.App("app.py", routes=web.ROUTES, middleware=web.MIDDLEWARE)
warming.watch()
