"""A pair's published versions for readers (the list, one version, two side by side),
and following a pair or a condition. Version pages are cached like the pair page, until
the pair's next publication."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config import page_cache
from evidence.models import Condition
from evidence.selectors import versions as selectors
from evidence.services import follows


def _pair_scopes(condition_slug: str, therapy_slug: str) -> list[str]:
    return [page_cache.condition_scope(condition_slug), page_cache.therapy_scope(therapy_slug)]


def pair_versions(request: HttpRequest, condition_slug: str, therapy_slug: str) -> HttpResponse:
    def page() -> HttpResponse:
        context = {
            "pair": selectors.pair_versions(
                condition_slug=condition_slug, therapy_slug=therapy_slug
            )
        }
        return render(request, "evidence/versions.html", context)

    return page_cache.cached_page(
        request,
        kind="versions",
        scopes=_pair_scopes(condition_slug, therapy_slug),
        parts=[condition_slug, therapy_slug],
        render=page,
    )


def pair_version(
    request: HttpRequest, condition_slug: str, therapy_slug: str, number: str
) -> HttpResponse:
    number = int(number)

    def page() -> HttpResponse:
        view = selectors.version_view(
            condition_slug=condition_slug, therapy_slug=therapy_slug, number=number
        )
        return render(request, "evidence/version_detail.html", {"view": view})

    return page_cache.cached_page(
        request,
        kind="version",
        scopes=_pair_scopes(condition_slug, therapy_slug),
        parts=[condition_slug, therapy_slug, number],
        render=page,
    )


def pair_version_compare(
    request: HttpRequest, condition_slug: str, therapy_slug: str
) -> HttpResponse:
    older, newer = selectors.version_numbers([request.GET.get("from"), request.GET.get("to")])

    def page() -> HttpResponse:
        comparison = selectors.version_compare(
            condition_slug=condition_slug, therapy_slug=therapy_slug, older=older, newer=newer
        )
        return render(request, "evidence/version_compare.html", {"comparison": comparison})

    return page_cache.cached_page(
        request,
        kind="version-compare",
        scopes=_pair_scopes(condition_slug, therapy_slug),
        parts=[condition_slug, therapy_slug, min(older, newer), max(older, newer)],
        render=page,
    )


def _follow(request: HttpRequest, *, target: dict, name: str, url: str) -> HttpResponse:
    """Follow or stop following ``target`` (a verdict or a condition) as the POST says."""
    following = {"1": True, "0": False}.get(request.POST.get("following"))
    if following is None:
        return HttpResponseBadRequest("following: send 1 to follow or 0 to stop following.")
    follows.follow_set(user=request.user, following=following, **target)
    messages.success(
        request,
        f"You follow {name}: an email tells you of each new version."
        if following
        else f"You no longer follow {name}.",
    )
    return redirect(url)


@require_POST
def pair_follow(request: HttpRequest, condition_slug: str, therapy_slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    verdict = selectors.published_verdict(condition_slug, therapy_slug)
    return _follow(
        request, target={"verdict": verdict}, name=str(verdict), url=verdict.get_absolute_url()
    )


@require_POST
def condition_follow(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    condition = get_object_or_404(Condition, slug=slug)
    return _follow(
        request,
        target={"condition": condition},
        name=f"{condition.name} and its sub-conditions",
        url=condition.get_absolute_url(),
    )
