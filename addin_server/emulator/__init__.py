"""Local stand-ins for Google's and Microsoft's services, speaking their wire protocols.

Used by the demo and the tests, never by production code paths. Imports nothing of the
service except `addin_server.config`.
"""
