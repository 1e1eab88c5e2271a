"""The ``planet`` command: every program and every role's actions under one click group."""
