"""Vancouver citations (evidence.citations): pure functions, no database."""

from types import SimpleNamespace

from evidence.citations import vancouver, vancouver_authors, vancouver_details


def _reference(**fields):
    defaults = {
        "doi": None,
        "pmid": None,
        "title": "A title",
        "authors": [],
        "journal": "",
        "journal_abbreviation": "",
        "year": None,
        "volume": "",
        "issue": "",
        "pages": "",
        "url": "",
    }
    return SimpleNamespace(**{**defaults, **fields})


def test_up_to_six_authors_then_et_al():
    authors = [{"family": f"Name{i}", "initials": "A"} for i in range(7)]
    assert vancouver_authors(authors[:6]) == ", ".join(f"Name{i} A" for i in range(6))
    assert vancouver_authors(authors).endswith("Name5 A, et al.")
    assert "Name6" not in vancouver_authors(authors)


def test_initials_come_from_given_names_when_missing():
    assert vancouver_authors([{"family": "Bruce", "given": "Ian N."}]) == "Bruce IN"
    assert vancouver_authors([{"family": "Wolff", "given": "Hans-Jürgen"}]) == "Wolff HJ"


def test_partial_author_list_marker_and_collective_authors():
    authors = [{"family": "Muscat", "initials": "C"}, {"collective": "et al."}]
    assert vancouver_authors(authors) == "Muscat C, et al."
    assert vancouver_authors([{"collective": "National Blood Authority"}]) == (
        "National Blood Authority"
    )


def test_details_degrade_gracefully():
    assert vancouver_details(year=2015, volume="54", issue="3", pages="383-91") == (
        "2015;54(3):383-91"
    )
    assert vancouver_details(year=2021, volume="41", issue="", pages="1273-1280") == (
        "2021;41:1273-1280"
    )
    assert vancouver_details(year=2004, volume="", issue="", pages="") == "2004"
    assert vancouver_details(year=None, volume="", issue="", pages="") == ""


def test_full_citation_and_links():
    citation = vancouver(
        _reference(
            doi="10.1136/ard.54.5.382",
            pmid="1234567",
            title="Long term treatment of rheumatoid arthritis",
            authors=[{"family": "Muscat", "initials": "C"}, {"collective": "et al."}],
            journal="Annals of the rheumatic diseases",
            journal_abbreviation="Ann Rheum Dis",
            year=1995,
            volume="54",
            issue="5",
            pages="382-5",
        )
    )
    assert citation.text == (
        "Muscat C, et al. Long term treatment of rheumatoid arthritis. "
        "Ann Rheum Dis. 1995;54(5):382-5."
    )
    assert citation.doi_url == "https://doi.org/10.1136/ard.54.5.382"
    assert citation.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/1234567/"


def test_title_punctuation_is_not_doubled_and_unsafe_urls_are_dropped():
    citation = vancouver(_reference(title="Does it work?", url="javascript:alert(1)"))
    assert citation.text == "Does it work?"
    assert citation.url == ""
    assert vancouver(_reference(url="https://example.org/x")).url == "https://example.org/x"
