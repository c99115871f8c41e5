"""The SDK's own fake environment: kuzzle_browser.transport.mock, under the tests' names.

The mock ships in the package (for users' unit tests too); the integration tests keep
importing it from here.
"""

from kuzzle_browser.transport.mock import MockKuzzle as FakeKuzzle
from kuzzle_browser.transport.mock import MockSocket as FakeSocket
from kuzzle_browser.transport.mock import MockTransport as FakeTransport

__all__ = ["FakeKuzzle", "FakeSocket", "FakeTransport"]
