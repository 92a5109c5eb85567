"""The reader's language everywhere (issue 23): every command's output and the files it writes speak Chinese
by default (no English word outside ids, units and file names) and English with ``--lang en`` /
``VILLAGE_STATS_LANG=en`` (no Chinese outside names and titles the data gives in Chinese)."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from village_stats.cli import main

from .conftest import DATA, ROOT

COUNTY = ROOT / "examples" / "demo_county"
CJK = re.compile(r"[\u3400-\u9fff]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[-.][A-Za-z0-9_]+)*")


def _allowed() -> set[str]:
    """Words a Chinese output may hold: ids (indicators, tables, columns, vocabularies, villages, commands
    and options), units, file kinds and names, and the names of formats and standards."""
    from village_stats import schema
    from village_stats.indicators import CATALOGUE

    words = set(CATALOGUE) | set(schema.TABLES) | set(schema.POLICY_TABLES)
    for table in list(schema.TABLES.values()) + list(schema.POLICY_TABLES.values()):
        words |= {c.name for c in table.columns}
    for v in vars(schema).values():
        if isinstance(v, schema.Vocabulary):
            words |= set(v.ids)
    words |= {k for k, _, _ in schema.VILLAGE_FIELDS}
    words |= {p.name for p in DATA.iterdir()} | {p.name for p in COUNTY.iterdir()}
    words |= {"village-stats", "zh", "en", "latest", "previous", "none", "table", "csv", "json", "xlsx", "ipynb",
              "html", "pdf", "yaml", "village", "township", "county", "period", "trends", "data", "output", "policy",
              "README.md", "docs", "notebooks", "true", "false", "GB", "T", "H1", "H2", "Q", "UTF-8", "BOM", "A4",
              "YAML", "CSV", "HTML", "PDF", "SHA-256", "FILE", "id", "mu", "FGT0", "FGT1", "FGT2", "Watts", "M0",
              "Alkire-Foster", "Gini", "codebook", "batch", "main", "start", "end",
              # the batch engine's names: Dask and its setting, signals and keys, a scheduler's address
              "Dask", "allowed-failures", "Ctrl-C", "SIGINT", "SIGTERM", "CPU", "tcp", "HOST"}
    words |= set(main.commands)  # command names (and the program's name under the test runner)
    # examples of English names in the help of village.yaml's English keys (Zhaobi Township …) and the id
    # the test's new village gets
    words |= {"Suoluoyu", "Zhaobi", "Township", "Xiyang", "County", "Jinzhong", "Shanxi", "ceshi"}
    return words


def _english_words(text: str, allowed: set[str]) -> list[str]:
    """ASCII words of ``text`` that are not ids, options, paths or allowed names."""
    found = []
    for m in WORD.finditer(text):
        w = m.group(0)
        before = text[max(0, m.start() - 2):m.start()]
        if before.endswith("-") or "/" in before or w in allowed or w.lower() in allowed:
            continue  # an option (--data-dir) or a path's part (data/demo)
        if re.fullmatch(r"\d{4}(H[12]|Q[1-4])?|[a-z0-9_.]+\.(csv|xlsx|json|pdf|html|ipynb|yaml|md)", w):
            continue
        if "_" in w or re.search(r"\d", w) or len(w) == 1:  # ids, codes, and a formula's letters (H×A, N)
            continue
        found.append(w)
    return found


def _run(args, env_lang=None):
    env = {"VILLAGE_STATS_LANG": env_lang} if env_lang else {"VILLAGE_STATS_LANG": ""}
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


COMMANDS = ["run", "run-all", "rollup", "diff", "trend", "indicators", "validate", "new-period", "new-village",
            "periods", "codebook", "check"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every command's output (stdout and stderr) in Chinese (the default) and in English."""
    tmp = tmp_path_factory.mktemp("lang")
    data = tmp / "data"
    shutil.copytree(DATA / "suoluoyu", data / "suoluoyu")
    shutil.copytree(DATA / "policy", data / "policy")
    bad = ROOT / "tests" / "bad_input" / "poor_households_exceed_total" / "data"
    runs = {
        "help": [["--help"]] + [[c, "--help"] for c in COMMANDS],
        "validate": [["validate", "--data-dir", bad]],
        "periods": [["periods", "--data-dir", DATA, "--village", "demo"]],
        "indicators": [["indicators", "--village", "demo", "--period", "2022H2", "--data-dir", DATA]],
        "trend": [["trend", "--village", "demo", "--data-dir", DATA]],
        "diff": [["diff", "--village", "demo", "--from", "2018H1", "--to", "2018H2", "--data-dir", DATA],
                 ["diff", "--village", "demo", "--from", "2018H1", "--to", "2018H2", "--households", "--data-dir",
                  DATA]],
        "rollup": [["rollup", "--period", "2018H2", "--data-dir", COUNTY, "--suppress-below", "10"]],
        "new-period": [["new-period", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", data]],
        "check": [["check", "--period", "2022H2", "--data-dir", DATA],
                  ["check", "--period", "2018H2", "--data-dir", COUNTY, "--village", "baitu"],
                  ["check", "--period", "2022H2", "--data-dir", DATA, "--rule", "XX-000"]],
    }
    out = {}
    for lang in ("zh", "en"):
        for name, calls in runs.items():
            text = ""
            for args in calls:
                args = list(args) + (["--lang", "en"] if lang == "en" and name != "help" and name not in (
                    "validate", "periods", "new-period") else [])
                r = _run(args, "en" if lang == "en" else None)
                text += r.stdout + r.stderr
            out[(lang, name)] = text
        r = _run(["new-village", "--name-zh", "测试村", "--data-dir", tmp / lang], "en" if lang == "en" else None)
        out[(lang, "new-village")] = r.stdout + r.stderr + (tmp / lang / "ceshi" / "village.yaml").read_text(
            encoding="utf-8")
    return out


@pytest.mark.parametrize("name", ["help", "validate", "periods", "indicators", "trend", "diff", "rollup",
                                  "new-period", "new-village", "check"])
def test_chinese_output_has_no_english_words(outputs, name):
    words = _english_words(outputs[("zh", name)], _allowed())
    assert words == [], sorted(set(words))


@pytest.mark.parametrize("name", ["help", "validate", "periods", "trend", "diff", "new-period", "check"])
def test_english_output_has_no_chinese(outputs, name):
    """Names from the data (村, 乡) are allowed in English output only where the data gives no English name;
    these outputs name no place. The help of new-village and new-period quotes the Chinese a user types
    (梭罗峪村, 乡/镇, the sheet 填表说明): it is left out."""
    text = outputs[("en", name)]
    if name == "help":
        text = re.sub(r"Usage: \S+ new-(village|period).*?(?=Usage: |\Z)", "", text, flags=re.S)
    assert not CJK.search(text), sorted(set(CJK.findall(text)))[:20]


def test_the_help_is_chinese_by_default_and_english_on_request(outputs):
    assert "用法：" in outputs[("zh", "help")] and "显示本帮助并退出" in outputs[("zh", "help")]
    assert "Usage:" in outputs[("en", "help")] and "Show this message and exit." in outputs[("en", "help")]
    r = _run(["run", "--lang", "en", "--help"])
    assert "Usage:" in r.stdout and "用法" not in r.stdout


def test_every_help_text_has_its_chinese():
    """A help text added in English without its Chinese in labels_cli.HELP_ZH fails here."""
    from village_stats.cli.common import _village_field_zh
    from village_stats.labels import HELP_ZH

    missing = []
    for name, cmd in main.commands.items():
        if f"cmd:{name}" not in HELP_ZH:
            missing.append(f"cmd:{name}")
        for p in cmd.params:
            text = getattr(p, "help", None)
            if text and text not in HELP_ZH and not _village_field_zh(text):
                missing.append(f"{name} {p.name}: {text}")
    assert missing == []


def test_value_checks_speak_chinese(outputs):
    text = outputs[("zh", "validate")]
    assert "贫困户数（poor_households）= 200 大于农业户数（households_total）= 176" in text
    assert "is larger than" not in text
    assert "is larger than" in outputs[("en", "validate")]
    assert "时期 2017H1 已有数据" in outputs[("zh", "new-period")]
    assert "period 2017H1 already exists" in outputs[("en", "new-period")]


def test_new_village_id_from_the_chinese_name(outputs):
    """No lowercase English id to invent: 测试村 becomes ceshi (pinyin, the suffix 村 dropped)."""
    assert "已写入" in outputs[("zh", "new-village")] and "id: ceshi" in outputs[("zh", "new-village")]
    assert "# 村名（中文）" in outputs[("zh", "new-village")]
    assert "# Chinese name" in outputs[("en", "new-village")]


def test_trend_names_the_period_across_a_gap(outputs):
    """The demo has no data for 2019–2020: 2021H1's change is against 2018H2 and says so."""
    lines = [x for x in outputs[("zh", "trend")].splitlines() if x.startswith("2021H1") and " poor_households " in x]
    assert lines and "较2018年下半年 -26 户" in lines[0]
    lines = [x for x in outputs[("zh", "trend")].splitlines() if x.startswith("2018H2") and " poor_households " in x]
    assert lines and "较" not in lines[0]


def test_household_diff_in_words(outputs):
    zh = outputs[("zh", "diff")]
    assert "状态" in zh and "未脱贫 → 已脱贫" in zh and "status" not in zh and "poor →" not in zh
    assert "status" in outputs[("en", "diff")]
    assert "乡镇 东岭乡" in outputs[("zh", "rollup")] and "不公开" in outputs[("zh", "rollup")]
    assert "suppressed" not in outputs[("zh", "rollup")] and "township 东岭乡" not in outputs[("zh", "rollup")]


def test_crop_groups_and_projects_without_an_id_get_one_from_their_chinese_name(tmp_path):
    """A person who writes only 名称 gets an id made from it (pinyin; numbered when two spell alike)."""
    from village_stats.load import load_period

    shutil.copytree(DATA / "suoluoyu", tmp_path / "suoluoyu")
    shutil.copytree(DATA / "policy", tmp_path / "policy")
    crops = tmp_path / "suoluoyu" / "2017H1" / "crops.csv"
    lines = crops.read_text(encoding="utf-8").splitlines()
    lines[1] = "," + lines[1].split(",", 1)[1]  # the first crop group without its id
    crops.write_text("\n".join(lines) + "\n", encoding="utf-8")
    name = lines[1].split(",")[1]
    from village_stats.labels import pinyin_id

    got = load_period("suoluoyu", "2017H1", tmp_path).table("crops")
    assert pinyin_id(name) in set(got["crop_group"]) and got["crop_group"].notna().all()
    assert pinyin_id("杂粮") == "zaliang"  # 杂粮 → za liang


def test_the_instructions_sheet_is_chinese(tmp_path):
    """The new-period workbook's 填表说明 (tables, columns, meanings) has no English sentence: every table and
    column of the data contract has its Chinese in labels_cli (TABLES_ZH, COLUMNS_ZH)."""
    from village_stats import schema
    from village_stats.labels import COLUMNS_ZH, TABLES_ZH
    from village_stats.workbook import instructions

    assert set(TABLES_ZH) == set(schema.TABLES)
    missing = [f"{t.name}.{c.name}" for t in schema.TABLES.values() for c in t.columns
               if (t.name, c.name) not in COLUMNS_ZH and ("*", c.name) not in COLUMNS_ZH]
    assert missing == []
    sections = instructions("测试", list(schema.TABLES.values()))
    text = "\n".join(str(v) for _, rows in sections if _ != "下拉列表的值" for r in rows for v in r)
    sentences = re.findall(r"[A-Za-z]+(?: [A-Za-z]+){2,}", text)  # three English words in a row
    assert sentences == [], sentences[:5]
