"""Async Timeline's Python tracer (standard library only). See ../PROTOCOL.md."""
