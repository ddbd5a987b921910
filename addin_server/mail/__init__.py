"""Turning a raw inbound message into facts the rules can use."""
