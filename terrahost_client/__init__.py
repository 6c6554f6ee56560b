"""A typed client for Terrahost API v3, and a stateful sandbox of that API for tests.

from terrahost_client import Client
client = Client("user", "password")
for server in client.servers.list():
    print(server.display_name, server.status)
"""

__version__ = "0.1.0"

from ._secrets import redact
from .client import DEFAULT_BASE_URL, Client

__all__ = ["DEFAULT_BASE_URL", "Client", "__version__", "redact"]
