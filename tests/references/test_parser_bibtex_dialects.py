"""BibTeX read the way BibTeX reads it: macros, concatenation, inheritance, names, dates."""

from __future__ import annotations

from references.parsers.bibtex import parse_bibtex


def parse(text: str):
    return parse_bibtex(text.encode())


def one(text: str):
    result = parse(text)
    assert result.errors == []
    (record,) = result.records
    return record


def names(record) -> list[tuple[str, str, str, str]]:
    return [(a.family, a.given, a.suffix, a.collective) for a in record.authors]


def test_string_macros_joined_with_hash_are_evaluated():
    record = one(
        '@string{cool = "Cool"}\n@STRING{first = {jean}}\n'
        '@string{both = first # " " # "cesar"}\n'
        '@article{a, title = cool # " " # {stuff}, author = both # " and Doe, J.",\n'
        '  journal = "J. " # {of } # 42, year = 1999}\n'
    )
    assert record.title == "Cool stuff"
    assert names(record) == [("cesar", "jean", "", ""), ("Doe", "J.", "", "")]
    assert record.journal == "J. of 42"


def test_month_macros_and_an_undefined_macro():
    record = one("@article{a, title={T}, year=2001, month=sep, publisher=Springer}")
    assert (record.month, record.publication_date) == (9, "2001-09")
    assert record.publisher == "Springer"  # undefined: its name is kept, not lost


def test_crossref_child_inherits_year_and_book_title():
    result = parse(
        "@inproceedings{child, title={A Paper}, author={Doe, Jane}, crossref={Proc15},\n"
        "  pages={1--9}}\n"
        "@proceedings{proc15, title={Proceedings of {X}}, year={2015}, publisher={P},\n"
        "  volume={7}}\n"
    )
    child, parent = result.records
    assert (child.title, child.year, child.journal, child.volume) == (
        "A Paper",
        2015,
        "Proceedings of X",
        "7",
    )
    assert child.publisher == "P"
    assert (parent.title, parent.year) == ("Proceedings of X", 2015)


def test_crossref_to_a_book_gives_an_incollection_its_container():
    result = parse(
        "@incollection{ch, title={Chapter}, crossref={bk}}\n"
        "@book{bk, title={The Book}, date={2011-05}}\n"
    )
    chapter, book = result.records
    assert (chapter.journal, chapter.year, chapter.month) == ("The Book", 2011, 5)
    assert book.journal == ""


def test_xdata_fields_are_inherited_and_xdata_entries_are_not_records():
    result = parse(
        "@xdata{jx, journaltitle={Journal of Data}, year={2001}}\n"
        "@article{a, title={Uses xdata}, xdata={jx}}\n"
    )
    (record,) = result.records
    assert (record.journal, record.year) == ("Journal of Data", 2001)


def test_crossref_cycles_do_not_hang():
    result = parse("@article{a, title={A}, crossref={b}}\n@article{b, title={B}, crossref={a}}\n")
    assert [r.title for r in result.records] == ["A", "B"]


def test_incollection_container_is_the_booktitle():
    record = one("@incollection{a, title={Ch}, booktitle={{B}ook of {T}hings}, year=2001}")
    assert record.journal == "Book of Things"


def test_fjournal_is_the_journal_and_the_abbreviation_is_kept():
    record = one(
        "@article{a, title={T}, journal={Ann. Intern. Med.},\n"
        "  fjournal={Annals of Internal Medicine}, year=2001}"
    )
    assert (record.journal, record.journal_abbreviation) == (
        "Annals of Internal Medicine",
        "Ann. Intern. Med.",
    )


def test_identifiers_in_note_and_eprint():
    result = parse(
        "@article{a, title={A}, note={{PMID:} 23439512}}\n"
        "@article{b, title={B}, eprint={12345678}, eprinttype={pubmed}}\n"
        "@article{c, title={C}, eprint={2101.00001}, archiveprefix={arXiv}}\n"
        "@article{d, title={D}, note={PMCID: PMC1234567; doi:10.1000/xyz123.}}\n"
    )
    assert result.errors == []
    assert [(r.pmid, r.pmcid, r.doi) for r in result.records] == [
        ("23439512", None, None),
        ("12345678", None, None),
        (None, None, None),
        (None, "PMC1234567", "10.1000/xyz123"),
    ]


def test_latex_accents_and_braces():
    record = one(
        "@article{a, title={Caract{\\'e}risation {\\`a} {B}alayage},\n"
        "  author={Radim {\\v R}eh{\\r u}{\\v r}ek and T{\\o}nnesen, {\\O}ie}, year=2010}"
    )
    assert record.title == "Caractérisation à Balayage"
    assert names(record) == [("Řehůřek", "Radim", "", ""), ("Tønnesen", "Øie", "", "")]


def test_name_forms():
    record = one(
        "@book{a, title={T}, year=2000, author={von Neumann, Jr., John and Smith, John, Ed.\n"
        "  and Brown, Bob, Jr. and {World Health Organization}\n"
        "  and National Collaborating Centre for Chronic Conditions and others}}"
    )
    assert names(record) == [
        ("von Neumann", "John", "Jr.", ""),
        ("Smith", "John", "", ""),
        ("Brown", "Bob", "Jr.", ""),
        ("", "", "", "World Health Organization"),
        ("", "", "", "National Collaborating Centre for Chronic Conditions"),
    ]


def test_years_outside_the_range_and_bce_keep_the_words():
    result = parse(
        "@book{a, title={Old}, year={1533}}\n"
        "@book{b, title={Older}, year={around 2000bc}}\n"
        "@book{c, title={Oldest}, date={-0500}}\n"
        "@book{d, title={In press}, year={2012 (in press)}}\n"
    )
    assert result.errors == []
    assert [(r.year, r.publication_date, r.date_text) for r in result.records] == [
        (None, "", "1533"),
        (None, "", "around 2000bc"),
        (None, "", "-0500"),
        (2012, "2012", "2012 (in press)"),
    ]


def test_error_messages_do_not_repeat_the_line():
    result = parse(
        "@article{good, title={Good}}\n\n@article{broken,\n  title = {Never closed,\n"
        "@article{baddoi, title={Bad}, doi={10.12/x}}\n"
    )
    assert [r.title for r in result.records] == ["Good"]
    assert [e.line for e in result.errors] == [3, 5]
    assert all("line" not in e.message.lower() for e in result.errors)
    assert result.errors[0].message.startswith("malformed entry:")


def test_keyless_entries_and_duplicate_fields_are_kept():
    result = parse(
        "@article{, title={No key one}}\n@article{, title={No key two}}\n"
        "@article{\n  title = {EndNote style}, year = 2012}\n"
        "@article{dup, title={First}, title={Second}}\n"
    )
    assert result.errors == []
    assert [r.title for r in result.records] == [
        "No key one",
        "No key two",
        "EndNote style",
        "First",
    ]


def test_collection_named_only_by_booktitle():
    record = one("@collection{c, booktitle={Special Issue}, editor={Hsu, M.}, year=1993}")
    assert record.title == "Special Issue"


def test_digits_sub_and_superscripted_in_math_become_unicode():
    record = one(
        "@article{a, title = {Cuprous oxide ({Cu$_2$O}) and $^{13}$C in SO$_4$}, year = 1998}"
    )
    assert record.title == "Cuprous oxide (Cu₂O) and ¹³C in SO₄"
