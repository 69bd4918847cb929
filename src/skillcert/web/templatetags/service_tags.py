"""Tags of the government-service parts: the rating block of a finished case (好差评)."""

from __future__ import annotations

from typing import Any

from django import template

from skillcert.supervision import ratings
from skillcert.web.service.forms import RatingForm

register = template.Library()


@register.inclusion_tag("web/service/parts/rating.html", takes_context=True)
def rating_block(context: template.Context, obj: Any, compact: bool = False) -> dict[str, Any]:
    """On a case page: the applicant's rating of the finished case, or the form to give it
    (once); nothing for anyone else or while the case runs. ``compact``: inside a table row."""
    request = context.get("request")
    user = getattr(request, "user", None)
    offer = ratings.offer(obj, user) if obj is not None else None
    form = RatingForm(initial={"object": offer["subject"]}) if offer else None
    label = ""
    if offer and offer["rating"] is not None:
        label = ratings.SCORE_LABELS.get(offer["rating"].score, "")
    return {
        "offer": offer,
        "compact": compact,
        "label": label,
        "form": form,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def reads_ratings(user: Any) -> bool:
    return ratings.may_read_statistics(user)
