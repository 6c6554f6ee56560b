"""Customers, for billing systems (application tokens only: the scopes customers:read and
customers:write): look a customer up by the billing system's own id, create, change,
suspend, reactivate and terminate it, assign its servers, add its people and give them
access, and make one-time sign-in links (sso-links:write).

What changes goes through the customers' services, as on the pages, with the token as the
actor of every audit entry; a power-off on suspension goes through the command executor.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from panel.accounts import sign_in_links
from panel.accounts.models import User
from panel.audit.log import record
from panel.branding.models import Brand
from panel.core.ids import parse_id
from panel.customers import services
from panel.customers.models import Customer, default_ceiling
from panel.grants import services as grants
from panel.grants.models import Grant
from panel.grants.permissions import ALL_KEYS, PRESETS, normalize
from panel.servers.models import MirroredServer

from . import serializers as s
from .base import TokenView
from .idempotency import idempotent
from .problems import Problem

# --- what is read and answered ----------------------------------------------------------------

# The permission keys, one choice set in the document (SPECTACULAR_SETTINGS names it).
PERMISSION_KEYS = sorted(ALL_KEYS)


class CustomerSerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(
        source="external_ref",
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="The billing system's own id for this customer (unique in the panel).",
    )
    brand = serializers.PrimaryKeyRelatedField(
        queryset=Brand.objects.all(), required=False, allow_null=True
    )
    ceiling = serializers.ListField(
        child=serializers.ChoiceField(choices=PERMISSION_KEYS),
        required=False,
        help_text="The permission keys its people may ever hold (default: all but billable).",
    )
    servers = serializers.IntegerField(source="server_count", read_only=True)
    people = serializers.IntegerField(source="people_count", read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "external_id",
            "status",
            "brand",
            "contacts",
            "notes",
            "ceiling",
            "max_users",
            "servers",
            "people",
            "created_at",
        ]
        read_only_fields = ["id", "status", "servers", "people", "created_at"]

    def validate_name(self, name):
        name = name.strip()
        others = Customer.objects.filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("There is already a customer with this name."))
        return name

    def validate_external_id(self, value):
        value = value.strip()
        others = Customer.objects.filter(external_ref=value) if value else Customer.objects.none()
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(
                _("Another customer has this external id: look it up with ?external_id=.")
            )
        return value

    def validate_ceiling(self, keys):
        return normalize(keys)


class SuspendSerializer(serializers.Serializer):
    power_off = serializers.BooleanField(
        default=False, help_text="Also power off its servers (each through the command path)."
    )


class ServerIds(serializers.Serializer):
    servers = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )


class Person(serializers.ModelSerializer):
    role = serializers.ChoiceField(source="customer_role", choices=User.CustomerRole.choices)
    name = serializers.CharField(source="get_full_name", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "name", "role", "active"]
        read_only_fields = fields


class NewPerson(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    role = serializers.ChoiceField(choices=User.CustomerRole.choices, default="member")
    username = serializers.RegexField(
        r"^[\w.@+-]{1,150}$",
        required=False,
        help_text="Default: the e-mail address.",
    )
    invite = serializers.BooleanField(
        default=True,
        help_text="E-mail them a link to choose their password; false: they come in by "
        "sign-in links only.",
    )


class GrantSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    server = serializers.IntegerField(source="server_id")
    permissions = serializers.ListField(child=serializers.CharField(), source="keys")

    class Meta:
        model = Grant
        fields = ["id", "user", "server", "permissions", "expires_at"]
        read_only_fields = fields


class NewGrant(serializers.Serializer):
    user = serializers.IntegerField(min_value=1)
    server = serializers.IntegerField(min_value=1)
    preset = serializers.ChoiceField(choices=sorted(PRESETS), required=False)
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=PERMISSION_KEYS), required=False
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if ("preset" in data) == ("permissions" in data):
            raise serializers.ValidationError(_("Give either a preset or a list of permissions."))
        return data


class NewSignInLink(serializers.Serializer):
    user = serializers.IntegerField(min_value=1)
    server = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class SignInLink(serializers.Serializer):
    url = serializers.URLField(help_text="Send the person here within the minute; it works once.")
    expires_at = serializers.DateTimeField()


# --- the views --------------------------------------------------------------------------------


def _customers():
    return services.listing().select_related("brand").order_by(Lower("name"), "pk")


class CustomerView(TokenView):
    def customer(self, pk) -> Customer:
        number = parse_id(pk)
        row = _customers().filter(pk=number).first() if number is not None else None
        if row is None:
            raise Problem(404, _("There is no such customer."))
        return row

    def answer(self, customer, status=200) -> Response:
        return Response(CustomerSerializer(self.customer(customer.pk)).data, status=status)


@extend_schema_view(
    get=extend_schema(
        summary="List customers, or find one by the billing system's id",
        parameters=[
            OpenApiParameter(
                "external_id", str, description="The customer with this id of the billing system."
            ),
            OpenApiParameter("search", str, description="Part of the name."),
        ],
    )
)
class CustomerList(CustomerView, generics.ListAPIView):
    serializer_class = CustomerSerializer

    def get_queryset(self):
        customers = _customers()
        params = self.request.query_params
        if "external_id" in params:
            customers = customers.filter(external_ref=params["external_id"].strip() or None)
        if params.get("search"):
            customers = customers.filter(name__icontains=params["search"].strip()[:100])
        return customers

    @extend_schema(
        summary="Add a customer", request=CustomerSerializer, responses={201: CustomerSerializer}
    )
    @idempotent
    def post(self, request):
        data = CustomerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {"ceiling": default_ceiling(), **data.validated_data}
        try:
            with transaction.atomic():
                customer = services.create(Customer(**values), actor=self.actor)
        except IntegrityError:  # the same name or external id, added a moment ago
            raise Problem(
                409, _("A customer with this name or external id exists already."), kind="refused"
            ) from None
        response = self.answer(customer, 201)
        response["Location"] = reverse("api:customer", kwargs={"id": customer.pk})
        return response


class CustomerDetail(CustomerView):
    @extend_schema(summary="One customer", responses=CustomerSerializer)
    def get(self, request, id):
        return Response(CustomerSerializer(self.customer(id)).data)

    @extend_schema(
        summary="Change a customer", request=CustomerSerializer, responses=CustomerSerializer
    )
    @idempotent
    def patch(self, request, id):
        customer = self.customer(id)
        data = CustomerSerializer(customer, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for field, value in data.validated_data.items():
            setattr(customer, field, value)
        changed = sorted(data.validated_data)
        if changed:
            services.update(customer, changed, actor=self.actor)
        return self.answer(customer)

    @extend_schema(
        summary="Terminate a customer",
        description="For good: its people (with their access and teams) are removed, its "
        "servers go back to the reseller, and the customer is deleted.",
        responses={204: None},
    )
    @idempotent
    def delete(self, request, id):
        services.terminate(self.customer(id), actor=self.actor)
        return Response(status=204)


class Suspend(CustomerView):
    @extend_schema(
        summary="Suspend a customer", request=SuspendSerializer, responses=CustomerSerializer
    )
    @idempotent
    def post(self, request, id):
        customer = self.customer(id)
        data = SuspendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not customer.is_suspended:
            services.suspend(customer, actor=self.actor, power_off=data.validated_data["power_off"])
        return self.answer(customer)


class Reactivate(CustomerView):
    @extend_schema(summary="Reactivate a customer", request=None, responses=CustomerSerializer)
    @idempotent
    def post(self, request, id):
        customer = self.customer(id)
        if customer.is_suspended:
            services.reactivate(customer, actor=self.actor)
        return self.answer(customer)


@extend_schema_view(get=extend_schema(summary="A customer's servers"))
class CustomerServers(CustomerView, generics.ListAPIView):
    serializer_class = s.Server

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": self.staff}

    def get_queryset(self):
        customer = self.customer(self.kwargs["id"])
        return (
            self.servers()
            .filter(customer=customer)
            .select_related("connection")
            .order_by(Lower("display_name"), "srv_id")
        )

    @extend_schema(
        summary="Assign servers to a customer",
        description="Servers of another customer move here; its people lose them at once.",
        request=ServerIds,
        responses=s.Server(many=True),
    )
    @idempotent
    def post(self, request, id):
        customer = self.customer(id)
        data = ServerIds(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = set(data.validated_data["servers"])
        rows = list(self.servers().filter(pk__in=wanted).select_related("customer", "connection"))
        unknown = wanted - {row.pk for row in rows}
        if unknown:
            raise Problem(
                422,
                _("These servers do not exist here: %(ids)s.")
                % {"ids": ", ".join(map(str, sorted(unknown)))},
                kind="validation",
            )
        services.assign(customer, rows, actor=self.actor)
        servers = self.get_queryset()
        return Response(s.Server(servers, many=True, context={"staff": self.staff}).data)


class CustomerServer(CustomerView):
    @extend_schema(summary="Unassign a server from a customer", responses={204: None})
    @idempotent
    def delete(self, request, id, server_id):
        customer = self.customer(id)
        row = self.servers().filter(pk=parse_id(server_id) or 0, customer=customer).first()
        if row is None:
            raise Problem(404, _("This customer has no such server."))
        services.assign(None, [row], actor=self.actor)
        return Response(status=204)


@extend_schema_view(get=extend_schema(summary="A customer's people"))
class People(CustomerView, generics.ListAPIView):
    serializer_class = Person

    def get_queryset(self):
        return self.customer(self.kwargs["id"]).people.order_by(Lower("username"))

    @extend_schema(
        summary="Add a person to a customer",
        description="They get an e-mail with a link to choose their password, unless "
        '"invite" is false (then they come in by one-time sign-in links).',
        request=NewPerson,
        responses={201: Person},
    )
    @idempotent
    def post(self, request, id):
        customer = self.customer(id)
        data = NewPerson(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            person = services.add_person(customer, actor=self.actor, **data.validated_data)
        except services.Refused as refusal:
            raise Problem(409, str(refusal), kind="refused") from None
        return Response(Person(person).data, status=201)


@extend_schema_view(get=extend_schema(summary="What a customer's people may do, server by server"))
class CustomerGrants(CustomerView, generics.ListAPIView):
    serializer_class = GrantSerializer

    def get_queryset(self):
        customer = self.customer(self.kwargs["id"])
        return Grant.objects.filter(user__customer=customer, server__isnull=False).order_by("pk")

    @extend_schema(
        summary="Give a person of the customer access to one of its servers",
        description="A preset (viewer, operator, manager) or a list of permissions; within "
        "the customer's ceiling, whatever is asked.",
        request=NewGrant,
        responses={201: GrantSerializer},
    )
    @idempotent
    def post(self, request, id):
        customer = self.customer(id)
        data = NewGrant(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = customer.people.filter(pk=values["user"]).first()
        server = MirroredServer.objects.filter(pk=values["server"], customer=customer).first()
        if person is None or server is None:
            raise Problem(
                422,
                _("Give access to a person of this customer, on a server of this customer."),
                kind="validation",
            )
        keys = PRESETS[values["preset"]] if "preset" in values else values["permissions"]
        # No granter: an application token gives as the panel itself.
        grant = grants.grant(None, person, keys, server=server, expires_at=values["expires_at"])
        details = {"user": person.get_username(), "permissions": ", ".join(grant.keys)}
        record("grant.create", actor=self.actor, server=server, details=details)
        return Response(GrantSerializer(grant).data, status=201)


class CustomerGrant(CustomerView):
    @extend_schema(summary="Remove a person's access", responses={204: None})
    @idempotent
    def delete(self, request, id, grant_id):
        customer = self.customer(id)
        grant = (
            Grant.objects.filter(pk=parse_id(grant_id) or 0, user__customer=customer)
            .select_related("user", "server")
            .first()
        )
        if grant is None:
            raise Problem(404, _("This customer's people have no such access."))
        grants.revoke(None, grant)
        details = {"user": grant.user.get_username()}
        record("grant.revoke", actor=self.actor, server=grant.server, details=details)
        return Response(status=204)


class SignInLinks(TokenView):
    @extend_schema(
        summary="Make a one-time sign-in link",
        description="For a person of a customer (never a panel admin): valid 60 seconds, "
        "usable once, on their brand's host name; it lands on the server's page when one "
        "is named. Two-factor users still give their code.",
        request=NewSignInLink,
        responses={201: SignInLink},
    )
    @idempotent
    def post(self, request):
        data = NewSignInLink(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = User.objects.filter(pk=values["user"]).select_related("customer").first()
        if person is None:
            raise Problem(404, _("There is no such user."))
        server = None
        if values.get("server") is not None:
            server = self.servers().filter(pk=values["server"]).first()
            if server is None:
                raise Problem(404, _("There is no such server."))
        if person.customer_id is not None and person.customer.is_suspended:
            raise Problem(409, _("This person's customer is suspended."), kind="refused")
        try:
            url, expires_at = sign_in_links.issue(person, server=server, made_by=self.actor.name)
        except sign_in_links.NotForThisUser as refusal:
            raise Problem(409, str(refusal), kind="refused") from None
        record(
            "auth.sign_in_link_made",
            actor=self.actor,
            server=server,
            details={"user": person.get_username()},
        )
        response = Response(SignInLink({"url": url, "expires_at": expires_at}).data, status=201)
        response.secret = True  # a link that logs someone in is never kept for a replay
        return response
