"""A brief's charts: the pages' own figures, captioned with their period and sources, drawn as PNG
at print resolution by kaleido through the system Chromium."""

import shutil
import threading
from html import unescape

import kaleido
import plotly.graph_objects as go

from metrics import charts, config, facts, periods
from metrics.briefing.gather import BriefData
from metrics.briefing.model import BriefError
from metrics.formatting import source_texts

# Charts are drawn 800 px wide and scaled 2.5×: 2000 px across a 160 mm text block is ≈ 300 dpi.
CHART_WIDTH = 800
CHART_SCALE = 2.5

_CHART_LOCK = threading.Lock()
PRINT_TEMPLATE = "plotly"


def _captioned(figure: go.Figure, details: str) -> tuple[go.Figure, str]:
    """The chart without its title, and a caption of title, period and sources in its place (the
    title as text: without its line break and with the characters charts.label escaped). Drawn with
    Plotly's own template whatever the process imported: importing streamlit makes its template the
    default, and kaleido then cuts the axis labels off the PNG."""
    caption = f"{unescape(figure.layout.title.text.replace('<br>', ''))}{details}"
    figure.update_layout(title_text="", margin_t=40, template=PRINT_TEMPLATE)
    return figure, caption


def _sources(rows) -> str:
    """The distinct sources of a chart's values, each as every surface words it (source_text)."""
    return "；".join(dict.fromkeys(source_texts(rows[rows["source"].notna()])))


def chart_figures(data: BriefData) -> list[tuple[go.Figure, str]]:
    """The district ranking and the key trends, from the pages' builders, with captions that
    carry each chart's period and sources."""
    shown = []
    if data.comparison is not None:
        districts, missing, references = facts.split_comparison(data.comparison)
        figure = charts.region_bars(districts, missing, references, data.quarter_label, highlight=data.region_id)
        shown.append(_captioned(figure, f"。来源：{_sources(districts)}"))
    for series in data.series:
        first, last = int(series["quarter_index"].min()), int(series["quarter_index"].max())
        shown.append(_captioned(charts.trend_lines(series),
                                f"（{periods.quarter_label(first)}至{periods.quarter_label(last)}）。"
                                f"来源：{_sources(series)}"))
    return shown


def start_chart_server() -> None:
    """Start the process's kaleido server (Chromium boots in the background) unless it runs."""
    browser = str(config.BROWSER_PATH.value())
    if shutil.which(browser) is None:
        # kaleido's server thread would die on start and leave its caller waiting forever.
        raise BriefError(f"找不到 Chromium（{browser}），无法绘制图表：请安装 chromium 或设置 BROWSER_PATH")
    with _CHART_LOCK:
        kaleido.start_sync_server(path=browser, mathjax=False, silence_warnings=True)


def chart_images(figures: list[go.Figure]) -> list[bytes]:
    """PNG at print resolution through kaleido and the system Chromium, on one kaleido server per
    process (a cold start costs seconds; stop_chart_server ends it). The server answers one caller
    at a time: its queue hands results back in order, so concurrent callers would swap them."""
    start_chart_server()
    with _CHART_LOCK:
        return [kaleido.calc_fig_sync(figure, opts={"format": "png", "width": CHART_WIDTH,
                                                    "height": figure.layout.height, "scale": CHART_SCALE})
                for figure in figures]


def stop_chart_server() -> None:
    with _CHART_LOCK:
        kaleido.stop_sync_server(silence_warnings=True)
