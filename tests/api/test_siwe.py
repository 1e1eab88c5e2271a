"""The EIP-4361 text, strictly: vectors written from the EIP's ABNF (and the RFC 3986 and
RFC 3339 terms it borrows), one rule each, and a property that whatever the grammar allows
parses back to the fields it was composed from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from api.services import siwe
from tests.support.profiles import examples

ADDRESS = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"  # EIP-55 checksummed


def message(
    first: str = "service.org",
    statement: str | None = "I accept the ServiceOrg Terms of Service: https://service.org/tos",
    uri: str = "https://service.org/login",
    issued_at: str = "2021-09-30T16:25:24Z",
    tail: tuple[str, ...] = (),
    address: str = ADDRESS,
    chain: str = "1",
    nonce: str = "32891756",
) -> str:
    lines = [f"{first} wants you to sign in with your Ethereum account:", address, ""]
    lines += [statement, ""] if statement is not None else [""]
    lines += [
        f"URI: {uri}",
        "Version: 1",
        f"Chain ID: {chain}",
        f"Nonce: {nonce}",
        f"Issued At: {issued_at}",
        *tail,
    ]
    return "\n".join(lines)


POSITIVE = {
    "the EIP's example": (message(), {"domain": "service.org", "scheme": None}),
    "a scheme": (message("https://service.org"), {"scheme": "https", "domain": "service.org"}),
    "no statement": (message(statement=None), {"statement": None}),
    "an IPv4 host and port": (message("127.0.0.1:8080"), {"domain": "127.0.0.1:8080"}),
    "an IPv6 host": (message("[::1]:8000"), {"domain": "[::1]:8000"}),
    "userinfo": (message("test@127.0.0.1"), {"domain": "test@127.0.0.1"}),
    "fractional seconds": (
        message(issued_at="2021-09-30T16:25:24.123456789Z"),
        {"issued_at": datetime(2021, 9, 30, 16, 25, 24, 123456, tzinfo=UTC)},
    ),
    "lowercase t and z": (
        message(issued_at="2021-09-30t16:25:24z"),
        {"issued_at": datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC)},
    ),
    "an offset": (
        message(issued_at="2021-09-30T18:25:24+02:00"),
        {"issued_at": datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC)},
    ),
    "a leap second": (
        message(issued_at="2016-12-31T23:59:60Z"),
        {"issued_at": datetime(2017, 1, 1, tzinfo=UTC)},
    ),
    "every optional field": (
        message(
            tail=(
                "Expiration Time: 2021-10-30T16:25:24Z",
                "Not Before: 2021-09-30T16:25:24Z",
                "Request ID: some_id:1@x",
                "Resources:",
                "- ipfs://Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu",
                "- https://example.com/my-web2-claim.json?a=b#c",
            )
        ),
        {
            "request_id": "some_id:1@x",
            "resources": (
                "ipfs://Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu",
                "https://example.com/my-web2-claim.json?a=b#c",
            ),
        },
    ),
    "an empty Request ID": (message(tail=("Request ID: ",)), {"request_id": ""}),
    "a URN and a percent-encoded URI": (
        message(uri="urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"),
        {"uri": "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"},
    ),
    "a javascript: URI is still a URI (the server's origin check refuses it)": (
        message(uri="javascript://service.org/%0Aalert(1)"),
        {"uri": "javascript://service.org/%0Aalert(1)"},
    ),
}


@pytest.mark.parametrize("name", POSITIVE)
def test_messages_the_grammar_allows_parse(name: str) -> None:
    text, expected = POSITIVE[name]
    parsed = siwe.parse(text)
    for field, value in expected.items():
        assert getattr(parsed, field) == value, field
    assert parsed.address == ADDRESS and parsed.version == "1"


NEGATIVE = {
    "no domain": message(""),
    "a space in the domain": message("service .org"),
    "a path in the domain": message("service.org/login"),
    "a bad scheme": message("1http://service.org"),
    "a lowercase address (no EIP-55 checksum)": message(address=ADDRESS.lower()),
    "a short address": message(address=ADDRESS[:-2]),
    "a statement with a line break": message(statement="line one\nline two"),
    "a non-ASCII statement": message(statement="J'accepte les conditions générales"),
    "a statement with a quote": message(statement='say "hi"'),
    "a statement with a percent sign": message(statement="100% sure"),
    "a URI that is not RFC 3986": message(uri="_not_a_rfc3986_valid_uri_"),
    "a URI with a space": message(uri="https://service.org/a b"),
    "a URI with a bad percent escape": message(uri="https://service.org/%zz"),
    "a non-ASCII URI": message(uri="https://sérvice.org/"),
    "a relative URI": message(uri="/login"),
    "a chain id in other digits": message(chain="\u0661"),
    "a chain id too long for 256 bits": message(chain="9" * 79),
    "a short nonce": message(nonce="1234567"),
    "a non-ASCII nonce": message(nonce="12345678é"),
    "a time without a zone": message(issued_at="2021-09-30T16:25:24"),
    "a time with a space": message(issued_at="2021-09-30 16:25:24Z"),
    "a basic ISO 8601 time": message(issued_at="20210930T162524Z"),
    "a date only": message(issued_at="2021-09-30"),
    "a JavaScript date string": message(issued_at="Wed Oct 05 2011 16:48:00 GMT+0200 (CEST)"),
    "February 30th": message(issued_at="2021-02-30T16:25:24Z"),
    "hour 24": message(issued_at="2021-09-30T24:00:00Z"),
    "an offset without a colon": message(issued_at="2021-09-30T16:25:24+0200"),
    "an offset of 24 hours": message(issued_at="2021-09-30T16:25:24+24:00"),
    "a bad Expiration Time": message(tail=("Expiration Time: tomorrow",)),
    "a bad Not Before": message(tail=("Not Before: 2021-09-30T16:25:24",)),
    "a Request ID with a space": message(tail=("Request ID: some id",)),
    "a resource that is not a URI": message(tail=("Resources:", "- _not_a_uri_")),
    "resources on one line": message(tail=("Resources:", "- https://a.org - https://b.org")),
    "fields out of order": message(
        tail=("Not Before: 2021-09-30T16:25:24Z", "Expiration Time: 2021-10-30T16:25:24Z")
    ),
    "text after the last field": message(tail=("Hello",)),
    "an unknown field": message(tail=("Audience: me",)),
    "version 2": message().replace("Version: 1", "Version: 2"),
    "a missing URI": message().replace("URI: https://service.org/login\n", ""),
    "a missing nonce": message().replace("Nonce: 32891756\n", ""),
    "fields in the wrong case": message().replace("Chain ID:", "Chain Id:"),
    "a trailing line break": message() + "\n",
    "Windows line breaks": message().replace("\n", "\r\n"),
}


@pytest.mark.parametrize("name", NEGATIVE)
def test_messages_the_grammar_refuses_are_invalid(name: str) -> None:
    with pytest.raises(siwe.InvalidMessage):
        siwe.parse(NEGATIVE[name])


# ---------------------------------------------------------------- generated from the grammar

UNRESERVED = "abcXYZ019-._~"
SUB_DELIMS = "!$&'()*+,;="
hosts = st.one_of(
    st.text(UNRESERVED + SUB_DELIMS, min_size=1, max_size=20),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
)
authorities = st.tuples(
    st.one_of(st.none(), st.text(UNRESERVED + ":", max_size=8)),
    hosts,
    st.one_of(st.none(), st.integers(0, 65535)),
).map(lambda t: (f"{t[0]}@" if t[0] is not None else "") + t[1] + (f":{t[2]}" if t[2] else ""))
segments = st.text(UNRESERVED + SUB_DELIMS + ":@", max_size=10)
uris = st.tuples(
    st.sampled_from(["https", "http", "ipfs", "did", "urn", "a+b.c-d"]),
    authorities,
    st.lists(segments, max_size=3),
    st.one_of(st.none(), st.text(UNRESERVED + "/?=&", max_size=10)),
).map(lambda t: f"{t[0]}://{t[1]}/{'/'.join(t[2])}" + (f"?{t[3]}" if t[3] is not None else ""))
statements = st.one_of(
    st.none(), st.text(UNRESERVED + SUB_DELIMS + ":/?#[]@ ", min_size=1, max_size=60)
)
moments = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(9998, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)


@settings(max_examples=examples(300), deadline=None)
@given(
    domain=authorities,
    scheme=st.one_of(st.none(), st.sampled_from(["https", "http", "git+ssh"])),
    statement=statements,
    uri=uris,
    chain_id=st.integers(1, 2**256 - 1),
    nonce=st.text("abcdefXYZ0123456789", min_size=8, max_size=32),
    issued_at=moments,
    expiration=st.one_of(st.none(), moments),
    not_before=st.one_of(st.none(), moments),
    request_id=st.one_of(st.none(), segments),
    resources=st.lists(uris, max_size=3),
)
def test_what_the_grammar_allows_round_trips(
    domain, scheme, statement, uri, chain_id, nonce, issued_at, expiration, not_before,
    request_id, resources,
) -> None:  # fmt: skip
    composed = siwe.SiweMessage(
        domain=domain,
        scheme=scheme,
        address=Account.create().address,
        statement=statement,
        uri=uri,
        version="1",
        chain_id=chain_id,
        nonce=nonce,
        issued_at=issued_at,
        expiration_time=expiration,
        not_before=not_before,
        request_id=request_id,
        resources=tuple(resources),
    )
    assert siwe.parse(siwe.compose(composed)) == composed
