"""Gas benchmarks: each module deploys what it measures on a local chain and returns
``{operation: gas used}`` from ``measure(project, accounts, chain)``; figures are read, never
asserted in tests."""
