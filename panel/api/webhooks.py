"""Webhooks: endpoints (where the panel sends signed events), their secrets and their
delivery logs, with the pages' access rules (panel.webhooks.services): the panel's admins
and application tokens manage every endpoint, a customer's admins their own customer's
(any other is a 404), anyone else is refused (403). The services audit every change.

A secret is in two answers only: the new endpoint's and a rotation's. Neither is kept for
an Idempotency-Key's replay (409 instead), and reading an endpoint never shows it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from panel.core.events import EVENTS
from panel.core.ids import MAX_ID, parse_id
from panel.customers.models import Customer
from panel.webhooks import services
from panel.webhooks.forms import EndpointForm
from panel.webhooks.models import Delivery as DeliveryRow
from panel.webhooks.models import Endpoint

from . import serializers as s
from .base import TokenView, refusal
from .idempotency import idempotent
from .problems import NOT_FOUND, Problem, invalid

# --- answers ---------------------------------------------------------------------------------


def _events(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(
            choices=list(EVENTS),
            error_messages={
                "invalid_choice": gettext_lazy("“{input}” is not one of the panel's events.")
            },
        ),
        **kwargs,
    )


class Webhook(serializers.ModelSerializer):
    events = _events(help_text="The events it hears.")
    customer = serializers.IntegerField(
        source="customer_id",
        allow_null=True,
        help_text="The customer whose events it hears; null: every event of the panel.",
    )
    disabled_reason = serializers.CharField(help_text="Why it is turned off, in plain words.")
    previous_secret_until = serializers.DateTimeField(
        allow_null=True,
        help_text="After a rotation, the previous secret signs too until then.",
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "customer",
            "enabled",
            "disabled_reason",
            "previous_secret_until",
            "created_at",
        ]
        read_only_fields = fields


class WebhookWithSecret(Webhook):
    secret = serializers.CharField(
        help_text="The signing secret (whsec_…), for the receiver to check signatures with. "
        "Shown in this answer only."
    )

    class Meta(Webhook.Meta):
        fields = [*Webhook.Meta.fields, "secret"]
        read_only_fields = fields


class Delivery(serializers.ModelSerializer):
    event = serializers.CharField(source="event_type")
    message_id = serializers.CharField(help_text="The webhook-id header (the same on a resend).")
    status_code = serializers.IntegerField(
        allow_null=True, help_text="The receiver's HTTP status at the last attempt."
    )
    error = serializers.CharField(help_text="The last attempt's problem, in plain words.")
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = DeliveryRow
        fields = [
            "id",
            "event",
            "message_id",
            "status",
            "attempts",
            "status_code",
            "error",
            "next_attempt_at",
            "last_attempt_at",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class Sending(s.Message):
    delivery = Delivery(help_text="The new delivery; follow it in the endpoint's deliveries.")


# --- requests --------------------------------------------------------------------------------


class NewWebhook(serializers.Serializer):
    url = serializers.CharField(
        max_length=500,
        help_text="Where the panel sends a signed POST request for each event (http or https, "
        "on a public address).",
    )
    events = _events(
        min_length=1,
        error_messages={"min_length": gettext_lazy("Choose at least one event.")},
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    customer = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="Only this customer's events (its servers and people); left out or null: "
        "every event of the panel. A customer's admin always gets their own customer's.",
    )


class ChangeWebhook(serializers.Serializer):
    url = serializers.CharField(max_length=500, required=False)
    events = _events(
        required=False,
        min_length=1,
        error_messages={"min_length": gettext_lazy("Choose at least one event.")},
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False, help_text="When off, nothing is sent.")


# --- views -----------------------------------------------------------------------------------


class WebhookView(TokenView):
    def endpoints(self):
        """The endpoints this token manages (one query); 403 for anyone else."""
        try:
            return services.endpoints_of(self.actor)
        except PermissionDenied:
            raise Problem(
                403, _("Only the panel's admins and a customer's admins manage webhooks.")
            ) from None

    def endpoint(self, pk) -> Endpoint:
        number = parse_id(pk)
        found = self.endpoints().filter(pk=number).first() if number is not None else None
        if found is None:
            raise Problem(404, NOT_FOUND)
        return found

    def customer(self, number):
        """Whose events a new endpoint hears: what was asked, among the customers this
        token may name (a customer's admin: their own, also when nothing was asked)."""
        if services.for_the_panel(self.actor):
            if number is None:
                return None
            found = Customer.objects.filter(pk=number).first()
        else:
            own = self.actor.user.customer
            found = own if number in (None, own.pk) else None
        if found is None:
            raise invalid("customer", _("There is no such customer."))
        return found


def _checked(data: dict, *, editing: bool) -> dict:
    """The values as the page's form cleans them (the same refusals, in the same words)."""
    return s.checked_by(EndpointForm, data, choose_customer=False, editing=editing)


@extend_schema_view(
    get=extend_schema(summary="List webhook endpoints"),
)
class WebhookList(WebhookView, generics.ListAPIView):
    """The endpoints this token manages, by URL."""

    serializer_class = Webhook

    def get_queryset(self):
        return self.endpoints()

    @extend_schema(
        summary="Add a webhook endpoint",
        description="The answer holds the endpoint's signing secret, shown this once (a "
        "replay of its Idempotency-Key does not show it again; rotate it to get a new one).",
        request=NewWebhook,
        responses={201: WebhookWithSecret},
    )
    @idempotent
    def post(self, request):
        self.endpoints()  # 403 first for a token that manages none
        data = NewWebhook(data=request.data)
        data.is_valid(raise_exception=True)
        asked = data.validated_data
        customer = self.customer(asked.get("customer"))
        clean = _checked(
            {
                "url": asked["url"],
                "description": asked.get("description", ""),
                "events": asked["events"],
            },
            editing=False,
        )
        endpoint = services.create(actor=self.actor, customer=customer, **clean)
        location = reverse("api:webhook", kwargs={"id": endpoint.pk})
        response = Response(
            WebhookWithSecret(endpoint).data, status=201, headers={"Location": location}
        )
        response.secret = True  # never kept for a replay (idempotency)
        return response


class WebhookDetail(WebhookView):
    @extend_schema(summary="One webhook endpoint", responses=Webhook)
    def get(self, request, id):
        return Response(Webhook(self.endpoint(id)).data)

    @extend_schema(
        summary="Change a webhook endpoint",
        description="Only the fields sent change. Whose events it hears stays: another "
        "customer is another endpoint.",
        request=ChangeWebhook,
        responses=Webhook,
    )
    @idempotent
    def patch(self, request, id):
        endpoint = self.endpoint(id)
        data = ChangeWebhook(data=request.data)
        data.is_valid(raise_exception=True)
        current = {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "enabled": endpoint.enabled,
        }
        clean = _checked({**current, **data.validated_data}, editing=True)
        services.update(endpoint, actor=self.actor, **clean)
        return Response(Webhook(endpoint).data)

    @extend_schema(
        summary="Delete a webhook endpoint",
        description="Nothing more is sent to it, and its delivery log goes with it.",
        request=None,
        responses={204: None},
    )
    @idempotent
    def delete(self, request, id):
        services.delete(self.endpoint(id), actor=self.actor)
        return Response(status=204)


class RotateSecret(WebhookView):
    @extend_schema(
        summary="Give a webhook endpoint a new secret",
        description="The answer holds the new secret, shown this once. For 24 hours the "
        "previous secret signs too (two signatures), so the receiver can switch without "
        "losing a message.",
        request=None,
        responses=WebhookWithSecret,
    )
    @idempotent
    def post(self, request, id):
        endpoint = self.endpoint(id)
        services.rotate_secret(endpoint, actor=self.actor)
        response = Response(WebhookWithSecret(endpoint).data)
        response.secret = True  # never kept for a replay (idempotency)
        return response


def _sending(outcome) -> Response:
    if not outcome.ok:
        raise refusal(outcome)
    delivery = DeliveryRow.objects.get(pk=outcome.data["delivery"])
    return Response(Sending({"message": outcome.message, "delivery": delivery}).data, status=202)


class SendTest(WebhookView):
    @extend_schema(
        summary="Send a test event",
        description="A signed “webhook.test” message to this endpoint, whatever events it hears.",
        request=None,
        responses={202: Sending},
    )
    @idempotent
    def post(self, request, id):
        return _sending(services.send_test(self.endpoint(id), actor=self.actor))


@extend_schema_view(get=extend_schema(summary="A webhook endpoint's deliveries, newest first"))
class Deliveries(WebhookView, generics.ListAPIView):
    """Each message to this endpoint and how its attempts went (kept for 30 days)."""

    serializer_class = Delivery

    def get_queryset(self):
        return self.endpoint(self.kwargs["id"]).deliveries.all()


class Resend(WebhookView):
    @extend_schema(
        summary="Send a delivery's message again",
        description="The same message (the same webhook-id and body) as a new delivery, once "
        "the first one has been delivered or has failed.",
        request=None,
        responses={202: Sending},
    )
    @idempotent
    def post(self, request, id, delivery_id):
        endpoint = self.endpoint(id)
        number = parse_id(delivery_id)
        deliveries = endpoint.deliveries.select_related("endpoint")
        delivery = deliveries.filter(pk=number).first() if number is not None else None
        if delivery is None:
            raise Problem(404, NOT_FOUND)
        return _sending(services.resend(delivery, actor=self.actor))
