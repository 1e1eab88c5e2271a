"""Planet's indexer: mirrors contract events into SQLite or PostgreSQL (built by the indexer issue).

It will be the only writer of the mirrored chain tables; see DESIGN's data flow.
"""
