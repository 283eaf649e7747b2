"""Fault tests: real services started, stopped and killed on this machine."""
