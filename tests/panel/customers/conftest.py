import pytest

from panel.customers.models import Customer


@pytest.fixture
def fjord(db):
    return Customer.objects.create(name="Fjord Bakery", external_ref="C-100")
