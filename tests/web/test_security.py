"""web/security.py: the login throttle reads the email of every sign-in body itself."""

from __future__ import annotations

from typing import Any

from starlette.types import Message, Receive, Scope, Send

from web.security import LOGIN_PATH, Throttle
from web.settings import Settings


async def test_the_login_throttle_survives_json_nested_a_thousand_deep() -> None:
    """Python's parser raises RecursionError, not ValueError, on such a body; the throttle
    must pass it on for the route to refuse, not fail with it."""
    reached: list[bytes] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 422, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    body = ('{"email": ' + "[" * 1000 + "]" * 1000 + "}").encode()
    sent: list[Message] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    throttle = Throttle(app, Settings(environment="test", secret_key="t" * 40))
    scope = {"type": "http", "method": "POST", "path": LOGIN_PATH, "client": ("1.2.3.4", 5)}
    await throttle(scope, receive, send)
    assert reached == [body] and sent[0]["status"] == 422
