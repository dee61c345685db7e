"""POST JSON to a webhook (a 政务微信 or 钉钉 group robot, or any HTTP endpoint), for `metrics remind` and
`metrics notify`: within a hard deadline, no redirect followed, the robot's key never named."""

import threading
from urllib.parse import urlsplit, urlunsplit

from metrics.store.warehouse import WarehouseError


def shown_url(url: str) -> str:
    """The webhook as messages name it: without user, password, query and fragment, where robots' keys are."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def post(url: str, body: bytes, deadline_seconds: float) -> tuple[int, bytes]:
    """POST body to the webhook; its 2xx status and the answer's body. A redirect is not followed (urllib would
    resend a POST as a GET without the body, or go to another scheme) and counts as not sent; so does any answer
    not complete within deadline_seconds, however slowly it trickles in."""
    import http.client  # here: their 20 ms of imports (http, email) are paid by a reminder, not by every command
    import urllib.error
    import urllib.request

    class NotFollowed(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None  # urllib then raises the 3xx as an HTTPError

    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    outcome: dict = {}

    def send() -> None:
        try:
            with urllib.request.build_opener(NotFollowed).open(request, timeout=deadline_seconds) as answer:
                outcome["answer"] = answer.read(65536)
                outcome["status"] = answer.status
        except urllib.error.HTTPError as error:
            redirect = "（不跟随重定向，请配置最终地址）" if 300 <= error.code < 400 else ""
            outcome["error"] = f"HTTP {error.code} {error.reason}{redirect}"
        except (OSError, ValueError, http.client.HTTPException) as error:
            outcome["error"] = str(getattr(error, "reason", error)) or type(error).__name__

    # A daemon thread, so that the command ends at the deadline whatever the socket is doing.
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    sender.join(deadline_seconds)
    if "status" in outcome:
        return outcome["status"], outcome["answer"]
    reason = outcome.get("error", f"{deadline_seconds:g} 秒内未收到完整答复")
    raise WarehouseError(f"提醒未能发送到 {shown_url(url)}：{reason}")
