"""生成简报 on 总览 and 导出幻灯片 on 驾驶舱: the CLI's brief (metrics.briefing) for the sidebar's quarter and region,
and its slides (metrics.slides) for the quarter.

A brief or a deck of slides takes seconds and, on hostile text, could take minutes: it is made by the CLI in a process
of its own (its own process group, with the Chromium that draws its charts), at most one per
session. The page polls it, offers 取消 while it runs, and the download once it is done. A
download button whose data is a callable would instead run it on Streamlit's event loop, outside
the session, and hold up every other session while Chromium draws the charts."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from metrics import cockpit, facts, periods
from metrics.briefing import model as briefing
from metrics.paths import resolve_db
from ui import common

SLIDES = "pptx"
LABELS = {"docx": "Word", "pdf": "PDF", SLIDES: "PowerPoint"}
WHAT = {"docx": "简报", "pdf": "简报", SLIDES: "幻灯片"}
BUTTONS = {"docx": "生成简报（Word）", "pdf": "生成简报（PDF）", SLIDES: "导出幻灯片"}
HELP = {**dict.fromkeys(briefing.FORMATS, "按左侧选择的报告期和地区生成季度简报：总体情况、核心指标、区域对比与趋势图、"
                                          "省级考核、整改情况、报送情况和数据来源"),
        SLIDES: "按所选报告期导出领导驾驶舱幻灯片：标题、指标矩阵、每项核心指标的图表与一句话、需关注"}
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf",
        SLIDES: "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
MADE = "brief_made"
JOB = "brief_job"
CANCELLED = "brief_cancelled"
# How often the page looks whether the brief is done.
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Job:
    """A brief or slides being made: the CLI's process, the folder it writes to, and what it was asked for."""

    process: subprocess.Popen
    folder: Path
    wanted: tuple
    fmt: str
    name: str
    started: float

    @property
    def out(self) -> Path:
        return self.folder / f"made.{self.fmt}"

    def stop(self) -> None:
        """End the process and everything it started (Chromium), and remove its folder."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _start(quarter_id: str, region_id: str | None, fmt: str, wanted: tuple) -> None:
    """On a click (before the run, so that the run draws the buttons disabled): start the CLI."""
    if st.session_state.get(JOB) is not None:
        return
    folder = Path(tempfile.mkdtemp(prefix="brief-"))
    if fmt == SLIDES:
        name = cockpit.slides_file_name(periods.quarter_index(quarter_id))
        asked = ["slides", f"--period={quarter_id}"]
    else:
        region_name = common.data(facts.regions).set_index("region_id")["name"].get(region_id) if region_id else None
        name = f"{briefing.file_stem(periods.quarter_index(quarter_id), region_name)}.{fmt}"
        asked = ["brief", f"--period={quarter_id}", *([f"--region={region_id}"] if region_id else []),
                 f"--format={fmt}"]
    command = [sys.executable, "-m", "metrics", *asked, "--db", str(resolve_db()), f"--out={folder / f'made.{fmt}'}"]
    with open(folder / "stderr.txt", "w", encoding="utf-8") as errors:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                                   start_new_session=True)
    st.session_state[JOB] = Job(process, folder, wanted, fmt, name, time.monotonic())


def _collect(job: Job) -> None:
    """A finished job: its brief kept for download, or its error shown in one line."""
    st.session_state.pop(JOB, None)
    try:
        if job.process.returncode == 0:
            st.session_state[MADE] = (*job.wanted, job.fmt, job.name, job.out.read_bytes())
        else:
            lines = (job.folder / "stderr.txt").read_text(encoding="utf-8", errors="replace").strip().splitlines()
            reason = lines[-1].removeprefix("错误：") if lines else f"生成进程异常退出（状态 {job.process.returncode}）"
            st.error(f"无法生成{WHAT[job.fmt]}：{common.plain(reason)}", icon=":material/error:")
    finally:
        job.stop()


def _cancel() -> None:
    job = st.session_state.pop(JOB, None)
    if job is not None:
        job.stop()
        st.session_state[CANCELLED] = job.fmt


@st.fragment(run_every=POLL_SECONDS)
def _progress() -> None:
    """While the session's brief is being made: how long so far, and 取消; when it is done or was
    cancelled (a click in a fragment reruns only the fragment), the whole page runs again."""
    job = st.session_state.get(JOB)
    if job is None or job.process.poll() is not None:
        st.rerun()
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption(f"正在生成{WHAT[job.fmt]}（{LABELS[job.fmt]}），已用 {time.monotonic() - job.started:.0f} 秒；"
                 "生成期间本会话不能再生成另一份。")
    right.button("取消生成", key="brief-cancel", on_click=_cancel, icon=":material/cancel:")


def buttons(quarter_index: int, region_id: str | None) -> None:
    """总览's 生成简报: a button per format for the sidebar's quarter and region."""
    _offer(briefing.FORMATS, quarter_index, region_id)


def slides_button(quarter_index: int) -> None:
    """驾驶舱's 导出幻灯片 for the quarter."""
    _offer((SLIDES,), quarter_index, None)


def _offer(formats: tuple[str, ...], quarter_index: int, region_id: str | None) -> None:
    """A button per format, disabled while this session's brief or slides are being made (one at a time); the
    file of these formats made last, while it is still of the sidebar's choice, as a download button beside them."""
    quarter_id = periods.quarter_id(quarter_index)
    wanted = (common.current_version(), quarter_id, region_id)
    job = st.session_state.get(JOB)
    if job is not None and job.process.poll() is not None:
        _collect(job)
        job = None
    cancelled = st.session_state.pop(CANCELLED, None)
    if cancelled:
        st.info(f"已取消生成{WHAT[cancelled]}。", icon=":material/cancel:")
    columns = st.columns([1] * len(formats) + [3], vertical_alignment="center")
    for column, fmt in zip(columns, formats, strict=False):
        column.button(BUTTONS[fmt], key=f"brief-{fmt}", icon=":material/description:", disabled=job is not None,
                      on_click=_start, args=(quarter_id, region_id, fmt, wanted), help=HELP[fmt])
    if job is not None:
        _progress()
    made = st.session_state.get(MADE)
    if made and tuple(made[:3]) == wanted and made[3] in formats:
        _, _, _, fmt, name, data = made
        columns[-1].download_button(f"下载 {name}", data=data, file_name=name, mime=MIME[fmt], on_click="ignore",
                                    icon=":material/download:", key="brief-download", type="primary")
