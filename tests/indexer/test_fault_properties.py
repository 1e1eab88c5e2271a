"""RPC faults as a property: through any mix of dropped connections, delays, timeouts, 429s,
5xx pages, JSON-RPC errors, bodies cut short and eth_getLogs range refusals, at any rate up to
one request in two, the backfill writes exactly the rows it writes over a clean connection."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.indexer.compare import assert_mirrors_chain, table_rows
from tests.indexer.faulty_proxy import FAULTS, FaultyProxy
from tests.support.indexing import running_indexer
from tests.support.profiles import examples
from tests.support.protocol import Planet, full_activity


@pytest.mark.slow
def test_any_mix_of_rpc_faults_leaves_the_rows_of_a_clean_run(
    planet_with_token: Planet, backend, new_database, settings_for, manifest, rpc_url
):
    planet = planet_with_token
    full_activity(planet)
    with running_indexer(settings_for(new_database(backend, migrated=True)), manifest) as (
        indexer,
        engine,
    ):
        indexer.catch_up()
        assert_mirrors_chain(engine, planet)
        reference = table_rows(engine)
    seen: set[str] = set()

    @settings(max_examples=examples(6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        seed=st.integers(0, 2**32),
        rate=st.floats(0.05, 0.5),
        kinds=st.sets(st.sampled_from(FAULTS), min_size=1),
        range_limit=st.none() | st.integers(1, 64),
        span=st.integers(1, 128),
    )
    def exact(seed: int, rate: float, kinds: set[str], range_limit: int | None, span: int) -> None:
        weights = {kind: 1.0 for kind in kinds}
        proxy = FaultyProxy(
            rpc_url,
            fault_rate=rate,
            seed=seed,
            weights=weights,
            range_limit=range_limit,
            timeout_delay=0.3,
        )
        with proxy:
            run: dict[str, Any] = {
                "rpc_url": proxy.url,
                "range_initial": span,
                "range_max": max(span, 128),
                "request_timeout": 0.25,
                "max_attempts": 60,
            }
            with running_indexer(
                settings_for(new_database(backend, migrated=True), **run), manifest
            ) as (
                indexer,
                engine,
            ):
                indexer.catch_up()
                assert table_rows(engine) == reference
        seen.update(kind for kind, count in proxy.faults.items() if count)

    exact()
    assert seen, "no fault was injected in any example"
