"""The safe XML parser: entity bombs, external entities and local DTDs never get through.

In the spirit of defusedxml's tests: each attack must raise ParseError (or, for an
external DTD, parse without reading it), and no byte of the local file may appear.
"""

from pathlib import Path

import pytest
from lxml import etree

from references.parsers import parse_file, xmlsafe
from references.parsers.jats import jats_abstract, markup_to_text
from references.parsers.pubmed import parse_pubmed_xml
from references.parsers.records import ParseError

HANDBUILT = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "handbuilt"
ATTACKS = ["billion-laughs.xml", "xxe-etc-passwd.xml", "xxe-parameter-entity.xml"]


def _attack(name: str) -> bytes:
    return (HANDBUILT / "xml" / name).read_bytes()


def _passwd_marker() -> str:
    # Any line of the real file would do; "root:" is on every Linux.
    return "root:"


@pytest.mark.parametrize("name", ATTACKS)
def test_parse_bytes_refuses_entity_declarations(name):
    with pytest.raises(ParseError) as info:
        xmlsafe.parse_bytes(_attack(name))
    assert _passwd_marker() not in str(info.value)


@pytest.mark.parametrize("name", ATTACKS)
def test_iterparse_refuses_entity_declarations(name):
    with pytest.raises(ParseError):
        list(xmlsafe.iterparse(_attack(name), tag="ArticleTitle"))


@pytest.mark.parametrize("name", ATTACKS)
@pytest.mark.parametrize("stream_above", [0, 10**9], ids=["streamed", "whole"])
def test_pubmed_parser_refuses_entity_declarations(name, stream_above):
    with pytest.raises(ParseError) as info:
        parse_pubmed_xml(_attack(name), stream_above=stream_above)
    assert _passwd_marker() not in str(info.value)


def test_billion_laughs_is_refused_quickly():
    import time

    start = time.perf_counter()
    with pytest.raises(ParseError, match="entity"):
        parse_pubmed_xml(_attack("billion-laughs.xml"))
    assert time.perf_counter() - start < 1.0


def test_xxe_entity_message_names_the_entity():
    with pytest.raises(ParseError, match="'xxe'"):
        parse_pubmed_xml(_attack("xxe-etc-passwd.xml"))


@pytest.mark.parametrize("name", ATTACKS)
def test_uploaded_xml_is_refused_too(name):
    with pytest.raises(ParseError):
        parse_file(_attack(name), "export.xml")


def test_external_dtd_pointing_at_a_local_file_is_not_read():
    batch = parse_pubmed_xml(_attack("external-dtd-local-file.xml"))
    assert [r.title for r in batch.records] == ["External DTD"]
    assert _passwd_marker().encode() not in batch.records[0].raw


def test_entity_from_an_external_dtd_is_never_expanded(tmp_path):
    dtd = tmp_path / "secret.dtd"
    dtd.write_text('<!ENTITY secret "LEAKED-SECRET">')
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "{dtd.as_uri()}">\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>5</PMID><Article>"
        "<ArticleTitle>A &secret; title</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>"
    ).encode()
    batch = parse_pubmed_xml(doc)
    assert "LEAKED-SECRET" not in batch.records[0].title


def test_jats_fragment_with_a_doctype_is_not_parsed_as_xml():
    # A DOCTYPE cannot sit inside the wrapper element, so the fragment falls back to
    # tag stripping; the entity is never expanded.
    fragment = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><jats:p>&e;</jats:p>'
    text, _ = jats_abstract(fragment)
    assert _passwd_marker() not in text
    assert _passwd_marker() not in markup_to_text(fragment)


def test_parser_options_are_the_safe_ones():
    parser = xmlsafe.make_parser(resolve_entities=True, no_network=False, load_dtd=True)
    # Overrides of the security options are ignored.
    doc = _attack("xxe-etc-passwd.xml")
    root = etree.fromstring(doc, parser)
    assert _passwd_marker() not in "".join(root.itertext())
    assert xmlsafe.PARSER_OPTIONS["resolve_entities"] is False
    assert xmlsafe.PARSER_OPTIONS["no_network"] is True
    assert xmlsafe.PARSER_OPTIONS["load_dtd"] is False
    assert xmlsafe.PARSER_OPTIONS["huge_tree"] is False


def test_input_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(ParseError, match="too large"):
        xmlsafe.parse_bytes(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)
    with pytest.raises(ParseError, match="too large"):
        parse_pubmed_xml(
            b"<PubmedArticleSet>" + b" " * 2000 + b"</PubmedArticleSet>", max_bytes=1000
        )


def test_deeply_nested_document_is_refused():
    depth = 5000  # libxml2 refuses more than 256 levels without huge_tree
    doc = b"<PubmedArticleSet>" + b"<a>" * depth + b"</a>" * depth + b"</PubmedArticleSet>"
    with pytest.raises(ParseError):
        parse_pubmed_xml(doc)


def test_entity_hidden_from_the_quick_look_is_caught_after_parsing():
    # A "]" in a comment ends the quick look at the internal subset early; the
    # declaration after it must still be refused, by the check on the parsed DTD.
    doc = (
        b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n<!-- ] -->\n'
        b'<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        b"<ArticleTitle>&xxe;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        b"</PubmedArticleSet>"
    )
    assert xmlsafe._declared_entity(doc) is None
    for stream_above in (0, 10**9):
        with pytest.raises(ParseError, match="'xxe'"):
            parse_pubmed_xml(doc, stream_above=stream_above)


def test_a_doctype_without_entities_is_accepted():
    data = (HANDBUILT.parent / "pubmed" / "efetch" / "biopython-pubmed1.xml").read_bytes()
    root = xmlsafe.parse_bytes(data)
    xmlsafe.check_doctype(root.getroottree())
    assert root.tag == "PubmedArticleSet"
