# The API's client fixture, for the tokens' tests that use a token.
from ..api.conftest import api  # noqa: F401
