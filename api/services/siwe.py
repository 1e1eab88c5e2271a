"""EIP-4361 (Sign-In with Ethereum) messages: parse the text a wallet signed, and recover who
signed it. Checks against server state (domain, chain, nonce, time) live in
:mod:`api.services.auth`.

The grammar is the EIP's, line by line::

    [scheme://]<RFC 3986 authority> wants you to sign in with your Ethereum account:
    <EIP-55 address>
    <empty line>
    [<statement>
    <empty line>]            (without a statement: two empty lines)
    URI: <RFC 3986 URI>
    Version: 1
    Chain ID: <decimal>
    Nonce: <at least 8 alphanumerics>
    Issued At: <RFC 3339>
    [Expiration Time: <RFC 3339>]
    [Not Before: <RFC 3339>]
    [Request ID: <RFC 3986 pchars>]
    [Resources:
    - <RFC 3986 URI>
    ...]

Fields must appear in this order and nothing else may follow.

Who may sign (:func:`check_signature`): the address's key (EIP-191 ``personal_sign``, checked
here without the chain), or, for a contract wallet, its contract: ERC-1271 when deployed,
ERC-6492 when not yet (asked of the chain, :mod:`api.services.wallet_signatures`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from eth_account import Account
from eth_account.messages import defunct_hash_message, encode_defunct
from eth_utils import is_checksum_address

from api.errors import ApiError, ErrorCode
from api.services import wallet_signatures

_HEADER = " wants you to sign in with your Ethereum account:"
_SIGNATURE = re.compile(r"0x[0-9A-Fa-f]{130}")
_HEX = re.compile(r"0x(?:[0-9A-Fa-f]{2})+")
MAX_SIGNATURE_BYTES = 4096
"""Longest signature taken: a multisig's owners' signatures, or an ERC-6492 wrapper holding a
factory's calldata, fit with room to spare."""
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_OPTIONAL = ("Expiration Time", "Not Before", "Request ID")

# RFC 3986 (appendix A), the pieces EIP-4361's ABNF names: its `domain` is an `authority`,
# `uri` and each resource a `URI`, `request-id` is `*pchar`, `statement` is
# `*( reserved / unreserved / " " )`. ASCII only: anything else must be percent-encoded.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SCHEME = r"[A-Za-z][A-Za-z0-9+\-.]*"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IP_LITERAL = r"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[" + _UNRESERVED + _SUB_DELIMS + r":]+)\]"
_REG_NAME = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"  # an IPv4 address is one too
_AUTHORITY = rf"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
# The sign-in domain must name a host: RFC 3986 allows an empty one, which names nothing.
_DOMAIN = (
    rf"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})+)(?::[0-9]*)?"
)
_SEGMENT = rf"{_PCHAR}*"
_PATH_ABEMPTY = rf"(?:/{_SEGMENT})*"
_PATH_ABSOLUTE = rf"/(?:{_PCHAR}+{_PATH_ABEMPTY})?"
_PATH_ROOTLESS = rf"{_PCHAR}+{_PATH_ABEMPTY}"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
URI = re.compile(
    rf"(?P<scheme>{_SCHEME}):(?://(?P<authority>{_AUTHORITY}){_PATH_ABEMPTY}"
    rf"|{_PATH_ABSOLUTE}|{_PATH_ROOTLESS}|)(?:\?{_QUERY})?(?:#{_QUERY})?"
)
_FIRST_LINE = re.compile(rf"(?:(?P<scheme>{_SCHEME})://)?(?P<domain>{_DOMAIN}){re.escape(_HEADER)}")
_STATEMENT = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;= ]+")
_REQUEST_ID = re.compile(f"{_PCHAR}*")
_ADDRESS = re.compile(r"0x[0-9A-Fa-f]{40}")
_CHAIN_ID = re.compile(r"[0-9]{1,78}")  # EIP-155 ids fit in 256 bits
_NONCE = re.compile(r"[A-Za-z0-9]{8,}")
# RFC 3339 section 5.6 `date-time`: T and Z in either case, any number of fraction digits,
# an offset of hours and minutes; nothing else ISO 8601 allows (no space, no missing zone).
_DATE_TIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})[Tt]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<off_hour>[0-9]{2}):(?P<off_minute>[0-9]{2}))"
)


class InvalidMessage(ApiError):
    """The text is not an EIP-4361 message; ``message`` names the first bad line."""

    status, code = 422, ErrorCode.INVALID_MESSAGE


