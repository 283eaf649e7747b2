"""The demo data file is checked on load: a bad entry is refused, naming where it is."""

import copy

import pytest
import yaml

from evidence.demo.loader import IVIG, DemoDataError, demo_data_check, demo_data_load


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(IVIG.read_text(encoding="utf-8"))


def _refused(raw: dict, change) -> str:
    bad = copy.deepcopy(raw)
    change(bad)
    with pytest.raises(DemoDataError) as error:
        demo_data_check(bad)
    return str(error.value)


def test_the_shipped_file_passes():
    data = demo_data_load()
    assert len(data.studies) == 9
    assert len(data.verdicts) == 4


def test_a_design_outside_the_vocabulary_is_refused(raw):
    message = _refused(raw, lambda bad: bad["studies"][3].update(design="rtc"))
    assert message.startswith("studies[3].design: 'rtc' is not one of 'rct', ")


def test_a_reference_key_not_defined_is_refused(raw):
    message = _refused(raw, lambda bad: bad["verdicts"][1]["references"].append("nobody1999"))
    assert message.startswith("verdicts[1].references[")
    assert "'nobody1999' is not a reference key defined in the file" in message


def test_an_unknown_or_missing_key_is_refused(raw):
    unknown = _refused(raw, lambda bad: bad["adverse_effects"][0].update(sevrity="mild"))
    assert unknown.startswith("adverse_effects[0].sevrity: unknown key")
    missing = _refused(raw, lambda bad: bad["conditions"][2].pop("name"))
    assert missing == "conditions[2].name: missing"


def test_a_condition_slug_not_defined_is_refused(raw):
    message = _refused(raw, lambda bad: bad["studies"][0].update(condition="gout"))
    assert message == "studies[0].condition: 'gout' is not a condition slug defined in the file"
