"""The dashboard's server: `streamlit run server.py` (what `make run` does) serves app.py through st.App, with
the sign-in routes, the page gate, /healthz, /metrics and the security headers of ui/web.py."""

import sys

import streamlit as st
import uvicorn

from ui import web


def _drop_server_banner() -> None:
    """uvicorn, which `streamlit run` configures without asking us, names itself in a Server header; drop it
    from the uvicorn Config that is importing this module (it rebuilds its default headers from it)."""
    frame = sys._getframe(1)
    while frame is not None:
        config = frame.f_locals.get("self")
        if isinstance(config, uvicorn.Config):
            config.encoded_headers = [h for h in config.encoded_headers if h[0] != b"server"]
            return
        frame = frame.f_back


_drop_server_banner()
app = st.App("app.py", routes=web.ROUTES, middleware=web.MIDDLEWARE)
