"""Every setting the product reads from its environment, in one table: name, type, default, meaning.

Nothing else reads os.environ (tests/test_config.py holds that, and that the README documents each row).
A setting is read when it is used, not cached at import, so that a restart is all an operator needs and a
test may set it for one call; a value that does not parse is one Chinese line naming the setting.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from metrics.errors import UserFacingError

TYPE_NAMES = {float: "数字", int: "整数", str: "文本", Path: "路径"}


class SettingError(UserFacingError):
    """A setting whose value is not of its type."""


@dataclass(frozen=True)
class Setting:
    name: str
    type: Callable[[str], object]
    default: object
    meaning: str

    def value(self):
        """The environment's value parsed as the setting's type, else the default (also for an empty value)."""
        raw = os.environ.get(self.name, "").strip()
        if not raw:
            return self.default
        try:
            return self.type(raw)
        except ValueError:
            raise SettingError(f"设置 {self.name} 的值“{raw[:40]}”不是{TYPE_NAMES[self.type]}") from None

    def is_set(self) -> bool:
        return bool(os.environ.get(self.name, "").strip())


DB = Setting("METRICS_DB", Path, None, "数据仓库文件；未设时为 data/warehouse.duckdb（命令行 --db 优先）")
CATALOG_URL = Setting("METRICS_CATALOG_URL", str, None,
                      "共享目录库的 PostgreSQL 连接串；未设时目录库是仓库旁的 SQLite 文件")
MEMORY_LIMIT = Setting("METRICS_MEMORY_LIMIT", str, "1.5GB", "每个 DuckDB 连接的内存上限")
TEMP_DIR = Setting("METRICS_TEMP_DIR", Path, None, "DuckDB 溢写目录的上级目录；未设时在仓库文件旁")
ACCOUNTS = Setting("METRICS_ACCOUNTS", Path, None, "账户库文件；未设时为仓库目录下的 accounts.duckdb")
ACCOUNTS_URL = Setting("METRICS_ACCOUNTS_URL", str, None, "多台服务器共用的账户库（PostgreSQL 连接串）")
ACCOUNTS_WAIT_SECONDS = Setting("METRICS_ACCOUNTS_WAIT_SECONDS", float, 10.0, "等待账户库写锁的最长秒数")
SESSION_IDLE_MINUTES = Setting("METRICS_SESSION_IDLE_MINUTES", float, 30.0, "登录会话空闲多少分钟后失效")
OIDC_ROLE_CLAIM = Setting("METRICS_OIDC_ROLE_CLAIM", str, "role", "统一身份认证中给出角色的声明名")
VIEW_LOGIN = Setting("METRICS_VIEW_LOGIN", str, "required", "设为 open 时查看页面无须登录（修改数据仍须登录）")
LOGIN_DELAY_SECONDS = Setting("METRICS_LOGIN_DELAY_SECONDS", float, 0.5, "登录失败后应答延迟的基数（秒，逐次加倍）")
TRUSTED_PROXIES = Setting("METRICS_TRUSTED_PROXIES", str, "127.0.0.1,::1",
                          "可信反向代理的 IP 地址或网段，逗号分隔；只采信它们转发的客户端地址")
PROMETHEUS_TOKEN = Setting("METRICS_PROMETHEUS_TOKEN", str, "",
                           "本机以外访问 /metrics 监控接口所需的 Bearer 令牌；未设时只许本机访问")
UPLOAD_SESSION_MB = Setting("METRICS_UPLOAD_SESSION_MB", float, 100.0, "每个页面会话暂存的上传合计上限（MiB）")
UPLOAD_SERVER_MB = Setting("METRICS_UPLOAD_SERVER_MB", float, 400.0, "整台服务器暂存的上传合计上限（MiB）")
MAX_UPLOAD_MB = Setting("METRICS_MAX_UPLOAD_MB", float, 50.0, "浏览器上传的单个文件大小上限（MiB）")
MAX_CLI_LOAD_MB = Setting("METRICS_MAX_CLI_LOAD_MB", float, 1024.0, "命令行载入的单个文件大小上限（MiB）")
MAX_XLSX_EXPANDED_MB = Setting("METRICS_MAX_XLSX_EXPANDED_MB", float, 256.0, "Excel 文件解压后的大小上限（MiB）")
MAX_UPLOAD_CELLS = Setting("METRICS_MAX_UPLOAD_CELLS", int, 250_000, "Excel 文件的单元格数上限")
MAX_UPLOAD_TEXT_CHARS = Setting("METRICS_MAX_UPLOAD_TEXT_CHARS", int, 16 * 2**20, "Excel 文件的文字总字符数上限")
REMIND_WEBHOOK = Setting("METRICS_REMIND_WEBHOOK", str, None, "`metrics remind` 推送提醒的 Webhook 地址")
NOTIFY_WEBHOOK = Setting("METRICS_NOTIFY_WEBHOOK", str, None,
                         "`metrics notify` 推送提醒的群机器人地址（政务微信、钉钉）")
SMTP_HOST = Setting("METRICS_SMTP_HOST", str, None, "`metrics notify` 发邮件的 SMTP 服务器；未设时不发邮件")
SMTP_PORT = Setting("METRICS_SMTP_PORT", int, None, "SMTP 端口；未设时 ssl 为 465，其余为 25")
SMTP_SECURITY = Setting("METRICS_SMTP_SECURITY", str, "starttls", "SMTP 加密方式：starttls、ssl 或 none")
SMTP_USER = Setting("METRICS_SMTP_USER", str, None, "SMTP 登录用户名")
SMTP_PASSWORD = Setting("METRICS_SMTP_PASSWORD", str, None, "SMTP 登录密码（从不显示或写入日志）")
SMTP_FROM = Setting("METRICS_SMTP_FROM", str, None, "提醒邮件的发件人地址")
PUBLIC_URL = Setting("METRICS_PUBLIC_URL", str, "", "看板对外的网址，提醒里的链接以它开头")
BROWSER_PATH = Setting("BROWSER_PATH", Path, Path("/usr/bin/chromium"), "简报图表出图所用的 Chromium")

SETTINGS = (DB, CATALOG_URL, MEMORY_LIMIT, TEMP_DIR, ACCOUNTS, ACCOUNTS_URL, ACCOUNTS_WAIT_SECONDS,
            SESSION_IDLE_MINUTES, OIDC_ROLE_CLAIM, VIEW_LOGIN, LOGIN_DELAY_SECONDS, TRUSTED_PROXIES, PROMETHEUS_TOKEN,
            UPLOAD_SESSION_MB, UPLOAD_SERVER_MB, MAX_UPLOAD_MB, MAX_CLI_LOAD_MB, MAX_XLSX_EXPANDED_MB,
            MAX_UPLOAD_CELLS, MAX_UPLOAD_TEXT_CHARS, REMIND_WEBHOOK, NOTIFY_WEBHOOK, SMTP_HOST, SMTP_PORT,
            SMTP_SECURITY, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, PUBLIC_URL, BROWSER_PATH)
