"""EIP-4361 (Sign-In with Ethereum) messages: parse the text a wallet signed, and recover who
signed it. Checks against server state (domain, chain, nonce, time) live in
:mod:`api.services.auth`.

The grammar is the EIP's, line by line::

    [scheme://]<domain> wants you to sign in with your Ethereum account:
    <EIP-55 address>
    <empty line>
    [<statement>
    <empty line>]            (without a statement: two empty lines)
    URI: <uri>
    Version: 1
    Chain ID: <decimal>
    Nonce: <at least 8 alphanumerics>
    Issued At: <RFC 3339>
    [Expiration Time: <RFC 3339>]
    [Not Before: <RFC 3339>]
    [Request ID: <text>]
    [Resources:
    - <uri>
    ...]

Fields must appear in this order and nothing else may follow. Only EOA signatures (EIP-191
``personal_sign``) are verified; contract wallets (ERC-1271) are not supported yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import is_checksum_address

from api.errors import ApiError, ErrorCode

_HEADER = " wants you to sign in with your Ethereum account:"
_NONCE = re.compile(r"^[A-Za-z0-9]{8,}$")
_OPTIONAL = ("Expiration Time", "Not Before", "Request ID")


class InvalidMessage(ApiError):
    """The text is not an EIP-4361 message; ``message`` names the first bad line."""

    status, code = 422, ErrorCode.INVALID_MESSAGE


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    statement: str | None = None
    scheme: str | None = None
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = field(default_factory=tuple)


def _time(name: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidMessage(f"{name} is not an RFC 3339 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise InvalidMessage(f"{name} must carry a time zone (e.g. Z): {value!r}")
    return parsed


def _tag(lines: list[str], i: int, name: str) -> str:
    prefix = f"{name}: "
    if i >= len(lines) or not lines[i].startswith(prefix):
        raise InvalidMessage(f"line {i + 1} should start with {prefix!r}")
    return lines[i][len(prefix) :]


def parse(text: str) -> SiweMessage:
    """The fields of an EIP-4361 message; :class:`InvalidMessage` if it does not follow the
    grammar above."""
    lines = text.split("\n")
    if len(lines) < 8 or not lines[0].endswith(_HEADER):
        raise InvalidMessage("line 1 must be '<domain> wants you to sign in with ...'")
    authority = lines[0][: -len(_HEADER)]
    scheme, _, domain = authority.rpartition("://")
    if not domain or " " in domain:
        raise InvalidMessage(f"bad domain {authority!r}")
    address = lines[1]
    if not is_checksum_address(address):
        raise InvalidMessage("line 2 must be an EIP-55 checksummed address")
    if lines[2] != "":
        raise InvalidMessage("line 3 must be empty")
    statement: str | None = None
    if lines[3] == "":
        i = 4
    else:
        statement = lines[3]
        if len(lines) < 5 or lines[4] != "":
            raise InvalidMessage("the statement must be one line followed by an empty line")
        i = 5
    uri = _tag(lines, i, "URI")
    version = _tag(lines, i + 1, "Version")
    if version != "1":
        raise InvalidMessage(f"unsupported version {version!r}")
    chain = _tag(lines, i + 2, "Chain ID")
    if not chain.isdigit():
        raise InvalidMessage(f"Chain ID must be a decimal number, got {chain!r}")
    nonce = _tag(lines, i + 3, "Nonce")
    if not _NONCE.match(nonce):
        raise InvalidMessage("Nonce must be at least 8 letters or digits")
    issued_at = _time("Issued At", _tag(lines, i + 4, "Issued At"))
    i += 5
    optional: dict[str, str] = {}
    for name in _OPTIONAL:
        if i < len(lines) and lines[i].startswith(f"{name}: "):
            optional[name] = _tag(lines, i, name)
            i += 1
    resources: list[str] = []
    if i < len(lines) and lines[i] == "Resources:":
        i += 1
        while i < len(lines) and lines[i].startswith("- "):
            resources.append(lines[i][2:])
            i += 1
    if i != len(lines):
        raise InvalidMessage(f"unexpected text on line {i + 1}")
    return SiweMessage(
        domain=domain,
        scheme=scheme or None,
        address=address,
        statement=statement,
        uri=uri,
        version=version,
        chain_id=int(chain),
        nonce=nonce,
        issued_at=issued_at,
        expiration_time=(
            _time("Expiration Time", optional["Expiration Time"])
            if "Expiration Time" in optional
            else None
        ),
        not_before=(
            _time("Not Before", optional["Not Before"]) if "Not Before" in optional else None
        ),
        request_id=optional.get("Request ID"),
        resources=tuple(resources),
    )


def recover_signer(text: str, signature: str) -> str | None:
    """The address whose key made ``signature`` (EIP-191 personal_sign over ``text``), or None
    when the signature does not parse."""
    try:
        return Account.recover_message(encode_defunct(text=text), signature=signature)
    except Exception:  # eth-account raises several unrelated types for malformed input
        return None


def compose(message: SiweMessage) -> str:
    """The text of ``message``, as a wallet would show it (used by clients and tests)."""
    authority = f"{message.scheme}://{message.domain}" if message.scheme else message.domain
    lines = [authority + _HEADER, message.address, ""]
    if message.statement is not None:
        lines += [message.statement, ""]
    else:
        lines.append("")
    lines += [
        f"URI: {message.uri}",
        f"Version: {message.version}",
        f"Chain ID: {message.chain_id}",
        f"Nonce: {message.nonce}",
        f"Issued At: {_rfc3339(message.issued_at)}",
    ]
    if message.expiration_time is not None:
        lines.append(f"Expiration Time: {_rfc3339(message.expiration_time)}")
    if message.not_before is not None:
        lines.append(f"Not Before: {_rfc3339(message.not_before)}")
    if message.request_id is not None:
        lines.append(f"Request ID: {message.request_id}")
    if message.resources:
        lines.append("Resources:")
        lines += [f"- {r}" for r in message.resources]
    return "\n".join(lines)


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
