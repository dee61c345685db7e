"""Readers during a load from another process: each sees the whole old state or the whole new one."""

import subprocess
import sys
import threading
import time

from metrics.paths import ROOT
from metrics.store.warehouse import open_reader

READERS = 3
ROWS = 1500  # enough for the load to take a while, few enough for a quick test


def totals(db) -> tuple[int, float]:
    con = open_reader(db)
    try:
        return con.execute("select count(*), sum(value) from observations").fetchone()
    finally:
        con.close()


def test_readers_never_see_half_a_load_nor_a_lock_error(fresh_db, tmp_path):
    months = [f"{2000 + m // 12}-{m % 12 + 1:02d}" for m in range(ROWS // 3)]
    regions = ("鄂城区", "华容区", "梁子湖区")
    lines = [f"一窗通办事项数,{region},{month},{n},并发测试" for n, (month, region) in enumerate(
        (month, region) for month in months for region in regions
    )]  # fmt: skip
    upload = tmp_path / "big.csv"
    upload.write_text("指标名称,地区,期间,数值,来源\n" + "\n".join(lines) + "\n", encoding="utf-8")
    old = totals(fresh_db)
    new = (old[0] + ROWS, old[1] + sum(range(ROWS)))

    seen: list[tuple] = []
    failures: list[BaseException] = []
    loading = threading.Event()
    loading.set()

    def read_until_done() -> None:
        try:
            # Keep reading a little after the load so that the new state is seen too.
            deadline = None
            while deadline is None or time.monotonic() < deadline:
                seen.append(totals(fresh_db))
                time.sleep(0.01)  # leave the loading process a core
                if deadline is None and not loading.is_set():
                    deadline = time.monotonic() + 0.3
        except BaseException as error:  # any failure of a reader fails the test
            failures.append(error)

    readers = [threading.Thread(target=read_until_done) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    load = subprocess.run(
        [sys.executable, "-m", "metrics", "load", str(upload), "--db", str(fresh_db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    loading.clear()
    for reader in readers:
        reader.join()

    assert load.returncode == 0, load.stderr
    assert failures == []
    assert set(seen) <= {old, new}
    assert seen.count(old) > 0 and seen[-1] == new
