import pytest

from panel.branding import services
from panel.branding.models import Brand, BrandHost

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def any_host(settings):
    settings.ALLOWED_HOSTS = ["*"]


@pytest.fixture
def acme(db):
    """A second brand, bound to panel.acme.test, with a logo."""
    brand = Brand.objects.create(
        name="Acme Cloud",
        primary_color="#0f766e",
        logo=PNG,
        logo_type="image/png",
        support_email="help@acme.test",
        support_url="https://acme.test/help",
        footer_text="Acme Cloud AS, Bergen",
    )
    BrandHost.objects.create(brand=brand, host="panel.acme.test")
    services.changed()
    return brand
