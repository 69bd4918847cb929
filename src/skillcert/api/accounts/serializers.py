"""Request and response shapes of the v1 contract (validation of domain rules is in services)."""

from __future__ import annotations

from rest_framework import serializers

from skillcert.accounts.display import person_label
from skillcert.accounts.models import Authority, User


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    # The current code of the user's TOTP device; required once one is confirmed.
    otp = serializers.CharField(required=False, allow_blank=True, max_length=8)


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()
    # The password is past its age (or temporary): change it (POST /api/v1/auth/password).
    password_expired = serializers.BooleanField()


class PasswordChangeRequest(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


class PasswordChangeResponse(serializers.Serializer):
    password_expired = serializers.BooleanField()


class RegisterRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(trim_whitespace=False)
    credit_code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)


class RegisterResponse(serializers.Serializer):
    organization = serializers.IntegerField()


class MeResponse(serializers.ModelSerializer):
    # Organization users and administrators belong to no authority: both are null for them.
    authority: serializers.SlugRelatedField[Authority] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    authority_name = serializers.CharField(
        source="authority.name", default=None, read_only=True, allow_null=True
    )
    organization = serializers.SerializerMethodField()
    person_label = serializers.SerializerMethodField(
        help_text="how pages and histories name the person: 姓名（部门）, or the login name"
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "department",
            "person_label",
            "role",
            "authority",
            "authority_name",
            "organization",
        ]

    def get_person_label(self, user: User) -> str:
        return person_label(user)

    def get_organization(self, user: User) -> int | None:
        membership = getattr(user, "membership", None)
        return membership.organization_id if membership else None


class NamesRequest(serializers.Serializer):
    """姓名 and 部门 (each at most 60 characters); a field left out keeps its value."""

    display_name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    department = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
