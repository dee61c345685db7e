"""Accounts: roles and their scopes, user names, passwords, and the changes an admin makes to them."""

import datetime as dt
import functools
import secrets
import unicodedata
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from metrics.accounts.audit import record_event
from metrics.accounts.store import AccountError, Store, timestamp, transaction
from metrics.store.queries import run_in_transaction as _run

ROLE_NAMES = {"viewer": "查看", "editor": "填报", "admin": "管理"}
# What each role may do, in the words 我的账户 and 账户管理 show. There is no leader role: the bureau's leaders
# sign in with 查看 accounts, which ask and close 督办 items (metrics.supervision) but change no figure.
ROLE_DUTIES = {
    "viewer": "浏览各页面；本局领导使用查看账户：可就数值发起督办，审阅答复后办结或退回，不能修改数据",
    "editor": "在本人范围内上传数据（提交审核）、添加整改进展、答复本单位的督办",
    "admin": "全部操作：载入与撤销、审核、目标、账户与审计日志；也可发起、办结或退回督办",
}
ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}
LOCK_MINUTES = 15  # how long sign-in failures count towards a lock (sign_in); list_users shows them
MIN_PASSWORD_LENGTH = 10
OIDC_PREFIX = "oidc:"
USERNAME_CHARACTERS = (2, 32)
_USERNAME_PUNCTUATION = "._-"
# Characters that show nothing yet are not format characters (Cf): fillers, grapheme joiner, variation selectors.
_INVISIBLE = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0,
              *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
HASHER = PasswordHasher()


@dataclass(frozen=True)
class Account:
    username: str  # a local username, or oidc:<issuer>|<sub> for an identity-server user
    role: str
    scope_regions: tuple[str, ...] = ()
    scope_categories: tuple[str, ...] = ()
    must_change_password: bool = False
    display_name: str = ""

    @property
    def name(self) -> str:
        """The name to show: the identity server's name for its users, else the username."""
        return self.display_name or self.username

    def can(self, role: str) -> bool:
        """Whether this account holds at least the given role."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def require(self, role: str) -> "Account":
        """This account, or AccountError unless it holds at least the given role."""
        if not self.can(role):
            raise AccountError(f"需要“{ROLE_NAMES[role]}”权限，当前账户为“{ROLE_NAMES[self.role]}”")
        return self

    def scope_text(self) -> str:
        if self.role != "editor":
            return "全部" if self.role == "admin" else "无"
        parts = []
        if self.scope_regions:
            parts.append("地区：" + "、".join(self.scope_regions))
        if self.scope_categories:
            parts.append("指标类别：" + "、".join(self.scope_categories))
        return "；".join(parts) or "全部"


@functools.cache
def dummy_hash() -> str:
    """Verified against when the user does not exist, so that a wrong name costs as much as a wrong
    password; made on first use, so that commands that never sign anyone in do not pay for it."""
    return HASHER.hash(secrets.token_hex(16))


def _user_count(con) -> int:
    return int(_run(con, "account_count")["count_users"].iloc[0])


def get_user(con, username: str) -> dict | None:
    found = _run(con, "account_get", username=username)
    return found.iloc[0].to_dict() if len(found) else None


def verifies(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")


def _check_role(role: str) -> None:
    if role not in ROLE_NAMES:
        raise AccountError(f"未知角色“{role}”，可选：viewer(查看)、editor(填报)、admin(管理)")


def _check_scope(role: str, scope_regions: tuple[str, ...], scope_categories: tuple[str, ...]) -> None:
    if role == "editor" and not scope_regions and not scope_categories:
        raise AccountError("填报账户必须指定可填报的地区或指标类别")


def _scope_detail(role: str, scope_regions: tuple[str, ...], scope_categories: tuple[str, ...]) -> str:
    return Account("", role, scope_regions, scope_categories).scope_text()


def _end_sessions(con, username: str, reason: str) -> None:
    _run(con, "session_end", token_sha256=None, session_id=None, username=username, now=timestamp(), reason=reason)


def normal_username(name: str) -> str:
    """A user name as the store keeps it, NFKC-normalised: ａｄｍｉｎ is admin."""
    return unicodedata.normalize("NFKC", name)


def _checked_username(name: str) -> str:
    """The name normalised, of letters of any script, marks, digits, and . _ -; never a control, format (zero
    width, bidi) or other invisible character, which would make two names that look alike."""
    name = normal_username(name)
    if hidden := next((c for c in name if unicodedata.category(c) in ("Cc", "Cf") or ord(c) in _INVISIBLE), None):
        raise AccountError("用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符："
                           f"U+{ord(hidden):04X}")
    shortest, longest = USERNAME_CHARACTERS
    if not shortest <= len(name) <= longest or not all(
            unicodedata.category(c)[0] in "LMN" or c in _USERNAME_PUNCTUATION for c in name):
        raise AccountError(f"用户名只能包含文字、数字、点、下划线或连字符，长度{shortest}–{longest}")
    return name


def _confusable_twin(con, name: str) -> str | None:
    """An existing user name that looks like name (Unicode's confusables, letter case included: admin, Admin,
    аdmin with a Cyrillic а, adm1n)."""
    import confusables  # its tables take 65 ms to load; only adding an account needs them

    return next((other for other in _run(con, "account_names")["username"]
                 if confusables.is_confusable(name, other)), None)


def add_user(store: Store, username: str, password: str, role: str, *, actor: str,
             scope_regions: tuple[str, ...] = (), scope_categories: tuple[str, ...] = (),
             must_change_password: bool = False) -> str:
    """Create an account; an editor is scoped to regions and/or indicator categories. Returns the name as
    stored (normal_username), refused when it looks like an existing one."""
    username = _checked_username(username)
    _check_role(role)
    _check_scope(role, scope_regions, scope_categories)
    check_password(password)
    with transaction(store) as con:
        if get_user(con, username):
            raise AccountError(f"用户“{username}”已存在")
        if twin := _confusable_twin(con, username):
            raise AccountError(f"用户名“{username}”与已有账户“{twin}”字形相近，容易混淆，请换一个")
        before = _user_count(con)
        _run(con, "account_insert", username=username, password_hash=HASHER.hash(password),
                    role=role, scope_regions=list(scope_regions), scope_categories=list(scope_categories),
                    must_change_password=must_change_password, now=timestamp())
        detail = f"角色 {ROLE_NAMES[role]}，范围 {_scope_detail(role, scope_regions, scope_categories)}"
        record_event(con, actor, "新增账户", username, detail, before, before + 1)
    return username


def _existing(con, username: str) -> dict:
    user = get_user(con, username)
    if not user:
        raise AccountError(f"用户“{username}”不存在")
    return user


def set_password(store: Store, username: str, password: str, *, actor: str,
                 must_change_password: bool = False) -> None:
    """Set a new password (never the current one); it lifts sign-in locks and ends the account's sessions."""
    check_password(password)
    with transaction(store) as con:
        user = _existing(con, username)
        if verifies(user["password_hash"], password):
            raise AccountError("新密码不能与当前密码相同")
        _run(con, "account_set_password", username=username, password_hash=HASHER.hash(password),
                    must_change_password=must_change_password, now=timestamp())
        _run(con, "account_failures_clear", username=username, client_address=None)
        _end_sessions(con, username, "修改密码")
        count = _user_count(con)
        record_event(con, actor, "修改密码", username, None, count, count)


