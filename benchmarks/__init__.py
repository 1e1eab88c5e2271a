"""Benchmarks: scripts that print measured figures (gas, throughput); never assertions in tests."""
