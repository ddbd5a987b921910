"""Local stand-ins for Google's and Microsoft's services, speaking their wire protocols.

A package beside the product, used by the demo and emulator commands, the tests and bench/;
left out of the product's wheel. It imports nothing of addin_server: the product reaches it
over HTTP, and only the `demo` and `emulator` commands start it.
"""
