"""The site's top floor: home, the status page, /healthz, the brand's stylesheet, the error
pages, the context processor and the management commands. It may import every other app
(they are what it shows and seeds); no app imports it, so panel.core stays the ground floor."""

from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "panel.site"
    label = "site"
    verbose_name = "Panel site"
