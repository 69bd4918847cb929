import pytest

from tests.support.shapes import generated_schema


@pytest.fixture(scope="session")
def schema():
    """The schema the code draws, generated once for the request-shape tests."""
    return generated_schema()
