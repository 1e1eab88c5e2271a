"""Planet's FastAPI service: joins the mirrored chain with off-chain content and trading
(built by the API issue)."""
