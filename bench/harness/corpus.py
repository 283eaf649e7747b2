"""The benchmark corpus: made once (generate_corpus + the demo), then the URLs to measure.

``ensure_corpus`` runs before Django is set up in the harness (it only shells out to
manage.py); ``pick_targets`` and ``editor_token`` need Django.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field

import psycopg

from .options import CORPUS_ARGS, ROOT, SETTINGS_MODULE, Options
from .progress import say

EDITOR_USERNAME = "bench-editor"


def manage(*args: str, database_url: str | None = None) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "LOG_LEVEL": "WARNING"}
    if database_url:
        env["DATABASE_URL"] = database_url
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def format_citations(processes: int | None = None, database_url: str | None = None) -> None:
    """manage.py format_citations in ``processes`` shards at once (default: one per core),
    since a bulk-generated corpus has none stored and formatting is CPU-bound."""
    count = processes or os.cpu_count() or 1
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "LOG_LEVEL": "WARNING"}
    if database_url:
        env["DATABASE_URL"] = database_url
    running = [
        subprocess.Popen(
            [sys.executable, "manage.py", "format_citations", f"--shard={i}/{count}"],
            cwd=ROOT,
            env=env,
        )
        for i in range(count)
    ]
    failed = [p.args for p in running if p.wait() != 0]
    if failed:
        raise RuntimeError(f"format_citations failed: {failed}")


def _study_count(options: Options) -> int | None:
    """Studies in the corpus database; None when the database or its table is missing."""
    try:
        with psycopg.connect(options.database_url, connect_timeout=10) as conn:
            found = conn.execute("SELECT to_regclass('evidence_study')").fetchone()[0]
            if found is None:
                return None
            return conn.execute("SELECT count(*) FROM evidence_study").fetchone()[0]
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return None
        raise


def ensure_corpus(
    options: Options, corpus_args: list[str] = CORPUS_ARGS, *, demo: bool = True
) -> None:
    """Create, migrate and fill BENCH_DATABASE when it holds no studies; load the demo."""
    url = options.database_url
    count = _study_count(options)
    if count is None:
        with psycopg.connect(options.server_url, autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [options.database_name]
            ).fetchone()
            if not exists:
                say(f"creating database {options.database_name}")
                admin.execute(f'CREATE DATABASE "{options.database_name}"')
    say(f"migrating {options.database_name}")
    manage("migrate", "--noinput", "-v0", database_url=url)
    if not count:
        say(f"generating the corpus: manage.py generate_corpus {' '.join(corpus_args)}")
        manage("generate_corpus", *corpus_args, database_url=url)
    if demo:
        # The mixed load reads the demo's pages too; load_demo changes nothing when it is there.
        manage("load_demo", database_url=url)
    manage("sync_roles", database_url=url)
    say("storing formatted citations where missing (manage.py format_citations, one per core)")
    format_citations(database_url=url)
    # Fresh statistics and no dead rows before measuring: a bulk load or a migration that
    # rewrites a table leaves both stale, and autovacuum may be off (it is on this machine).
    say(f"VACUUM ANALYZE {options.database_name}")
    with psycopg.connect(options.database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    say(f"corpus ready: {_study_count(options):,} studies in {options.database_name}")


@dataclass(frozen=True)
class Targets:
    largest_pair: tuple[str, str, int]  # condition slug, therapy slug, studies
    tenth_pair: tuple[str, str, int]  # the pair nearest a tenth of the largest's studies
    smallest_pair: tuple[str, str, int]
    largest_condition: tuple[str, int]  # slug, verdicts
    tenth_condition: tuple[str, int]
    smallest_condition: tuple[str, int]
    search_terms: list[str]
    common_term: str  # the title word found most often
    tenth_term: str  # a word found about a tenth as often
    rare_term: str
    counts: dict[str, int]  # rows per table
    # Ids for the read API's detail calls: a verdict and a study of the largest pair, and
    # one of its references.
    api_ids: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _pairs_by_size():
    from django.db.models import Count

    from evidence.models import Study, Verdict

    with_verdict = Verdict.objects.values_list("condition_id", "therapy_id")
    sizes = (
        Study.objects.order_by()
        .values("condition__slug", "therapy__slug", "condition_id", "therapy_id")
        .annotate(n=Count("id"))
    )
    pairs = set(with_verdict)
    return sorted(
        (
            (row["n"], row["condition__slug"], row["therapy__slug"])
            for row in sizes
            if (row["condition_id"], row["therapy_id"]) in pairs
        ),
        reverse=True,
    )


def _search_terms(rng: random.Random) -> tuple[list[str], str, str, str]:
    from evidence.models import Condition
    from references.models import Reference
    from therapies.models import Therapy

    titles = Reference.objects.order_by("id").values_list("title", flat=True)[:20_000]
    words = Counter(
        word for title in titles for word in set(re.findall(r"[a-z]{6,}", (title or "").lower()))
    )
    ranked = [word for word, _ in words.most_common()]
    common = ranked[:10]
    middling = ranked[len(ranked) // 10 : len(ranked) // 10 + 10]
    rare = [word for word in ranked if words[word] == 1][:5] or ranked[-5:]
    conditions = list(Condition.objects.order_by("id").values_list("name", flat=True)[:500])
    therapies = list(Therapy.objects.order_by("id").values_list("name", flat=True)[:300])
    terms = (
        common
        + middling
        + rare
        + rng.sample(conditions, min(10, len(conditions)))
        + rng.sample(therapies, min(10, len(therapies)))
        + [f"{a} {b}" for a, b in zip(common[:5], middling[:5], strict=False)]
    )
    terms = list(dict.fromkeys(terms))
    if conditions:
        # A typo, which only the trigram similarity finds.
        name = max(conditions, key=len)
        terms.append(name[:3] + name[4] + name[3] + name[5:])
    top = (common or ["study"])[0]
    tenth = min(ranked[1:] or [top], key=lambda word: abs(words[word] - words[top] / 10))
    return terms, top, tenth, (rare or ["zzzz"])[0]


def pick_targets(seed: int = 1) -> Targets:
    from django.db.models import Count

    from evidence.models import Condition, Study, Verdict
    from references.models import Reference
    from therapies.models import Therapy

    pairs = _pairs_by_size()
    if not pairs:
        raise SystemExit("The corpus has no pair with a verdict and studies.")
    conditions = list(
        Condition.objects.annotate(verdict_count=Count("verdicts"))
        .filter(verdict_count__gt=0)
        .order_by("-verdict_count", "slug")
        .values_list("slug", "verdict_count")
    )
    terms, common, tenth_term, rare = _search_terms(random.Random(seed))
    n, condition, therapy = pairs[0]
    tenth = min(pairs[1:] or pairs, key=lambda p: abs(p[0] - n / 10))
    small = pairs[-1]
    most = conditions[0][1]
    tenth_condition = min(conditions[1:] or conditions, key=lambda c: abs(c[1] - most / 10))
    study = (
        Study.objects.filter(condition__slug=condition, therapy__slug=therapy)
        .order_by("id")
        .values("id", "reference_id")
        .first()
    )
    verdict = Verdict.objects.filter(condition__slug=condition, therapy__slug=therapy).first()
    return Targets(
        largest_pair=(condition, therapy, n),
        tenth_pair=(tenth[1], tenth[2], tenth[0]),
        smallest_pair=(small[1], small[2], small[0]),
        largest_condition=tuple(conditions[0]),
        tenth_condition=tuple(tenth_condition),
        smallest_condition=tuple(conditions[-1]),
        search_terms=terms,
        common_term=common,
        tenth_term=tenth_term,
        rare_term=rare,
        counts={
            "conditions": Condition.objects.count(),
            "therapies": Therapy.objects.count(),
            "studies": Study.objects.count(),
            "references": Reference.objects.count(),
            "verdicts": Verdict.objects.count(),
            "pairs with a verdict and studies": len(pairs),
        },
        api_ids={
            "verdict": verdict.pk if verdict else 0,
            "study": study["id"] if study else 0,
            "reference": study["reference_id"] if study else 0,
        },
    )


def editor_token() -> str:
    """The API token of an Editor (the role's group, as sync_roles defines it)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from evidence.editorial.roles import EDITOR

    user, _ = get_user_model().objects.get_or_create(username=EDITOR_USERNAME)
    user.groups.add(Group.objects.get(name=EDITOR))
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
