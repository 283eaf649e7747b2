"""Atom feeds of publications: /feed.atom (every pair) and /conditions/<slug>/feed.atom
(a condition and its sub-conditions), one entry per published version with its note and
what changed."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from evidence.models import Condition, VerdictVersion
from evidence.selectors import versions as selectors


class PublicationsFeed(Feed):
    feed_type = Atom1Feed
    title = "Evidentia: new versions of the evidence"
    subtitle = (
        "Each entry is a version of a therapy-for-condition verdict, as a reviewer published it."
    )

    def link(self) -> str:
        return reverse("evidence:home")

    def items(self) -> list[VerdictVersion]:
        return selectors.feed_versions()

    def item_title(self, item: VerdictVersion) -> str:
        return f"{item.verdict}: version {item.number}"

    def item_description(self, item: VerdictVersion) -> str:
        return render_to_string("evidence/feed_entry.html", {"version": item})

    def item_link(self, item: VerdictVersion) -> str:
        verdict = item.verdict
        return reverse(
            "evidence:pair-version",
            args=[verdict.condition.slug, verdict.therapy.slug, item.number],
        )

    def item_pubdate(self, item: VerdictVersion):
        return item.published_at

    def item_updateddate(self, item: VerdictVersion):
        return item.published_at

    def item_author_name(self, item: VerdictVersion) -> str:
        return "Evidentia reviewers"


class ConditionPublicationsFeed(PublicationsFeed):
    def get_object(self, request, slug: str) -> Condition:
        return get_object_or_404(Condition, slug=slug)

    def title(self, condition: Condition) -> str:
        return f"Evidentia: new versions of the evidence on {condition.name}"

    def link(self, condition: Condition) -> str:
        return reverse("evidence:condition-detail", args=[condition.slug])

    def items(self, condition: Condition) -> list[VerdictVersion]:
        return selectors.condition_feed_versions(condition)
