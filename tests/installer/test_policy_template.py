"""The Group Policy template: up to date, well formed, and true to engine/settings.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from engine.settings import POLICY_KEY, SETTINGS
from installer import policy
from installer.wxs import MSI_SETTINGS

NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
ADMX = policy.FOLDER / "ed-sentinel.admx"


def adml(language: str) -> ET.Element:
    return ET.parse(policy.FOLDER / language / "ed-sentinel.adml").getroot()


def test_committed_files_are_what_the_generator_makes() -> None:
    for relative, text in policy.rendered().items():
        committed = (policy.FOLDER / relative).read_text("utf-8")
        assert committed == text, f"{relative} is stale: run `python -m installer.policy`"


def test_every_msi_property_has_a_policy() -> None:
    covered = {p.key for p in policy.POLICIES}
    assert {s.key for s in MSI_SETTINGS} <= covered
    assert covered <= set(SETTINGS)


def test_policies_write_the_setting_keys_under_the_policy_key() -> None:
    root = ET.parse(ADMX).getroot()
    written = {}
    for element in root.iterfind(".//p:policy", NS):
        assert element.get("key") == POLICY_KEY
        assert element.get("class") == "Both"
        names = [e.get("valueName", "") for e in element.iter() if e.get("valueName")]
        assert len(names) == 1, element.get("name")
        written[names[0]] = element
    assert set(written) == {p.key for p in policy.POLICIES}

    for key, element in written.items():
        setting = SETTINGS[key]
        kinds = {child.tag.split("}")[1] for child in element.iterfind("p:elements/*", NS)}
        expected = {"list": {"multiText"}, "bool": set(), "int": {"decimal"},
                    "float": {"decimal"}}.get(setting.kind, {"enum"} if setting.choices
                                              else {"text"})
        assert kinds == expected, key
        items = [v.text for v in element.iterfind(".//p:item/p:value/p:string", NS)]
        assert tuple(items) == setting.choices, key


def test_decimal_limits_stay_inside_the_settings_limits() -> None:
    root = ET.parse(ADMX).getroot()
    for decimal in root.iterfind(".//p:decimal[@valueName]", NS):
        setting = SETTINGS[decimal.get("valueName", "")]
        low, high = int(decimal.get("minValue", "")), int(decimal.get("maxValue", ""))
        assert setting.minimum is None or low >= setting.minimum
        assert setting.maximum is None or high <= setting.maximum
        assert low <= setting.default <= high


@pytest.mark.parametrize("language", policy.LANGUAGES)
def test_every_string_and_presentation_is_defined(language: str) -> None:
    text = ADMX.read_text("utf-8")
    resources = adml(language)
    strings = {s.get("id") for s in resources.iterfind(".//p:stringTable/p:string", NS)}
    shown = {s.get("id"): s for s in resources.iterfind(".//p:presentationTable/*", NS)}
    assert set(re.findall(r"\$\(string\.([^)]+)\)", text)) <= strings
    assert set(re.findall(r"\$\(presentation\.([^)]+)\)", text)) == set(shown)

    ids = {e.get("id") for e in ET.parse(ADMX).getroot().iterfind(".//p:elements/*", NS)}
    for presentation in shown.values():
        refs = {child.get("refId") for child in presentation}
        assert refs and refs <= ids


def test_chinese_texts_are_chinese() -> None:
    strings = {s.get("id"): s.text or "" for s in adml("zh-CN").iterfind(".//p:string", NS)}
    assert strings["InferenceUrls"] == "推理服务器地址"
    assert all(re.search(r"[\u4e00-\u9fff]", strings[f"{p.name}_Help"])
               for p in policy.POLICIES)