class InvalidSignature(ApiError):
    """The signature is malformed or non-canonical; ``message`` names the rule."""

    status, code = 401, ErrorCode.INVALID_SIGNATURE


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


def parse_time(name: str, value: str) -> datetime:
    """An RFC 3339 ``date-time`` (a leap second is the next second's start);
    :class:`InvalidMessage` for anything else."""
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise InvalidMessage(
            f"{name} is not an RFC 3339 date-time like 2026-01-24T12:00:00Z: {value!r}"
        )
    part = {k: int(v) for k, v in match.groupdict().items() if v and k not in ("utc", "sign")}
    leap = part["second"] == 60
    try:
        if part["hour"] > 23 or part["minute"] > 59 or part["second"] > 60:
            raise ValueError("hour, minute or second out of range")
        if part.get("off_hour", 0) > 23 or part.get("off_minute", 0) > 59:
            raise ValueError("offset out of range")
        offset = timedelta(hours=part.get("off_hour", 0), minutes=part.get("off_minute", 0))
        zone = timezone(-offset if match["sign"] == "-" else offset) if not match["utc"] else UTC
        fraction = (match["fraction"] or "0")[:6].ljust(6, "0")  # microseconds, truncated
        moment = datetime(
            part["year"],
            part["month"],
            part["day"],
            part["hour"],
            part["minute"],
            59 if leap else part["second"],
            0 if leap else int(fraction),
            tzinfo=zone,
        )
    except ValueError as err:
        raise InvalidMessage(f"{name} is not a real date and time: {value!r} ({err})") from None
    return moment + timedelta(seconds=1) if leap else moment


def _tag(lines: list[str], i: int, name: str) -> str:
    prefix = f"{name}: "
    if i >= len(lines) or not lines[i].startswith(prefix):
        raise InvalidMessage(f"line {i + 1} should start with {prefix!r}")
    return lines[i][len(prefix) :]


def _uri(name: str, value: str) -> str:
    if URI.fullmatch(value) is None:
        raise InvalidMessage(f"{name} is not an RFC 3986 URI: {value!r}")
    return value


def parse(text: str) -> SiweMessage:
    """The fields of an EIP-4361 message; :class:`InvalidMessage` if it does not follow the
    ABNF of the EIP (with RFC 3986 and RFC 3339 for the terms it borrows) exactly."""
    lines = text.split("\n")
    first = _FIRST_LINE.fullmatch(lines[0])
    if first is None:
        raise InvalidMessage(
            "line 1 must be '[scheme://]<RFC 3986 authority> wants you to sign in with your "
            "Ethereum account:'"
        )
    if len(lines) < 9:
        raise InvalidMessage("the message is missing lines (URI, Version, Chain ID, Nonce...)")
    address = lines[1]
    if not _ADDRESS.fullmatch(address) or not is_checksum_address(address):
        raise InvalidMessage("line 2 must be an EIP-55 checksummed address")
    if lines[2] != "":
        raise InvalidMessage("line 3 must be empty")
    statement: str | None = None
    if lines[3] == "":
        i = 4
    else:
        statement = lines[3]
        if not _STATEMENT.fullmatch(statement):
            raise InvalidMessage(
                "the statement may hold only RFC 3986 reserved and unreserved characters and "
                "spaces (ASCII, no line break)"
            )
        if lines[4] != "":
            raise InvalidMessage("the statement must be one line followed by an empty line")
        i = 5
    uri = _uri("URI", _tag(lines, i, "URI"))
    version = _tag(lines, i + 1, "Version")
    if version != "1":
        raise InvalidMessage(f"unsupported version {version!r}")
    chain = _tag(lines, i + 2, "Chain ID")
    if not _CHAIN_ID.fullmatch(chain):
        raise InvalidMessage(f"Chain ID must be a decimal number, got {chain!r}")
    nonce = _tag(lines, i + 3, "Nonce")
    if not _NONCE.fullmatch(nonce):
        raise InvalidMessage("Nonce must be at least 8 ASCII letters or digits")
    issued_at = parse_time("Issued At", _tag(lines, i + 4, "Issued At"))
    i += 5
    optional: dict[str, str] = {}
    for name in _OPTIONAL:
        if i < len(lines) and lines[i].startswith(f"{name}: "):
            optional[name] = _tag(lines, i, name)
            i += 1
    request_id = optional.get("Request ID")
    if request_id is not None and not _REQUEST_ID.fullmatch(request_id):
        raise InvalidMessage("Request ID may hold only RFC 3986 path characters (pchar)")
    resources: list[str] = []
    if i < len(lines) and lines[i] == "Resources:":
        i += 1
        while i < len(lines) and lines[i].startswith("- "):
            resources.append(_uri(f"resource {len(resources) + 1}", lines[i][2:]))
            i += 1
    if i != len(lines):
        raise InvalidMessage(f"unexpected text on line {i + 1}")
    expiration = optional.get("Expiration Time")
    not_before = optional.get("Not Before")
    return SiweMessage(
        domain=first["domain"],
        scheme=first["scheme"],
        address=address,
        statement=statement,
        uri=uri,
        version=version,
        chain_id=int(chain),
        nonce=nonce,
        issued_at=issued_at,
        expiration_time=None if expiration is None else parse_time("Expiration Time", expiration),
        not_before=None if not_before is None else parse_time("Not Before", not_before),
        request_id=request_id,
        resources=tuple(resources),
    )


