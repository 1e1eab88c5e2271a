"""Benchmarks: scripts that measure and print one fixed line per figure.

This file must exist: the ``cchecksum`` dependency installs a stray top-level ``benchmarks``
package into site-packages, which would otherwise shadow this folder on import.
"""
