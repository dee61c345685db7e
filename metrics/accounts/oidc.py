"""Sign-in through an identity server (OIDC): the role and scope its claims grant, and the session it starts."""

import re

from metrics import config
from metrics.accounts.sessions import new_session
from metrics.accounts.store import AccountError, Store, timestamp, transaction
from metrics.accounts.users import OIDC_PREFIX
from metrics.store.queries import run_in_transaction as _run

_DISPLAY_UNSAFE = re.compile(r"[^\w.@ -]|_")


def role_from_claims(claims: dict, claim: str | None = None) -> str:
    """The dashboard role an identity server's claim grants; unknown values only view."""
    claim = claim or config.OIDC_ROLE_CLAIM.value()
    value = claims.get(claim)
    values = value if isinstance(value, list) else [value]
    for role in ("admin", "editor"):
        if role in values:
            return role
    return "viewer"


def _claim_list(value) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").replace("，", ",").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def oidc_sign_in(store: Store, claims: dict, *, client_address: str, user_agent: str) -> str:
    """Start a session for an identity-server user, keyed by issuer and subject, never by a local name.

    The role comes from the configured claim at every sign-in; an editor's scope from the `regions` and
    `categories` claims (none: every region and category).
    """
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    if not issuer or not subject:
        raise AccountError("统一身份认证未提供 iss 与 sub，无法登录")
    identity = f"{OIDC_PREFIX}{issuer}|{subject}"
    name = str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or subject)
    # Shown in Markdown captions: keep letters, digits, spaces and . @ - only, which Markdown leaves alone.
    name = _DISPLAY_UNSAFE.sub("", name)[:64] or subject[:64]
    with transaction(store) as con:
        _run(con, "account_oidc_upsert", identity=identity, issuer=issuer, subject=subject, display_name=name,
             role=role_from_claims(claims), scope_regions=_claim_list(claims.get("regions")),
             scope_categories=_claim_list(claims.get("categories")), now=timestamp())
        return new_session(con, identity, client_address, user_agent)
