"""The exchange the app trades on, chosen by ``PLANET_API_EXCHANGE``."""

from __future__ import annotations

from api.exchanges.base import Exchange
from api.exchanges.okx import OkxExchange
from api.exchanges.paper import PaperExchange
from api.settings import ApiSettings


def exchange_from_settings(settings: ApiSettings) -> Exchange:
    if settings.exchange == "okx":
        key, secret, passphrase = settings.okx_credentials
        return OkxExchange(
            key, secret, passphrase, settings.okx_domain, settings.okx_demo, settings.okx_timeout
        )
    return PaperExchange(settings.paper_prices)
