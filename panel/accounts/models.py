from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from panel.core import softcache


class User(AbstractUser):
    """A local user of the panel.

    Panel admins manage connections, users and grants, and see every server. Everyone
    else sees the servers their grants name. A user with a `customer` belongs to that
    client company of the reseller and never sees past it; one without is reseller staff,
    possibly limited to chosen customers (`managed_customers`).
    """

    class CustomerRole(models.TextChoices):
        ADMIN = "admin", _("Customer admin")
        MEMBER = "member", _("Member")

    is_panel_admin = models.BooleanField(
        _("panel admin"),
        default=False,
        help_text=_("Manages connections, users and grants, and sees every server."),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    customer_role = models.CharField(
        _("role in the customer"),
        max_length=10,
        choices=CustomerRole,
        default=CustomerRole.MEMBER,
    )

    # Reseller staff limited to chosen customers (account managers): they run those
    # customers' people, teams and servers as a customer admin would, and see no other
    # customer. Empty for everyone else (panel admins see every customer anyway).
    managed_customers = models.ManyToManyField(
        "customers.Customer",
        verbose_name=_("limited to customers"),
        blank=True,
        related_name="account_managers",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # "Anna" and "anna" are one person: usernames are unique regardless of case.
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def save(self, *args, **kwargs):
        if self.is_superuser:
            self.is_panel_admin = True
        if self.customer_id is not None:
            # A customer's people are never the reseller's admins.
            self.is_panel_admin = self.is_superuser = self.is_staff = False
        super().save(*args, **kwargs)


class LoginAttempt(models.Model):
    """Login throttling (panel.accounts.throttle): a failed attempt, kept for the throttle
    window, or the last successful login of a username from an address, kept as long as
    that address is trusted. Both username and address are keyed hashes."""

    username = models.CharField(max_length=64)
    address = models.CharField(max_length=64)
    failed = models.BooleanField(default=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "failed", "at"], name="loginattempt_user_idx"),
            models.Index(fields=["failed", "at"], name="loginattempt_prune_idx"),
        ]

    def __str__(self):
        return f"{'failed' if self.failed else 'successful'} login at {self.at:%Y-%m-%d %H:%M}"


class SecuritySettings(models.Model):
    """Switches for the whole panel, set by admins on the Security page: one row (pk 1),
    absent until the page is first saved."""

    require_two_factor = models.BooleanField(
        _("Require two-factor login for everyone"),
        default=False,
        help_text=_("Users without it must set it up before they can open any page."),
    )

    # Every request of a logged-in user asks (panel.accounts.middleware): the answer is
    # cached, and dropped when the row is saved.
    CACHE_KEY = "accounts:two-factor-required"

    def __str__(self):
        return "security settings"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        softcache.delete(self.CACHE_KEY)

    @classmethod
    def current(cls) -> "SecuritySettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def two_factor_required(cls) -> bool:
        required = softcache.get(cls.CACHE_KEY)
        if required is None:
            required = cls.objects.filter(pk=1, require_two_factor=True).exists()
            softcache.set(cls.CACHE_KEY, required, timeout=300)
        return required


class SignInLink(models.Model):
    """A one-time sign-in link (panel.accounts.sign_in_links): a billing system sends its
    customer into the panel with one click. Only the nonce's SHA-256 is kept; the link works
    once, for SIGN_IN_LINK_SECONDS."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # Where the link lands (its page), if it names a server.
    server = models.ForeignKey(
        "servers.MirroredServer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_by = models.CharField(max_length=200)  # the API token that asked for it, in words
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="signinlink_expires_idx")]

    def __str__(self) -> str:
        return f"sign-in link for {self.user_id} until {self.expires_at:%H:%M:%S}"