def set_disabled(store: Store, username: str, disabled: bool, *, actor: str) -> None:
    with transaction(store) as con:
        _existing(con, username)
        _run(con, "account_set_disabled", username=username, is_disabled=disabled, now=timestamp())
        if disabled:
            _end_sessions(con, username, "停用账户")
        count = _user_count(con)
        record_event(con, actor, "停用账户" if disabled else "启用账户", username, None, count, count)


def set_role(store: Store, username: str, role: str, *, actor: str, scope_regions: tuple[str, ...] = (),
             scope_categories: tuple[str, ...] = ()) -> None:
    """Change an account's role and scope; its sessions end, so that it signs in again under the new role."""
    _check_role(role)
    _check_scope(role, scope_regions, scope_categories)
    with transaction(store) as con:
        before = _existing(con, username)
        _run(con, "account_set_role", username=username, role=role,
                                   scope_regions=list(scope_regions), scope_categories=list(scope_categories),
                                   now=timestamp())
        _end_sessions(con, username, "修改角色")
        count = _user_count(con)
        detail = (f"{ROLE_NAMES[before['role']]} → {ROLE_NAMES[role]}，"
                  f"范围 {_scope_detail(role, scope_regions, scope_categories)}")
        record_event(con, actor, "修改角色", username, detail, count, count)


def list_users(store: Store) -> pd.DataFrame:
    with transaction(store) as con:
        return _run(con, "account_list", since=timestamp() - dt.timedelta(minutes=LOCK_MINUTES))


def bootstrap_admin(store: Store) -> str | None:
    """On a store with no account: create `admin` with a generated one-time password, return it."""
    with transaction(store) as con:
        if _user_count(con):
            return None
        password = secrets.token_urlsafe(12)
        _run(con, "account_insert", username="admin", password_hash=HASHER.hash(password),
                    role="admin", scope_regions=[], scope_categories=[], must_change_password=True,
                    now=timestamp())
        record_event(con, "system", "新增账户", "admin", "首次启动生成一次性密码", 0, 1)
        return password
