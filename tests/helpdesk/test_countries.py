"""Finding countries in questions: names, demonyms, abbreviations, in order of mention."""

from __future__ import annotations

import pytest

from permed_atlas.helpdesk import detect_countries, load_knowledge
from permed_atlas.helpdesk.countries import unique_codes


def _codes(text: str) -> tuple[str, ...]:
    knowledge = load_knowledge()
    mentions = detect_countries(text, demonyms=knowledge.demonyms,
                                abbreviations=knowledge.abbreviations)  # fmt: skip
    return unique_codes(mentions)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("a trial in Germany and China", ("DE", "CN")),
        ("German and Chinese hospitals", ("DE", "CN")),
        ("a German-Chinese consortium", ("DE", "CN")),
        ("samples from the People's Republic of China", ("CN",)),
        ("rules in the EU for ethics", ("EU",)),
        ("the European Union and the PRC", ("EU", "CN")),
        ("sites in Hong Kong and mainland China", ("HK", "CN")),
        ("france, italy and spain", ("FR", "IT", "ES")),
        ("Dutch and Belgian partners", ("NL", "BE")),
        ("the Republic of Korea", ("KR",)),
        ("ship it to the US or the UK", ("US", "GB")),
        ("Does it apply to us? tell us more about it", ()),
        ("jordan will chad the costs", ()),
        ("Jordan and Chad", ("JO", "TD")),
        ("no country at all", ()),
        # Cities and provinces name their country (the shared place tables).
        ("blood samples from a hospital in Shanghai to Heidelberg", ("CN", "DE")),
        ("a site in guangdong and one in new york", ("CN", "US")),
        ("Inner Mongolia and Mongolia", ("CN", "MN")),
        ("在广州和慕尼黑开展试验", ("CN",)),
        ("Roma patients in Sofia", ()),
    ],
)
def test_countries_are_found(text: str, codes: tuple[str, ...]) -> None:
    assert _codes(text) == codes


def test_mentions_keep_their_position_and_words() -> None:
    knowledge = load_knowledge()
    text = "Send Chinese samples to Germany"
    mentions = detect_countries(text, demonyms=knowledge.demonyms,
                                abbreviations=knowledge.abbreviations)  # fmt: skip
    assert [(m.code, m.text) for m in mentions] == [("CN", "Chinese"), ("DE", "Germany")]
    assert text[mentions[1].start : mentions[1].end] == "Germany"


def test_a_flow_between_cities_is_a_flow_between_their_countries() -> None:
    from permed_atlas.helpdesk.flow import read_flow

    knowledge = load_knowledge()
    question = "Can we send tumour samples from a hospital in Shanghai to a lab in Heidelberg?"
    mentions = detect_countries(question, demonyms=knowledge.demonyms,
                                abbreviations=knowledge.abbreviations)  # fmt: skip
    flow = read_flow(question, mentions)
    assert flow is not None and (flow.origin, flow.destination) == ("CN", "DE")
