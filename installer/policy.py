"""The Group Policy template (ADMX with English and Chinese ADML) for ED Sentinel's settings.

Each policy writes one value named after the setting's key under `SOFTWARE\\Policies\\ED Sentinel`
(HKLM for computer policy, HKCU for user policy); the app reads it before anything else and the
user cannot change it. The element type follows the setting's type in engine/settings.py: lists
are multi-line text (REG_MULTI_SZ), choices a drop-down list, true/false an enabled/disabled
switch (REG_DWORD 1/0), numbers a whole-number box (REG_DWORD), anything else text (REG_SZ).

The files in installer/policy/ are generated: `python -m installer.policy` rewrites them, and a
test fails when they differ from what this module makes.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from engine.settings import POLICY_KEY, SETTINGS, Setting

FOLDER = Path(__file__).with_name("policy")
ADMX_NAME = "ed-sentinel"
NAMESPACE = "EDSentinel.Policies"
PREFIX = "edsentinel"
LANGUAGES = ("en-US", "zh-CN")

CATEGORIES = {
    "Box": ("Inference box", "推理服务器"),
    "KnowledgeBase": ("Knowledge base", "知识库"),
    "Workstation": ("Workstation", "工作站"),
    "Dictation": ("Dictation", "语音录入"),
}


@dataclass(frozen=True)
class Policy:
    """One policy: the setting it fixes, its category and texts in English and Chinese."""

    key: str
    category: str
    title: tuple[str, str]
    explain: tuple[str, str]

    @property
    def setting(self) -> Setting:
        return SETTINGS[self.key]

    @property
    def name(self) -> str:
        return "".join(part.capitalize() for part in self.key.split("_"))


POLICIES = (
    Policy("inference_urls", "Box", ("Inference box URLs", "推理服务器地址"), (
        "Base URLs of the hospital's inference box (OpenAI-compatible), one per line, tried "
        "in order. Example: https://llm.hospital.local:8443",
        "医院推理服务器（兼容 OpenAI 接口）的地址，每行一个，按顺序尝试。"
        "例如 https://llm.hospital.local:8443")),
    Policy("ca_bundle", "Box", ("CA bundle for the box", "推理服务器 CA 证书"), (
        "Full path of a PEM file with the CA certificates that sign the box's TLS certificate. "
        "Empty: the system's certificate store.",
        "签发推理服务器 TLS 证书的 CA 证书（PEM 文件）完整路径。留空则使用系统证书。")),
    Policy("tls_verify", "Box", ("Verify the box's TLS certificate", "校验推理服务器证书"), (
        "Enabled: the box's certificate is verified (recommended). Disabled: it is not.",
        "启用：校验推理服务器的证书（推荐）。禁用：不校验。")),
    Policy("tls_insecure_hosts", "Box", ("Hosts exempt from TLS verification",
                                         "免于证书校验的主机"), (
        "Host names, one per line, whose certificates are not verified. Use only for a box "
        "with a self-signed certificate on an isolated network.",
        "不校验证书的主机名，每行一个。仅用于隔离网络中使用自签名证书的服务器。")),
    Policy("dialect", "Box", ("Structured-output dialect", "结构化输出方式"), (
        "How the app asks the box for JSON: auto (detect), llama_cpp or openai.",
        "向服务器请求 JSON 的方式：auto（自动识别）、llama_cpp 或 openai。")),
    Policy("model", "Box", ("Model name", "模型名称"), (
        "Model name sent to the box. Empty: the first model the box lists.",
        "发送给服务器的模型名称。留空则使用服务器列出的第一个模型。")),
    Policy("engine", "Box", ("Drafting engine", "病历生成方式"), (
        "rules: the deterministic engine only; model: always refine with the model; "
        "auto: the model when the box answers, rules otherwise.",
        "rules：仅规则引擎；model：总是使用模型；auto：服务器可用时使用模型，否则使用规则。")),
    Policy("read_timeout_s", "Box", ("Read timeout (seconds)", "读取超时（秒）"), (
        "Seconds to wait for the box's next bytes before giving up.",
        "等待服务器返回数据的最长秒数。")),
    Policy("kb_source", "KnowledgeBase", ("Knowledge-base source", "知识库来源"), (
        "Where signed knowledge-base bundles are pulled from: an https URL or a UNC path.",
        "签名知识库包的下载位置：https 地址或 UNC 路径。")),
    Policy("kb_public_key", "KnowledgeBase", ("Knowledge-base signing key",
                                              "知识库签名公钥"), (
        "The ed25519 public key (64 hex digits) that knowledge-base bundles must be signed "
        "with. Bundles with another signature are refused.",
        "知识库包必须使用的 ed25519 签名公钥（64 位十六进制）。签名不符的包将被拒绝。")),
    Policy("kb_embedder", "KnowledgeBase", ("Knowledge-base embedder", "知识库向量模型"), (
        "Which embedder searches the knowledge base: auto, box, local or none (keywords only).",
        "知识库检索使用的向量模型：auto、box、local 或 none（仅关键词）。")),
    Policy("role", "Workstation", ("Workstation role", "工作站角色"), (
        "The role of this workstation's users; it decides which knowledge-base levels they "
        "can read.",
        "本工作站用户的角色，决定可阅读的知识库级别。")),
    Policy("department", "Workstation", ("Department", "科室"), (
        "The department this workstation belongs to.",
        "本工作站所属科室。")),
    Policy("language", "Workstation", ("Interface language", "界面语言"), (
        "zh_CN (Chinese) or en (English).",
        "zh_CN（中文）或 en（英文）。")),
    Policy("retention_hours", "Workstation", ("Case retention (hours)", "病例保留时间（小时）"), (
        "Hours after a case's last change before the workstation purges it.",
        "病例最后一次修改后，在工作站上保留的小时数，之后自动清除。")),
    Policy("always_on_top", "Workstation", ("Keep the panel on top", "面板始终置顶"), (
        "Enabled: the panel stays above the HIS window.",
        "启用：面板始终显示在 HIS 窗口之上。")),
    Policy("vosk_model_dir", "Dictation", ("Speech model folder", "语音模型文件夹"), (
        "Folder of the Vosk model used for dictation, e.g. "
        r"C:\Program Files\ED Sentinel\vosk-model.",
        r"语音录入使用的 Vosk 模型文件夹，例如 C:\Program Files\ED Sentinel\vosk-model。")),
    Policy("vosk_words_file", "Dictation", ("Department word list", "科室词表"), (
        "A text file of the department's words (one per line) that dictation prefers.",
        "科室常用词文本文件（每行一个），语音录入优先识别。")),
)


def render_admx() -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- Generated by installer/policy.py: edit that, then `python -m installer.policy`. -->",
        '<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema"',
        '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0"',
        '    schemaVersion="1.0"',
        '    xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">',
        "  <policyNamespaces>",
        f'    <target prefix="{PREFIX}" namespace="{NAMESPACE}"/>',
        "  </policyNamespaces>",
        '  <resources minRequiredRevision="1.0"/>',
        "  <supportedOn>",
        "    <definitions>",
        '      <definition name="SUPPORTED_EDSentinel"'
        ' displayName="$(string.SUPPORTED_EDSentinel)"/>',
        "    </definitions>",
        "  </supportedOn>",
        "  <categories>",
        '    <category name="EDSentinel" displayName="$(string.EDSentinel)"/>',
    ]
    for category in CATEGORIES:
        lines += [f'    <category name="{category}" displayName="$(string.Category_{category})">',
                  '      <parentCategory ref="EDSentinel"/>',
                  "    </category>"]
    lines += ["  </categories>", "  <policies>"]
    for policy in POLICIES:
        lines += _admx_policy(policy)
    lines += ["  </policies>", "</policyDefinitions>"]
    return "\n".join(lines) + "\n"


def _admx_policy(policy: Policy) -> list[str]:
    setting = policy.setting
    opening = (f'    <policy name="{policy.name}" class="Both"'
               f' displayName="$(string.{policy.name})"'
               f' explainText="$(string.{policy.name}_Help)"')
    if setting.kind == "bool":
        return [
            f'{opening} key={quoteattr(POLICY_KEY)} valueName="{setting.key}">',
            f'      <parentCategory ref="{policy.category}"/>',
            '      <supportedOn ref="SUPPORTED_EDSentinel"/>',
            '      <enabledValue><decimal value="1"/></enabledValue>',
            '      <disabledValue><decimal value="0"/></disabledValue>',
            "    </policy>",
        ]
    return [
        f'{opening} presentation="$(presentation.{policy.name})" key={quoteattr(POLICY_KEY)}>',
        f'      <parentCategory ref="{policy.category}"/>',
        '      <supportedOn ref="SUPPORTED_EDSentinel"/>',
        "      <elements>",
        *_admx_element(policy),
        "      </elements>",
        "    </policy>",
    ]


def _admx_element(policy: Policy) -> list[str]:
    setting = policy.setting
    common = f'id="{policy.name}" valueName="{setting.key}"'
    if setting.kind == "list":
        return [f'        <multiText {common} required="true"/>']
    if setting.choices:
        lines = [f'        <enum {common} required="true">']
        for choice in setting.choices:
            lines.append(f'          <item displayName="$(string.{policy.name}_{choice})">'
                         f"<value><string>{choice}</string></value></item>")
        return [*lines, "        </enum>"]
    if setting.kind in ("int", "float"):
        low, high = _whole_number_limits(setting)
        return [f'        <decimal {common} required="true"'
                f' minValue="{low}" maxValue="{high}"/>']
    return [f'        <text {common} required="true" maxLength="1024"/>']


def _whole_number_limits(setting: Setting) -> tuple[int, int]:
    low = 0 if setting.minimum is None else math.ceil(setting.minimum)
    high = 2**31 - 1 if setting.maximum is None else math.floor(setting.maximum)
    return max(low, 0), high


def render_adml(language: str) -> str:
    which = LANGUAGES.index(language)
    strings = {
        "EDSentinel": "ED Sentinel" if which == 0 else "急诊哨兵 (ED Sentinel)",
        "SUPPORTED_EDSentinel": ("ED Sentinel 0.1 and later" if which == 0
                                 else "急诊哨兵 0.1 及以上版本"),
    }
    for category, titles in CATEGORIES.items():
        strings[f"Category_{category}"] = titles[which]
    presentations = []
    for policy in POLICIES:
        strings[policy.name] = policy.title[which]
        strings[f"{policy.name}_Help"] = _help(policy, which)
        for choice in policy.setting.choices:
            strings[f"{policy.name}_{choice}"] = choice
        if policy.setting.kind != "bool":
            presentations.append(_presentation(policy, which))

    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- Generated by installer/policy.py: edit that, then `python -m installer.policy`. -->",
        '<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema"',
        '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0"',
        '    schemaVersion="1.0"',
        '    xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">',
        f"  <displayName>{escape(strings['EDSentinel'])}</displayName>",
        "  <description>ED Sentinel</description>",
        "  <resources>",
        "    <stringTable>",
    ]
    lines += [f'      <string id="{key}">{escape(text)}</string>' for key, text in strings.items()]
    lines += ["    </stringTable>", "    <presentationTable>", *presentations,
              "    </presentationTable>", "  </resources>", "</policyDefinitionResources>"]
    return "\n".join(lines) + "\n"


def _help(policy: Policy, which: int) -> str:
    registry = (f"Registry value: {policy.setting.key}" if which == 0
                else f"注册表值：{policy.setting.key}")
    return f"{policy.explain[which]}\n\n{registry}"


def _presentation(policy: Policy, which: int) -> str:
    setting = policy.setting
    label = escape(policy.title[which])
    ref = f'refId="{policy.name}"'
    if setting.kind == "list":
        body = f"<multiTextBox {ref}>{label}</multiTextBox>"
    elif setting.choices:
        default = setting.choices.index(setting.default)
        body = (f'<dropdownList {ref} noSort="true" defaultItem="{default}">'
                f"{label}</dropdownList>")
    elif setting.kind in ("int", "float"):
        body = (f'<decimalTextBox {ref} defaultValue="{round(setting.default)}">'
                f"{label}</decimalTextBox>")
    else:
        body = f"<textBox {ref}><label>{label}</label></textBox>"
    return f'      <presentation id="{policy.name}">{body}</presentation>'


def rendered() -> dict[Path, str]:
    """Every template file (relative to installer/policy/) and its content."""
    files = {Path(f"{ADMX_NAME}.admx"): render_admx()}
    for language in LANGUAGES:
        files[Path(language) / f"{ADMX_NAME}.adml"] = render_adml(language)
    return files


def write_templates(folder: Path = FOLDER) -> list[Path]:
    written = []
    for relative, text in rendered().items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_templates():
        sys.stdout.write(f"wrote {path}\n")
