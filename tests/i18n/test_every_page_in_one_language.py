"""A reader in Chinese sees Chinese on every page and in every state; a reader in English none.

A crawl of the assembled app (TestClient) over a site with every capability's data
(``site.py``): every GET route the app has, its path parameters filled from the seeded data
(a new route without a sample fails here, naming the parameter), and the states a walk of
links never reaches: empty results, pagination, a bad form sent back with its problems
(every POST form, CSRF token included), 401/403/404/422/429/500 pages, the notices after a
successful write, the Delphi rating form through an invitation link, the helpdesk's and the
assessor's Markdown reports, the invitation mail merge, the SVG charts and the dashboard's
chart texts. Logged out, as a member, an editor and an administrator, and as an expert.

Every visible text (``visible_text.py``) is cut into pieces; a piece with a Latin word that
is not a code, a URL, data the site holds (a work's title, an institution, a person) or an
allowed name (``ALLOWED``) is a finding, reported with the pages that show it. In English
the reverse: Han text outside an element marked ``lang="zh…"``. Text marked as the other
language (``class="untranslated"``, a Chinese name given beside the English) is by design.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route
from tests.i18n.site import PASSWORD, Site, build_site
from tests.i18n.visible_text import english_pieces, json_texts, svg_texts, visible_texts

HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")

# Names, formats and units that are the same in Chinese text; scientific method names;
# scipy's option 'auto'; the partner finder's example query (its profiles are English).
ALLOWED = frozenset(
    name.strip()
    for name in """
    PerMed Atlas|OpenAlex|PubMed|Lens|Lens.org|JSON|CSV|PNG|SVG|PDF|XLSX|Markdown|Parquet|GEXF
    JavaScript|Excel|Gephi|VOSviewer|ORCID|ICPerMed|IC2PerMed|Sino-EU PerMed|ERA PerMed|Swagger UI
    Kendall's W|Wilcoxon|Hyndman-Fan|scipy|numpy|jieba|Vega|vega-embed|Beacon|MeSH|BfArM|Likert
    Horizon Europe|EU4Health|Cochran|Delphi|GitHub|Python|UTF-8|mailto|e-mail|Word|Chromium
    Espacenet|all-MiniLM-L6-v2|TF-IDF|PerMed|BfArM|zip|Wilcoxon p|http|https
    auto|pharmacogenomics of|inhibitors in lung cancer
    """.replace("\n", "|").split("|")
    if name.strip()
)
# Field names a message keeps as the file or form spells them (docs/i18n.md: "the place keeps
# the file's own words"): a Delphi panel file's columns, a study file's fields.
FIELD_NAMES = frozenset({"name", "ref", "email", "country", "region", "title", "title_zh"})
# Legal citations keep the source's form: "Art. 49(1)(a)", "Regulation (EU) 2016/679".
CITATION = re.compile(r"^(Arts?|No|para|Recital|Chapter|Clause|Annex|Section|§)\.?(\s*[\dIVX].*)?$")

# What the walk itself types into forms comes back on pages as data.
TYPED = ("Breast cancer cohort", "For a pharmacogenomics study")

# Path parameters by name, each a few values from the seeded site; a route whose parameter
# is missing here fails the walk.
CHINESE_QUESTION = "人类遗传资源样本出境需要什么手续？"
ENGLISH_QUESTION = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)


def _path_values(site: Site) -> dict[str, list[str]]:
    return {
        "study_id": [str(site.demo_study), str(site.open_study)],
        "round_id": [str(site.closed_round), str(site.open_round)],
        "token": [site.tokens["zh"], site.tokens["en"]],
        "work_id": ["1", "10"],
        "author_id": [],  # filled from the partner finder's links
        "code": ["dpyd-centres-cn", "joint-calls"],
        "slug": ["ic2permed", "sino-eu-permed"],
        "request_id": [],  # filled after an access request is made
        "user_id": [str(site.temp_user)],
        "item_id": [str(site.open_items[0])],
        "survey_id": [str(site.open_survey)],
    }


# Directory and helpdesk both name their parameter entry_id.
_ENTRY_IDS = {
    "/directory/": ["pipl", "anr", "gdpr", "ep-permed", "bbmri-eric"],
    "/helpdesk/": ["cn-hgr-materials-export", "de-drks", "eu-ctr-authorisation"],
}

EXTRA_PAGES = [
    "/landscape/search?q=cancer",
    "/landscape/search?q=cancer&page=2",
    "/landscape/search?q=zzqxv",  # nothing found
    "/landscape/search?country=CN&topic=pm&kind=patent",
    "/landscape/search?year_from=20x5",  # a form problem
    "/landscape/dashboard?eu_cn=yes&country=CN",
    "/landscape/dashboard?country=ZZ",
    "/api/v1/landscape/dashboard",  # the chart specs the page's script draws
    "/api/v1/landscape/dashboard?eu_cn=yes&country=CN",
    "/landscape/network?level=institution",
    "/landscape/works/999999",  # 404
    "/directory/?q=genetic+data",
    "/directory/?kind=law&page=2",
    "/directory/?q=zzqxv",
    "/directory/funding?description=pharmacogenomics+trial+with+Chinese+partners",
    f"/helpdesk/?q={ENGLISH_QUESTION}",
    f"/helpdesk/?q={CHINESE_QUESTION}",
    "/helpdesk/?q=zzqxv",
    f"/helpdesk/answer.md?q={ENGLISH_QUESTION}",
    f"/helpdesk/answer.md?q={CHINESE_QUESTION}",
    "/helpdesk/compare?topic=ethics_review&country=DE&country=CN",
    "/helpdesk/compare?topic=ethics_review&country=DE",  # one country is not a comparison
    "/helpdesk/entries?country=CN",
    "/transfer/assess?from=China&to=Germany&data_categories=genetic&purpose=research",
    "/transfer/assess?from=Germany&to=China&data_categories=health&data_subjects=-3",
    # obligations met by steps already taken ("met by: ...")
    "/transfer/assess?from=Germany&to=China&data_categories=health&data_categories=genetic"
    "&purpose=research&consent=explicit&measures=scc&measures=dpia&measures=tia",
    "/transfer/assess?from=Germania&to=China&data_categories=health",  # an unknown country
    "/transfer/report.md?from=China&to=Germany&data_categories=genetic&purpose=research",
    "/partners/?q=lung+cancer",
    "/partners/?author=Nobody+Atall",
    "/federation/?run=1&diagnosis=C50&sex=female",
    "/roadmap/ic2permed/scorecard",
    "/roadmap/indicators/dpyd-centres-cn/chart.svg",
    "/roadmap/indicators/joint-calls/chart.svg",
    "/roadmap/indicators/dpyd-demo-nanjing",  # two points: "uncertain", no interval
    "/roadmap/indicators/dpyd-demo-nanjing/chart.svg",
    "/roadmap/indicators/no-such-indicator",
    "/delphi/studies/999999",
    "/no-such-page",
]
# Downloads meant for machines (CSV columns, spreadsheets, PDFs) are not walked: their
# columns stay English by design (docs/i18n.md). The PDFs print the same templates as pages.
NOT_FOR_READING = re.compile(r"\.(csv|xlsx|parquet|pdf|png|gexf|zip)$")


class Walk:
    """Pages seen in one language and the pieces found on them."""

    def __init__(self, site: Site, language: str, vocabulary: Any = None) -> None:
        self.site, self.language = site, language
        self.other = "en" if language == "zh" else "zh"
        self.findings: dict[str, set[str]] = defaultdict(set)
        self.marked: dict[str, int] = defaultdict(int)
        self.seen: set[tuple[str, str]] = set()
        self.data = _data_vocabulary(site) if vocabulary is None else vocabulary
        self.statuses: dict[str, int] = {}

    def client(self, role: str | None) -> TestClient:
        client = TestClient(self.site.app, raise_server_exceptions=False)
        client.__enter__()
        if role is not None:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert token
            response = client.post(
                "/login",
                data={"email": f"{role}@example.org", "password": PASSWORD,
                      "csrf_token": token.group(1)},
                follow_redirects=False,
            )  # fmt: skip
            assert response.status_code == 303, response.text
        client.get(f"/?lang={self.language}")
        return client

    def read(
        self, client: TestClient, url: str, *, who: str, response: Any = None, typed: Any = ()
    ) -> Any:
        """Fetch ``url`` (unless given its response) and look at what it shows."""
        if response is None:
            if (who, url) in self.seen:
                return None
            self.seen.add((who, url))
            response = client.get(url)
        assert response.status_code < 500 or url == "/boom", (url, response.status_code)
        self.statuses[url] = response.status_code
        kind = response.headers.get("content-type", "")
        where = f"{url} ({who})"
        language = self.language
        if "html" in kind:
            # A Delphi rating form is in its invitation's language, whatever the reader's.
            declared = re.search(r'<html lang="([a-z]+)', response.text)
            language = declared.group(1) if declared else language
            if language != self.language and "/delphi/respond/" not in url:
                self.findings[f"<html lang={language}>"].add(where)
            other = "en" if language == "zh" else "zh"
            texts = visible_texts(response.text, other_language=other)
            own = texts.own
            for text in texts.marked:
                self.marked[text[:60]] += 1
        elif "svg" in kind:
            own = svg_texts(response.text)
        elif "application/json" in kind:  # the dashboard's answer: its titles and notes
            data = response.json()
            own = json_texts(data) + [str(n) for n in (data.get("chart_notes") or {}).values()]
        elif "text/csv" in kind:
            self._read_csv(response.text, where=where, url=url)
            return response
        elif "markdown" in kind or "text/plain" in kind:
            # Markdown: its markup is not text; links keep their address, code keeps its ticks
            own = [
                re.sub(r"^\s*[#>-]+|\*\*|\[[ x]\]", " ", line)
                for line in response.text.splitlines()
            ]
        else:
            return response
        self.typed = set(typed)
        self.look(own, where=where, url=url, language=language, prose="html" not in kind)
        return response

    def _read_csv(self, text: str, *, where: str, url: str) -> None:
        """A CSV's columns are data (English names); what it says to people is checked: the
        invitation mail merge's subject and body in each expert's language, or a line that
        says there is nothing to list."""
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows or "subject" not in rows[0]:
            if "," not in text.splitlines()[0] if text.strip() else False:
                self.look([text], where=where, url=url, language=self.language, prose=False)
            return
        for row in rows:
            self.look([row["subject"], row["body"]], where=where, url=url,
                      language=row.get("language") or self.language, prose=False)  # fmt: skip

    def look(self, texts: list[str], *, where: str, url: str, language: str, prose: bool) -> None:
        """Report the pieces of ``texts`` not in ``language``.

        :param prose: a file (Markdown) that cannot mark the curated texts it quotes in
            English, so those are data here.
        """
        # what the reader typed comes back: query values, a form's names and values
        typed = {v for _, v in parse_qsl(urlsplit(url).query)} | getattr(self, "typed", set())
        typed = {" ".join(t.split()) for t in typed} | set(urlsplit(url).path.split("/"))
        for text in texts:
            if language == "en":
                # Chinese proper names (a law's, a term's) and the reader's own words may stay
                for run in HAN_RUN.findall(text):
                    if not (run in self.data.blob or any(run in t for t in typed)):
                        self.findings[text[:100]].add(where)
                continue
            for piece in english_pieces(text):
                if not self._allowed(piece, typed, prose=prose):
                    self.findings[piece[:100]].add(where)

    def _allowed(self, piece: str, typed: set[str], *, prose: bool) -> bool:
        return (
            piece in ALLOWED
            or piece in FIELD_NAMES
            or bool(CITATION.match(piece))
            or piece in self.data
            or (len(piece) > 3 and piece in self.data.blob)
            or (prose and len(piece) > 1 and piece in self.data.prose)
            or any(piece in t for t in typed)
        )

    def report(self) -> str:
        lines = [f"{len(self.findings)} texts not in the page's language:"]
        for piece, pages in sorted(self.findings.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            lines.append(f"  {piece!r}  on {len(pages)} page(s), e.g. {sorted(pages)[0]}")
        return "\n".join(lines)


class _Vocabulary(frozenset[str]):
    blob: str = ""
    prose: str = ""


def _data_vocabulary(site: Site) -> _Vocabulary:
    """Texts the site holds as data: the corpus's titles, venues, people and institutions;
    the Delphi studies' own texts (the demo study is in English only), experts and coordinator
    notes; and, for files, the curated prose that has no Chinese yet (helpdesk entries)."""
    from sqlalchemy import text

    from permed_atlas.landscape.store.corpus import open_corpus

    texts: set[str] = set()
    with site.app.state.session_factory() as session:
        for table, columns in _DELPHI_DATA.items():
            for column in columns:
                rows = session.execute(text(f"SELECT {column} FROM {table}")).scalars()
                texts.update(str(v) for v in rows if v)
    queries = (
        "SELECT title FROM works", "SELECT venue FROM works", "SELECT abstract FROM works",
        "SELECT institution_name FROM affiliations", "SELECT name FROM contributors",
        "SELECT term FROM terms", "SELECT display_name FROM partner_authors",
        "SELECT term FROM partner_author_terms",
    )  # fmt: skip
    with open_corpus(site.settings.corpus_path, read_only=True) as connection:
        for query in queries:
            texts.update(str(row[0]) for row in connection.execute(query).fetchall() if row[0])
    texts.update(_curated_names(site))
    texts.update(TYPED)  # and what the form walk stores (a note, a comment) is data after it
    texts.update(value for _, form, _ in _posts(site) for value in form.values())
    vocabulary = _Vocabulary(texts)
    vocabulary.blob = "\n".join(texts)
    vocabulary.prose = "\n".join(_untranslated_prose(site))
    return vocabulary


# The Delphi tables' texts written by a study's coordinators and experts: data in the study's
# language(s).
_DELPHI_DATA = {
    "delphi_study": ("title", "description"),
    "delphi_panel": ("name",),
    "delphi_expert": ("name", "organisation", "expertise"),
    "delphi_survey": ("title",),
    "delphi_item": ("statement", "rationale", "subtopic", "outcome_reason"),
    "delphi_subtopic": ("label",),
    "delphi_action": ("title", "description", "pillar"),
    "delphi_response": ("comment",),
}


def _curated_names(site: Site) -> Iterator[str]:
    """Proper names in the curated data: directory entries' names (the Chinese ones keep
    Latin names inside: "All of Us 研究项目"), DUO's own English term labels (shown beside
    ours), the demo biobanks and the demo oncology centres."""
    import yaml

    from permed_atlas.datafiles import BUNDLED_DATA_DIR
    from permed_atlas.transfer import load_duo_ontology

    for path in (BUNDLED_DATA_DIR / "directory").glob("[!_]*.yaml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("entries", []):
            keys = ("name", "name_zh", "acronym", "summary_zh")
            yield from (str(entry.get(k) or "") for k in keys)
    for term in load_duo_ontology().terms.values():
        yield from (term.label, term.label_zh)
    from permed_atlas.helpdesk import load_glossary

    # the Chinese explanations and summaries keep Latin names and codes inside ("（EEA）")
    yield from (text for term in load_glossary() for text in (term.zh, term.explanation_zh))
    for path in (BUNDLED_DATA_DIR / "helpdesk").glob("[!_]*.yaml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("entries", []):
            yield str(entry.get("title_zh") or "")  # local names inside: "意大利 Garante"
            yield str(entry.get("summary_zh") or "")
    from permed_atlas.federation.mapping import bundled_data_dir

    for registry in (site.settings.data_dir / "federation", bundled_data_dir()):
        if (registry / "nodes.yaml").exists():  # the site's biobanks, else the demo's
            nodes = yaml.safe_load((registry / "nodes.yaml").read_text(encoding="utf-8"))
            yield from (node["name"] for node in nodes["nodes"])
    yield from _transfer_words()
    for path in (BUNDLED_DATA_DIR / "roadmap" / "roadmaps").glob("*.yaml"):
        for indicator in yaml.safe_load(path.read_text(encoding="utf-8")).get("indicators", []):
            yield from (s.get("centre", "") for s in indicator.get("scopes", []))


def _transfer_words() -> Iterator[str]:
    """The assessor's fact names and values, which a rule's "fired because" line keeps as
    they are (docs/i18n.md), and the legal terms its Chinese texts gloss in English
    ("假名化（pseudonymisation）")."""
    from permed_atlas.transfer import load_rule_sets
    from permed_atlas.transfer.engine import FACTS
    from permed_atlas.transfer.fields import FIELDS

    yield from FACTS
    yield from (choice for spec in FIELDS for choice in spec.choices)
    yield from ("full", "partial", "none")  # the values of the derived fact importer_adequacy
    for rule_set in load_rule_sets():
        for rule in rule_set.rules:
            yield from (rule.explanation_zh, rule.obligation_zh, *rule.evidence_zh)


def _untranslated_prose(site: Site) -> Iterator[str]:
    """The helpdesk entries' English fields that have no Chinese field yet (docs/i18n-data.md);
    their summaries and the glossary's explanations have theirs (``summary_zh``,
    ``explanation_zh``), so they are not here."""
    from permed_atlas.helpdesk import load_glossary, load_knowledge

    for entry in load_knowledge().entries:
        yield from (entry.authority, entry.timeline, entry.fees, entry.caveat)
        yield from entry.documents
        yield from (str(r) for r in entry.references)
        yield from (step.ref for step in entry.procedure if step.ref)
    for term in load_glossary():
        yield from (term.name, term.reference)
    from permed_atlas.transfer import load_rule_sets

    for rule_set in load_rule_sets():  # versions and citations, marked English on pages
        yield rule_set.version
        yield from (str(ref) for rule in rule_set.rules for ref in rule.references)


@pytest.fixture(scope="module")
def site(tmp_path_factory, _migrated_platform_template, _web_corpus_template) -> Site:  # type: ignore[no-untyped-def]
    data_dir = tmp_path_factory.mktemp("crawl") / "permed-data"
    built = build_site(data_dir, _migrated_platform_template, _web_corpus_template)
    yield built
    built.close()


def _get_routes(site: Site) -> list[str]:
    from fastapi.routing import iter_route_contexts

    paths = set()
    for context in iter_route_contexts(site.app.routes):
        route = context.original_route
        if isinstance(route, Route) and "GET" in (route.methods or set()):
            paths.add(context.path)
    return sorted(p for p in paths if not p.startswith(("/api/", "/static", "/docs")))


def _filled(template: str, values: dict[str, list[str]]) -> Iterator[str]:
    names = re.findall(r"\{(\w+)\}", template)
    if not names:
        yield template
        return
    name = names[0]
    options = values.get(name, [])
    if name == "entry_id":
        options = next(v for prefix, v in _ENTRY_IDS.items() if template.startswith(prefix))
    for value in options:
        yield from _filled(template.replace("{" + name + "}", value, 1), values)


def _csrf(client: TestClient) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/password").text)
    assert token
    return token.group(1)


def _access_request(client: TestClient) -> str:
    """An access request to the biobanks that hold breast cancer samples; its id."""
    response = client.post(
        "/federation/requests",
        data={"title": TYPED[0], "description": TYPED[1] + ".",
              "diagnosis": "C50", "sex": "female", "csrf_token": _csrf(client)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


def _urls(site: Site, client: TestClient) -> list[str]:
    values = _path_values(site)
    finder = client.get("/partners/?q=lung+cancer").text
    values["author_id"] = re.findall(r'href="/partners/authors/([^"]+)"', finder)[:2]
    values["request_id"] = [_access_request(client)]
    urls, missing = [], []
    for template in _get_routes(site):
        filled = [u for u in _filled(template, values) if not NOT_FOR_READING.search(u)]
        if not filled and not NOT_FOR_READING.search(template):
            missing.append(template)
        urls.extend(filled)
    assert not missing, (
        f"no sample values for the parameters of {missing}: add them to _path_values"
    )
    return urls + EXTRA_PAGES


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_speaks_the_readers_language(site: Site, language: str) -> None:
    walk = Walk(site, language)
    admin = walk.client("admin")
    urls = _urls(site, admin)
    for url in urls:
        walk.read(admin, url, who="admin")
    for role in (None, "member", "editor"):
        client = walk.client(role)
        for url in urls:
            walk.read(client, url, who=role or "anonymous")
    assert not walk.findings, walk.report()


def _parser_words(form: dict[str, str]) -> list[str]:
    """PyYAML's own English description of a broken document, which the roadmap form quotes
    (a third-party parser's message, like Click's usage errors, stays English)."""
    import yaml

    from permed_atlas.datafiles import load_yaml

    try:
        load_yaml(form.get("document", ""))
    except yaml.YAMLError as exc:
        return [str(exc)]
    return []


def _post_routes(site: Site) -> list[str]:
    from fastapi.routing import iter_route_contexts

    return sorted(
        context.path
        for context in iter_route_contexts(site.app.routes)
        if isinstance(context.original_route, Route)
        and "POST" in (context.original_route.methods or set())
        and not context.path.startswith("/api/")
        and context.path != "/logout"
    )


def _posts(site: Site) -> list[tuple[str, dict[str, str], str]]:
    """(path, form, what it shows): bad input for every form, then writes that succeed.

    Every POST route gets at least the empty form (a required field missing); the forms
    people fill in get typical mistakes and a good submission whose notice is checked.
    """
    item, token = site.open_items[0], site.tokens["zh"]
    study, round_, code = site.demo_study, site.open_round, "dpyd-centres-cn"
    # The draft round of the demo study's second survey can still be edited.
    return [
        ("/login", {"email": "nobody@example.org", "password": "wrong"}, "login refused"),
        ("/password", {"current_password": "wrong", "new_password": "x"}, "password refused"),
        ("/accounts/users", {"email": "not-an-email", "password": "short", "role": "member"},
         "user refused"),
        ("/accounts/users", {"email": "new@example.org", "password": PASSWORD, "role": "editor"},
         "user created"),
        (f"/accounts/users/{site.temp_user}/role", {"role": "emperor"}, "role refused"),
        (f"/accounts/users/{site.admin_user}/deactivate", {}, "last admin kept"),
        (f"/accounts/users/{site.temp_user}/deactivate", {}, "user deactivated"),
        (f"/accounts/users/{site.temp_user}/activate", {}, "user activated"),
        ("/delphi/new", {"slug": "x y", "title": ""}, "study refused"),
        (f"/delphi/respond/{token}", {f"rating_{item}": "7"}, "rating refused"),
        (f"/delphi/respond/{token}", {f"rating_{item}": "4", f"comment_{item}": "很重要"},
         "ratings saved"),
        (f"/delphi/rounds/{round_}/invitations", {"deliver": "page", "reissue": "on",
                                                  "days": "30"}, "personal links"),
        (f"/delphi/rounds/{round_}/invitations", {"days": "30"}, "mail merge, nobody new"),
        (f"/delphi/rounds/{round_}/invitations", {"days": "30", "reissue": "on"}, "mail merge"),
        (f"/delphi/studies/{study}/synthesis", {"action_code": ""}, "synthesis refused"),
        ("/directory/new", {"kind": "funder", "id": "Bad Id!", "name": ""}, "entry refused"),
        ("/directory/anr/edit", {"base_revision": "0", "name": "ANR"}, "edit conflict"),
        ("/directory/anr/restore", {"revision": "99", "base_revision": "1"}, "restore refused"),
        ("/federation/requests", {"title": ""}, "request refused"),
        ("/helpdesk/entries/de-drks/confirm", {"source": "not a url", "checked_on": "20xx"},
         "confirmation refused"),
        ("/helpdesk/entries/de-drks/confirm", {"source": "https://drks.de", "checked_on":
                                               "2026-11-30", "note": "核对了官网"}, "confirmed"),
        ("/roadmap/new", {"document": "slug: [unclosed"}, "roadmap refused"),
        ("/roadmap/import", {"text": "indicator,date\nnope,20x5-1-1\n"}, "import refused"),
        ("/roadmap/from-delphi", {"study": "no-such-study"}, "from Delphi refused"),
        (f"/roadmap/indicators/{code}/observations", {"observed_on": "2024-06-30",
                                                      "value": "abc", "source": ""},
         "observation refused"),
        (f"/roadmap/indicators/{code}/observations", {"observed_on": "2026-06-30",
                                                      "value": "33", "source": "调查"},
         "observation saved"),
        ("/roadmap/ic2permed/indicators/new", {"code": "", "name": ""}, "indicator refused"),
    ]  # fmt: skip


@pytest.mark.parametrize("language", ["zh", "en"])
def test_forms_errors_and_notices_speak_the_readers_language(site: Site, language: str) -> None:
    walk = Walk(site, language)
    admin = walk.client("admin")
    token = _csrf(admin)
    filled = _path_values(site) | {"entry_id": ["anr"], "request_id": [_access_request(admin)]}
    for template in _post_routes(site):  # every form sent empty: what is missing is said
        for path in list(_filled(template, filled))[:1]:
            response = admin.post(path, data={"csrf_token": token})
            walk.read(admin, path, who="admin, empty form", response=response)
    for path, form, what in _posts(site):
        response = admin.post(path, data={**form, "csrf_token": token})
        walk.read(admin, path, who=f"admin, {what}", response=response,
                  typed=[*form, *form.values(), *_parser_words(form)])  # fmt: skip
    # a form without its CSRF token, a page for editors as a member, a 429 after failed logins
    member = walk.client("member")
    walk.read(member, "/directory/anr/edit", who="member, no CSRF",
              response=member.post("/directory/anr/edit", data={"name": "x"}))  # fmt: skip
    for _ in range(7):  # an address of its own: the limits must not lock the others out
        fields = {"email": f"nobody-{language}@example.org", "password": "no"}
        refused = member.post("/login", data={**fields, "csrf_token": _csrf(member)})
    assert refused.status_code == 429, refused.status_code
    walk.read(member, "/login", who="after failed logins", response=refused)
    assert not walk.findings, walk.report()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_empty_site_and_error_pages_speak_the_readers_language(
    app: Any, make_user: Any, language: str
) -> None:
    """A fresh install (no corpus, no studies, no roadmaps loaded) says so in the reader's
    language, and so do 404s, a 500 and an API-style 401 reached from a page."""
    from fastapi import APIRouter

    boom = APIRouter()

    @boom.get("/boom")
    def explode() -> None:
        raise RuntimeError("a bug: secret internal detail")

    app.include_router(boom)
    make_user("admin@example.org", "admin", PASSWORD)
    site = Site(app=app, settings=app.state.settings)
    names = _Vocabulary(_curated_names(site))
    names.blob = "\n".join(names)
    walk = Walk(site, language, vocabulary=names)
    for role in (None, "admin"):
        client = walk.client(role)
        for url in [*(u for u in _get_routes(site) if "{" not in u), "/boom", "/nope",
                    "/delphi/studies/7", "/roadmap/nope", "/directory/nope"]:  # fmt: skip
            walk.read(client, url, who=role or "anonymous")
    assert walk.statuses["/boom"] == 500
    assert not walk.findings, walk.report()
