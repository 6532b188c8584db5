"""From a person's notification *reference* to an apprise URL, at the moment of sending.

areas.yml and the database hold only references — ``env:NAME`` (an environment variable) or
``secret:BLOCK`` (a Prefect Secret block) — so credentials live where operators keep secrets
and can be rotated without touching the data. Any apprise URL works: ``mailto://…`` (SMTP),
``msteams://…``/``workflows://…`` (Microsoft Teams), ``slack://…`` and the rest, plus
``maildir://localhost/ABSOLUTE/PATH`` (registered here) for a local mailbox without a server.
"""

from __future__ import annotations

import mailbox
import os
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from apprise.decorators import notify

from ctcflow.core.errors import CtcError
from ctcflow.definition.organisation import REFERENCE


class ChannelError(CtcError):
    """A reference that does not lead to a usable channel; the message says how to fix it."""


MAIL_SERVER = "CTC_MAIL_SERVER"


def resolve(reference: str) -> str:
    if reference.startswith("mail:"):
        return _own_address(reference.removeprefix("mail:"))
    match = REFERENCE.match(reference)
    if match is None:
        raise ChannelError(f"'{reference}' is not a reference; write env:VARIABLE or secret:BLOCK in areas.yml")
    source, name = match.groups()
    if source == "env":
        value = os.environ.get(name, "").strip()
        if not value:
            raise ChannelError(f"{reference}: the environment variable {name} is not set; set it to an apprise "
                               "URL such as mailto://smtp.example.org?from=ctc@example.org&to=name@example.org")
        return value
    return _secret(reference, name)


def _own_address(address: str) -> str:
    """A person added on the web is mailed at their own address through the organisation's mail
    server: the apprise mailto:// URL in CTC_MAIL_SERVER (its credentials stay in the
    environment), with the recipient set to them."""
    server = os.environ.get(MAIL_SERVER, "").strip()
    if not server.startswith(("mailto://", "mailtos://")):
        raise ChannelError(f"mail to {address}: set {MAIL_SERVER} to the mail server's apprise URL, e.g. "
                           "mailtos://smtp.example.org?from=ctc@example.org (with the account's user and "
                           "password when the server asks for them)")
    parts = urlsplit(server)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "to"] + [("to", address)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def unset_references(references: dict[str, list[str]]) -> dict[str, list[str]]:
    """Of ``{reference: [person ids]}``, the ``env:`` ones not set in this environment (Secret
    blocks are looked up only when sending: that needs the Prefect API)."""
    missing = {}
    for reference, people in references.items():
        match = REFERENCE.match(reference)
        if match and match.group(1) == "env" and not os.environ.get(match.group(2), "").strip():
            missing[reference] = people
    return missing


def _secret(reference: str, name: str) -> str:
    from prefect.blocks.system import Secret

    try:
        block: Any = Secret.load(name)  # synchronous here: no event loop is running
        value = block.get()
    except (ValueError, KeyError) as exc:
        raise ChannelError(f"{reference}: no Prefect Secret block named '{name}' ({exc}); create it in the "
                           f"Prefect UI (Blocks → Secret) or with Secret(value=URL).save('{name}')") from None
    if not isinstance(value, str) or not value.strip():
        raise ChannelError(f"{reference}: the Prefect Secret block '{name}' holds no apprise URL")
    return value.strip()


def maildir_path(meta: dict[str, Any]) -> Path:
    """apprise reads ``maildir:///a/b`` as host 'a', path '/b'; ``maildir://localhost/a/b`` keeps it whole."""
    host, path = meta.get("host") or "", meta.get("fullpath") or ""
    return Path(path if host in ("", "localhost") else f"/{host}{path}")


@notify(on="maildir", name="Local maildir (ctcflow)")
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
