"""Personal data by content as well as by header: what may be quoted in a message, and keyed digests of
household ids that are identity numbers (or names).

Two rules, each in one place:

**Quoting** (:func:`shown`). Every message that shows a cell's value calls :func:`shown`, which decides
whether the value may be quoted. It may be when it is short and plainly not about a person: a number of at
most 10 digits, a date, a code of Latin letters, digits and ``_-.,`` of at most 20 characters, a term of a
vocabulary of the data contract (``一般户``, ``因病``). It is not quoted, and only described, when it could
identify a person:

- a run of 11 or more digits (an identity number, 18 or 15 digits, a phone or bank-card number): "an
  identity number of 18 digits" when it passes the GB 11643 check (or is a 15-digit number with a birth
  date), else "a number of N digits";
- Chinese text with the shape of a name that is not a vocabulary term: 2 to 4 characters starting with a
  common surname, or words joined by a middle dot ``·`` (:func:`looks_like_name`). This is a judgement
  call on the safe side: ``白菜`` in a count column is described ("a text of 2 characters"), not quoted,
  while ``八十六`` or ``也许`` are quoted; the error names file, row and column either way;
- any other text over 20 characters, or of a column declared personal (``Column.sensitive``).

**Household ids that are identity numbers** (:func:`pseudonymise_table`). Registers exported from the
national system often use the head's identity number as 户编号. After parsing, every value of a key or text
column of any table that is an identity number (checksum-valid 18 digits, 18 characters with a birth date
and a wrong check digit, or 15 digits with a birth date: :func:`looks_like_id_number`),
and every name-like value of an ``*_id`` key column, is replaced by a keyed digest ``#`` + 10 hex digits
(HMAC-SHA256 of the normalised value). The key is derived from the village id (and the secret in
``$VILLAGE_STATS_HOUSEHOLD_KEY`` when set), so the same household gets the same digest in every period
and every table of a village: diffs, transitions and joins between the register and the evaluation sample
keep working. Without the secret the digest is a pseudonym, not anonymisation: whoever has an identity
number and this code can compute its digest (set the variable to keep digests unlinkable outside the team).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from .idnumbers import id_number_status

#: The environment variable holding an optional secret mixed into the digest key.
SECRET_ENV = "VILLAGE_STATS_HOUSEHOLD_KEY"
#: Hex digits of a digest (40 bits: among 10,000 households a collision has odds of about 1 in 20,000, and
#: it is checked: see :func:`pseudonymise_table`).
DIGEST_HEX = 10
#: The prefix that marks a value as a keyed digest.
PREFIX = "#"

_DIGITS = re.compile(r"(?<!\d)\d{17}[Xx]|\d{11,}")
_ID_IN_TEXT = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAN = "\u3400-\u9fff\uf900-\ufaff"
_DOTTED_NAME = re.compile(f"[{_HAN}]+[·•・][{_HAN}]+")
_HAN_ONLY = re.compile(f"[{_HAN}]+")
#: Common Chinese surnames (single and compound; they cover well over 90% of people): a text of 2 to 4
#: Chinese characters that starts with one has the shape of a personal name.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆"
    "乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平"
    "计索宣晋相初门云容敬来扈晁芮都普阎戈伏鹿鄂") | frozenset(
    ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "令狐", "慕容", "长孙", "宇文", "司徒", "夏侯",
     "轩辕", "端木", "呼延", "南宫", "独孤"))
_PLAIN = re.compile(r"[A-Za-z0-9_.,+\-/: ]{0,20}")


# --------------------------------------------------------------------------- what a value is

def is_id_number(text: object) -> bool:
    """Whether ``text`` is a resident identity number: 18 characters passing the GB 11643 check, or 15
    digits whose characters 7–12 are a birth date (YYMMDD; the old numbers have no check digit).

    >>> is_id_number("11010519491231002X"), is_id_number("110105194912310021"), is_id_number("110105491231002")
    (True, False, True)
    >>> is_id_number("110105491331002"), is_id_number("HH-001")
    (False, False)
    """
    s = str(text).strip()
    if len(s) == 18:
        return id_number_status(pd.Series([s])).iloc[0] == "valid"
    if len(s) == 15 and s.isdigit():
        month, day = int(s[8:10]), int(s[10:12])
        return 1 <= month <= 12 and 1 <= day <= 31
    return False


_ID_SHAPE = re.compile(r"\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]")


def looks_like_id_number(text: object) -> bool:
    """An identity number, or one with a wrong check digit (a typo in a real number is as personal): 18
    characters with a birth date in characters 7–14, or :func:`is_id_number`.

    >>> looks_like_id_number("110105194912310021"), looks_like_id_number("110105194913310029")
    (True, False)
    """
    s = str(text).strip()
    return bool(_ID_SHAPE.fullmatch(s)) or is_id_number(s)


def looks_like_name(text: object) -> bool:
    """The shape of a personal name: 2 to 4 Chinese characters starting with a common surname
    (:data:`SURNAMES`), or Chinese words joined by a middle dot (买买提·艾力).

    A judgement call, on the safe side: a word that starts with a surname character (白菜, 高山) is treated
    as a name, so a message describes it instead of quoting it; a word that does not (八十六, 也许, 贫困户)
    may be quoted.

    >>> looks_like_name("张三"), looks_like_name("欧阳小明"), looks_like_name("买买提·艾力")
    (True, True, True)
    >>> looks_like_name("HH001"), looks_like_name("王"), looks_like_name("八十六"), looks_like_name("也许")
    (False, False, False, False)
    """
    s = str(text).strip()
    if _DOTTED_NAME.fullmatch(s):
        return True
    if not 2 <= len(s) <= 4 or not _HAN_ONLY.fullmatch(s):
        return False
    return s[0] in SURNAMES or s[:2] in SURNAMES


@lru_cache(maxsize=1)
def _vocabulary_terms() -> frozenset[str]:
    """Every spelling of every vocabulary term of the data contract (these may always be quoted)."""
    from . import schema

    out: set[str] = set()
    for table in schema.TABLES.values():
        for c in table.columns:
            if c.vocab is not None:
                for t in c.vocab.terms:
                    out.update(schema.normalize_text(x).lower() for x in (t.id, t.zh, *t.aliases))
    return frozenset(out)


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def describe(value: object, lang: str = "en") -> str | None:
    """What a value that may not be quoted is ("an identity number of 18 digits"), or None when it may be.

    >>> describe("110105194912310021"), describe("张三"), describe("-3"), describe("因病")
    ('a number of 18 digits (possibly personal data, not shown)', 'a text of 2 characters (possibly personal data, not shown)', None, None)
    """
    from .labels import say

    text = _as_text(value).strip()
    digits = _DIGITS.search(text)
    if digits:
        run = digits.group(0)
        if is_id_number(run):
            return say("msg_value_id_number", lang, n=len(run))
        return say("msg_value_number", lang, n=len(run))
    if schema_term(text):
        return None
    if _CJK.search(text) and (looks_like_name(text) or any(looks_like_name(w) for w in re.split(r"[\s,，、;；]+", text))):
        return say("msg_value_text", lang, n=len(text))
    if len(text) > 20 or (not _PLAIN.fullmatch(text) and not _CJK.search(text)):
        return say("msg_value_text", lang, n=len(text))
    return None


def schema_term(text: str) -> bool:
    """Whether ``text`` is a spelling of a vocabulary term (``一般户``, ``poor``)."""
    from .schema import normalize_text

    return normalize_text(text).lower() in _vocabulary_terms()


def shown(value: object, *, sensitive: bool = False, lang: str = "en") -> str:
    """A cell's value as a message may show it: quoted when it cannot identify a person, else described.

    The one function every message goes through to show a value from the data (see the module's rules).

    >>> shown("-3"), shown("2017/01/01"), shown("11010519491231002X"), shown("王小明")
    ("'-3'", "'2017/01/01'", 'an identity number of 18 digits (personal data, not shown)', 'a text of 3 characters (possibly personal data, not shown)')
    >>> shown("x", sensitive=True)
    'a value that is not shown (personal data)'
    """
    from .labels import say

    if sensitive:
        return say("msg_value_personal", lang)
    what = describe(value, lang)
    if what is not None:
        return what
    text = _as_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return text  # a number as a number, e.g. county_code 14072
    if any(not ch.isprintable() for ch in text):
        text = text.encode("unicode_escape").decode("ascii")
    return repr(text)


def quotable(value: object) -> bool:
    """Whether a message may quote ``value`` (see :func:`shown`)."""
    return describe(value) is None


# --------------------------------------------------------------------------- keyed digests

def household_key(village_id: str, secret: str | None = None) -> bytes:
    """The digest key of a village: the same in every period, so diffs between periods line up.

    ``secret`` defaults to ``$VILLAGE_STATS_HOUSEHOLD_KEY`` (empty when unset).
    """
    secret = os.environ.get(SECRET_ENV, "") if secret is None else secret
    return hashlib.sha256(b"village-stats/household-id/v1\0" + secret.encode("utf-8") + b"\0"
                          + village_id.encode("utf-8")).digest()


def digest(value: str, key: bytes) -> str:
    """``#`` + 10 hex digits of HMAC-SHA256(key, value) (identity numbers upper-cased first).

    >>> digest("11010519491231002X", household_key("v", "")) == digest("11010519491231002x ", household_key("v", ""))
    True
    >>> len(digest("张三", household_key("v", "")))
    11
    """
    normal = str(value).strip().upper()
    return PREFIX + hmac.new(key, normal.encode("utf-8"), hashlib.sha256).hexdigest()[:DIGEST_HEX]


def _id_numbers(values: np.ndarray) -> np.ndarray:
    """:func:`looks_like_id_number` of many strings at once (one vectorised check-digit pass)."""
    out = np.zeros(len(values), dtype=bool)
    lengths = np.fromiter((len(v.strip()) for v in values), dtype=np.int64, count=len(values))
    for length in (15, 18):  # only values of an identity number's length are looked at
        idx = np.flatnonzero(lengths == length)
        if idx.size == 0:
            continue
        s = pd.Series([values[i].strip() for i in idx], dtype=object)
        if length == 18:
            hit = s.str.fullmatch(_ID_SHAPE).fillna(False).to_numpy(dtype=bool, copy=True)
            hit |= (id_number_status(s) == "valid").to_numpy()
        else:
            hit = np.array([is_id_number(v) for v in s], dtype=bool)
        out[idx] = hit
    return out


def pseudonymise_table(frame: pd.DataFrame, table, key: bytes) -> tuple[pd.DataFrame, list[str]]:
    """Replace identity numbers (and, in ``*_id`` key columns, name-like values) by keyed digests.

    Every key and text column of ``table`` that is not declared personal is looked at by content: a whole
    value that is an identity number (or, in an ``*_id`` key column, looks like a name) becomes its digest;
    an identity number inside a longer text is replaced by its digest. Columns declared personal are
    dropped elsewhere (:func:`village_stats.parse._check_households`).

    Returns
    -------
    frame : DataFrame
        The same frame (attrs kept) with the values replaced.
    columns : list of str
        The columns in which something was replaced.

    Raises
    ------
    ValueError
        Two different values of one key column got the same digest (odds of about 1 in 20,000 for a
        register of 10,000 households); never silently merged.
    """
    changed: list[str] = []
    out = frame
    for c in table.columns:
        if c.sensitive or c.name not in frame or c.kind not in ("key", "text"):
            continue
        values = frame[c.name]
        strings = values.dropna()  # parsed key and text cells are strings or None
        if strings.empty:
            continue
        codes, uniques = pd.factorize(strings)
        uniques = np.asarray(uniques, dtype=object)
        whole = _id_numbers(uniques)
        if c.kind == "key" and c.name.endswith("_id"):  # two headers swapped: names as household ids
            han = np.flatnonzero(pd.Series(uniques, dtype=object).str.contains(_CJK).to_numpy(dtype=bool))
            whole[han] |= np.array([looks_like_name(uniques[i]) for i in han], dtype=bool)
        inner = ~whole & pd.Series(uniques, dtype=object).str.contains(_ID_IN_TEXT).to_numpy(dtype=bool)
        if not whole.any() and not inner.any():
            continue
        replaced = [digest(u, key) if w else (_ID_IN_TEXT.sub(lambda m: digest(m.group(0), key) if looks_like_id_number(
            m.group(0)) else m.group(0), u) if i else u) for u, w, i in zip(uniques, whole, inner)]
        if c.kind == "key" and len(set(replaced)) < len(set(uniques)):
            raise ValueError(f"two values of column {c.name} share a digest: extend DIGEST_HEX")
        if out is frame:
            out = frame.copy()
            out.attrs.update(frame.attrs)
        new = values.astype(object).copy()
        new.loc[strings.index] = np.asarray(replaced, dtype=object)[codes]
        out[c.name] = new
        changed.append(c.name)
    return out, changed


def pseudonymise_tables(tables: dict[str, pd.DataFrame], village_id: str) -> dict[str, pd.DataFrame]:
    """Every table of one village-period through :func:`pseudonymise_table` with the village's key; the
    columns declared personal (``Column.sensitive``) of any table are dropped."""
    from . import schema

    key = household_key(village_id)
    out = {}
    for name, frame in tables.items():
        table = schema.TABLES[name]
        personal = [c.name for c in table.columns if c.sensitive and c.name in frame]
        if personal:  # a column declared personal never leaves the loader, whatever the table
            attrs = dict(frame.attrs)
            frame = frame.drop(columns=personal)
            frame.attrs.update(attrs)
        out[name] = pseudonymise_table(frame, table, key)[0]
    return out
