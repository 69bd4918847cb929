"""``/api/v1/ratings`` (好差评, not in api.md: documented in docs/government-service.md).

``POST`` (the applicant) ``{"object": "filing:12", "score": 1-5, "comment"}`` → 201 the rating;
400 bad object, score or comment, or the case not finished (``not_final``); 404 not the
caller's case; 409 rated already (``already_rated``). ``GET`` (city bureau and center: their
city's; province department and center: all) → the statistics per authority.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.rules.errors import Forbidden
from skillcert.supervision import ratings
from skillcert.workflow.models import ServiceRating


class RatingInputSerializer(serializers.Serializer):
    object = serializers.CharField(
        help_text="the finished case: filing:12, batch:3, segment_request:5"
    )
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


def rating_data(rating: ServiceRating) -> dict[str, Any]:
    return {
        "id": rating.pk,
        "object": rating.subject,
        "authority": rating.authority.code,
        "score": rating.score,
        "comment": rating.comment,
        "at": rating.at.isoformat(),
    }


_RATING = inline_serializer(
    "ServiceRating",
    {
        "id": serializers.IntegerField(),
        "object": serializers.CharField(),
        "authority": serializers.CharField(),
        "score": serializers.IntegerField(),
        "comment": serializers.CharField(),
        "at": serializers.DateTimeField(),
    },
)


class RatingsView(APIView):
    @extend_schema(request=RatingInputSerializer, responses={201: _RATING})
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        rating = ratings.rate(
            data.get("object"), data.get("score"), data.get("comment"), actor=request.user
        )
        return Response(rating_data(rating), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            200: inline_serializer(
                "RatingStatistics",
                {
                    "count": serializers.IntegerField(),
                    "average": serializers.FloatField(allow_null=True),
                    "authorities": serializers.ListField(child=serializers.DictField()),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        if not ratings.may_read_statistics(request.user):
            raise Forbidden("只有人社部门和鉴定中心工作人员可以查看好差评统计")
        found = ratings.ratings_for(request.user)
        rows = [
            {**row, "distribution": {str(k): v for k, v in row["distribution"].items()}}
            for row in ratings.statistics(found)
        ]
        return Response({**ratings.overall(found), "authorities": rows})