def recover_signer(text: str, signature: str) -> str:
    """The address whose key made ``signature`` (EIP-191 personal_sign over ``text``).

    Strict: 65 bytes as 0x-hex, ``v`` of 27 or 28 (0 or 1 as some hardware wallets send),
    ``r`` and ``s`` in range and ``s`` in the lower half of the curve order (EIP-2). A high-s
    signature is the same signature mirrored, made by no wallet: accepting it would let
    anyone turn one valid signature into a second, different one.
    :class:`InvalidSignature` says which rule failed."""
    if not _SIGNATURE.fullmatch(signature):
        raise InvalidSignature("the signature must be 65 bytes as 0x-prefixed hex (r, s, v)")
    raw = bytes.fromhex(signature[2:])
    r, s, v = int.from_bytes(raw[:32]), int.from_bytes(raw[32:64]), raw[64]
    if v not in (0, 1, 27, 28):
        raise InvalidSignature(f"the signature's v must be 27 or 28, got {v}")
    if not 0 < r < SECP256K1_N or not 0 < s < SECP256K1_N:
        raise InvalidSignature("the signature's r or s is out of range")
    if s > SECP256K1_N // 2:
        raise InvalidSignature("high-s signature (EIP-2): sign again with a standard wallet")
    try:
        return Account.recover_message(encode_defunct(text=text), signature=raw)
    except Exception:  # eth-account raises several unrelated types for unrecoverable input
        raise InvalidSignature("no public key recovers from this signature") from None


def check_signature(text: str, signature: str, address: str, rpc_url: str) -> None:
    """Passes when ``address`` signed ``text``: its key made ``signature`` (checked as strictly
    as :func:`recover_signer`, and without the chain), or its contract wallet accepts it
    (ERC-1271, or ERC-6492 for a wallet not deployed yet, asked of the chain at ``rpc_url``).
    Otherwise :class:`InvalidSignature` (401) saying why; when the chain could not be asked,
    the reason says so, since a contract wallet's signature cannot be judged without it."""
    if _HEX.fullmatch(signature) is None:
        raise InvalidSignature("the signature must be 0x-prefixed hex, a whole number of bytes")
    raw = bytes.fromhex(signature[2:])
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise InvalidSignature(f"the signature is over {MAX_SIGNATURE_BYTES} bytes")
    reason = "signature was not made by the address in the message, nor accepted by its contract"
    if len(raw) == 65 and not wallet_signatures.is_wrapped(raw):
        try:
            if recover_signer(text, signature) == address:
                return
        except InvalidSignature as err:
            reason = err.message
    try:
        if wallet_signatures.contract_signed(
            rpc_url, address, defunct_hash_message(text=text), raw
        ):
            return
    except wallet_signatures.ChainUnreachable:
        raise InvalidSignature(
            f"{reason}; if {address} is a contract wallet, the chain could not be asked "
            "whether it accepts the signature: try again later"
        ) from None
    raise InvalidSignature(reason)


def sign_in_message(
    origin: str, address: str, chain_id: int, nonce: str, issued_at: datetime
) -> str:
    """The message a Planet client signs to sign in at ``origin`` (``scheme://host[:port]``):
    the domain is the origin's host, the URI the origin's root, as the server checks them."""
    scheme, _, domain = origin.partition("://")
    return compose(
        SiweMessage(
            domain=domain,
            address=address,
            statement="Sign in to Planet.",
            uri=f"{scheme}://{domain}/",
            version="1",
            chain_id=chain_id,
            nonce=nonce,
            issued_at=issued_at,
        )
    )


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
