"""From a person's notification *reference* to an apprise URL, at the moment of sending.

areas.yml and the database hold only references — ``env:NAME`` (an environment variable) or
``secret:BLOCK`` (a Prefect Secret block) — so credentials live where operators keep secrets
and can be rotated without touching the data. Any apprise URL works: ``mailto://…`` (SMTP),
``msteams://…``/``workflows://…`` (Microsoft Teams), ``slack://…`` and the rest, plus
``maildir://localhost/ABSOLUTE/PATH`` (registered here) for a local mailbox without a server.

References belong to a tenant: its ``env:NAME`` is looked up first in its notify Secret block (a
JSON object of NAME → URL, so a worker needs one block, not thousands of variables), then in the
environment under the tenant's own name for it (``Settings.env_name``).
"""

from __future__ import annotations

import mailbox
import os
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from apprise.decorators import notify

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import CtcError
from ctcflow.core.secrets_store import MissingSecret, load_secret
from ctcflow.definition.organisation import REFERENCE


class ChannelError(CtcError):
    """A reference that does not lead to a usable channel; the message says how to fix it."""


MAIL_SERVER = "CTC_MAIL_SERVER"
BLOCK_SECONDS = 60.0  # a notify block is read again after this long (an edit reaches running workers)
_blocks: dict[str, tuple[float, dict[str, str]]] = {}


def resolve(reference: str, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if reference.startswith("mail:"):
        return _own_address(reference.removeprefix("mail:"), settings)
    match = REFERENCE.match(reference)
    if match is None:
        raise ChannelError(f"'{reference}' is not a reference; write env:VARIABLE or secret:BLOCK in areas.yml")
    source, name = match.groups()
    if source == "env":
        value = lookup(name, settings)
        if not value:
            where = f"the environment variable {settings.env_name(name)}"
            if settings.notify_block:
                where = f"{name} in the Prefect Secret block '{settings.notify_block}' or {where}"
            raise ChannelError(f"{reference}: {where} is not set; set it to an apprise URL such as "
                               "mailto://smtp.example.org?from=ctc@example.org&to=name@example.org")
        return value
    return _secret(reference, name)


def lookup(variable: str, settings: Settings) -> str:
    """An ``env:`` reference's value for the tenant ('' when nowhere): its notify block, then its
    environment variable."""
    if settings.notify_block:
        found = notify_block(settings.notify_block).get(variable, "")
        if isinstance(found, str) and found.strip():
            return found.strip()
    return os.environ.get(settings.env_name(variable), "").strip()


def notify_block(name: str) -> dict[str, str]:
    """The tenant's notify Secret block as a dict, read at most once a minute per process."""
    now = time.monotonic()
    kept = _blocks.get(name)
    if kept is not None and now - kept[0] < BLOCK_SECONDS:
        return kept[1]
    try:
        value = load_secret(name)
    except MissingSecret as exc:
        raise ChannelError(f"no Prefect Secret block named '{name}' ({exc}); create it with the people's apprise "
                           f"URLs by variable name: Secret(value={{'CTC_NOTIFY_X': 'mailto://…'}}).save('{name}')"
                           ) from None
    if not isinstance(value, dict):
        raise ChannelError(f"the Prefect Secret block '{name}' must hold a JSON object of variable name → apprise URL")
    _blocks[name] = (now, {str(k): str(v) for k, v in value.items()})
    return _blocks[name][1]


def _own_address(address: str, settings: Settings) -> str:
    """A person added on the web is mailed at their own address through the organisation's mail
    server: the apprise mailto:// URL in CTC_MAIL_SERVER (its credentials stay in the
    environment), with the recipient set to them."""
    server = lookup(MAIL_SERVER, settings)
    if not server.startswith(("mailto://", "mailtos://")):
        raise ChannelError(f"mail to {address}: set {settings.env_name(MAIL_SERVER)} to the mail server's "
                           "apprise URL, e.g. "
                           "mailtos://smtp.example.org?from=ctc@example.org (with the account's user and "
                           "password when the server asks for them)")
    parts = urlsplit(server)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "to"] + [("to", address)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def unset_references(references: dict[str, list[str]], settings: Settings) -> dict[str, list[str]]:
    """Of ``{reference: [person ids]}``, the ``env:`` ones set neither in the tenant's notify
    block nor in this environment."""
    missing = {}
    for reference, people in references.items():
        match = REFERENCE.match(reference)
        if match and match.group(1) == "env" and not lookup(match.group(2), settings):
            missing[reference] = people
    return missing


def _secret(reference: str, name: str) -> str:
    try:
        value = load_secret(name)
    except MissingSecret as exc:
        raise ChannelError(f"{reference}: no Prefect Secret block named '{name}' ({exc}); create it in the "
                           f"Prefect UI (Blocks → Secret) or with Secret(value=URL).save('{name}')") from None
    if not isinstance(value, str) or not value.strip():
        raise ChannelError(f"{reference}: the Prefect Secret block '{name}' holds no apprise URL")
    return value.strip()


def maildir_path(meta: dict[str, Any]) -> Path:
    """apprise reads ``maildir:///a/b`` as host 'a', path '/b'; ``maildir://localhost/a/b`` keeps it whole."""
    host, path = meta.get("host") or "", meta.get("fullpath") or ""
    return Path(path if host in ("", "localhost") else f"/{host}{path}")


@notify(on="maildir", name="Local maildir (ctcflow)")  # type: ignore[untyped-decorator,no-untyped-call]
def _deliver_to_maildir(body: str, title: str, notify_type: str, meta: dict[str, Any],
                        *args: Any, **kwargs: Any) -> bool:
    """Write the message as a mail into a Maildir: the demo's and a test server's local outbox."""
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = meta.get("qsd", {}).get("from", "ctcflow@localhost")
    message["To"] = meta.get("qsd", {}).get("to", "recipient@localhost")
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("ctcflow")
    message.set_content(body)
    for attachment in kwargs.get("attach") or []:
        maintype, _, subtype = (attachment.mimetype or "application/octet-stream").partition("/")
        with open(attachment.path, "rb") as handle:
            message.add_attachment(handle.read(), maintype=maintype, subtype=subtype, filename=attachment.name)
    folder = maildir_path(meta)
    for sub in ("cur", "new", "tmp"):  # senders on several threads may create it at once
        (folder / sub).mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(folder, create=False).add(message)
    return True
