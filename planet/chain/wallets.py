"""Wallets that sign Planet's transactions and sign-in messages: a hex key file, an encrypted
keystore (eth-account JSON, as ``geth`` and ``cast wallet`` write them), an ape account, or a key
in the ``PLANET_PRIVATE_KEY`` environment variable (for scripts and CI, where a file is awkward).

Ape is imported only for ``--account``: it is slow to import and a key file or keystore needs
nothing from it. Ape asks for the account's passphrase itself (or reads
``APE_ACCOUNTS_<alias>_PASSPHRASE``), exactly as ``ape`` commands do.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import click
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from planet.core.errors import PlanetError


class WalletError(PlanetError):
    """A wallet that cannot be opened: missing file, bad key, wrong password, unknown alias."""


class Wallet(Protocol):
    address: str

    def sign(self, tx: Mapping[str, Any]) -> bytes:
        """The signed raw transaction, ready for eth_sendRawTransaction."""
        ...

    def sign_message(self, text: str) -> bytes:
        """An EIP-191 personal signature of ``text`` (what Sign-In with Ethereum asks for)."""
        ...


ENV_KEY = "PLANET_PRIVATE_KEY"


class KeyWallet:
    def __init__(self, account: LocalAccount) -> None:
        self.account = account
        self.address: str = account.address

    def sign(self, tx: Mapping[str, Any]) -> bytes:
        return bytes(self.account.sign_transaction(dict(tx)).raw_transaction)

    def sign_message(self, text: str) -> bytes:
        return bytes(self.account.sign_message(encode_defunct(text=text)).signature)


class ApeWallet:
    def __init__(self, alias: str) -> None:
        try:
            from ape import accounts
            from ape.exceptions import ApeException
        except ImportError as err:  # pragma: no cover - ape is a dependency
            raise WalletError(f"ape is not installed: {err}") from None
        try:
            self.account = accounts.load(alias)
        except (ApeException, IndexError, KeyError) as err:
            raise WalletError(f"no ape account {alias!r}: {err}") from None
        self.address = str(self.account.address)
        self.alias = alias
        self._unlocked = False

    def stay_unlocked(self) -> None:
        """Asks the passphrase once for several transactions (a deploy sends four); the
        account stays unlocked until this process ends."""
        from ape.exceptions import ApeException

        try:
            self.account.set_autosign(True)
        except ApeException as err:
            raise WalletError(f"ape account {self.alias!r} cannot sign: {err}") from None
        self._unlocked = True

    def sign(self, tx: Mapping[str, Any]) -> bytes:
        from ape import networks
        from ape.exceptions import ApeException

        # a contract creation has an empty ``to``, which ape would read as the zero address
        fields = {k: v for k, v in tx.items() if k != "from" and not (k == "to" and not v)}
        txn = networks.ethereum.create_transaction(**fields)
        try:
            # The user confirmed the claim already; autosign for this one transaction so ape
            # asks only for the passphrase, not a second yes.
            if not self._unlocked:
                self.account.set_autosign(True)
            signed = self.account.sign_transaction(txn)
        except ApeException as err:
            raise WalletError(f"ape account {self.alias!r} cannot sign: {err}") from None
        finally:
            if not self._unlocked:
                self.account.set_autosign(False)
        if signed is None:
            raise WalletError(f"ape account {self.alias!r} did not sign")
        return bytes(signed.serialize_transaction())

    def sign_message(self, text: str) -> bytes:
        from ape.exceptions import ApeException

        try:
            self.account.set_autosign(True)
            signature = self.account.sign_message(encode_defunct(text=text))
        except ApeException as err:
            raise WalletError(f"ape account {self.alias!r} cannot sign: {err}") from None
        finally:
            self.account.set_autosign(False)
        if signature is None:
            raise WalletError(f"ape account {self.alias!r} did not sign")
        return bytes(signature.encode_rsv())


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        raise WalletError(f"no such {what}: {path}") from None
    except OSError as err:
        raise WalletError(f"cannot read {what} {path}: {err.strerror or err}") from None


def from_key_file(path: Path) -> KeyWallet:
    text = _read(path, "key file").strip()
    try:
        return KeyWallet(Account.from_key(text))
    except (ValueError, TypeError):
        raise WalletError(f"{path} does not hold a hex private key") from None


def from_keystore(path: Path, password_file: Path | None) -> KeyWallet:
    try:
        keystore = json.loads(_read(path, "keystore"))
    except ValueError:
        raise WalletError(f"{path} is not a JSON keystore") from None
    if password_file is not None:
        password = _read(password_file, "password file").rstrip("\r\n")
    else:
        password = click.prompt(f"Password for {path.name}", hide_input=True, err=True)
    try:
        key = Account.decrypt(keystore, password)
    except ValueError:
        raise WalletError(f"cannot decrypt {path}: wrong password or not a keystore") from None
    except (KeyError, TypeError):
        raise WalletError(f"{path} is not an encrypted keystore") from None
    return KeyWallet(Account.from_key(key))


def from_env(value: str) -> KeyWallet:
    try:
        return KeyWallet(Account.from_key(value.strip()))
    except (ValueError, TypeError):
        raise WalletError(f"{ENV_KEY} does not hold a hex private key") from None


def open_wallet(
    key_file: Path | None,
    keystore: Path | None,
    account: str | None,
    password_file: Path | None,
    environ: Mapping[str, str] = os.environ,
) -> Wallet:
    """The one wallet the options name; ``PLANET_PRIVATE_KEY`` only when no option names one."""
    given = [o for o in (key_file, keystore, account) if o is not None]
    if not given and environ.get(ENV_KEY):
        if password_file is not None:
            raise WalletError("--password-file goes with --keystore")
        return from_env(environ[ENV_KEY])
    if len(given) != 1:
        raise WalletError(
            f"name exactly one wallet: --key-file, --keystore or --account (or set {ENV_KEY})"
        )
    if password_file is not None and keystore is None:
        raise WalletError("--password-file goes with --keystore")
    if key_file is not None:
        return from_key_file(key_file)
    if keystore is not None:
        return from_keystore(keystore, password_file)
    assert account is not None
    return ApeWallet(account)
