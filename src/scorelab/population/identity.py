"""Synthetic Chinese identities: surnames, given names and 18-character resident IDs.

Everything is drawn as columns (numpy arrays) for a synthetic population; no real person
is represented. Figures are published ones (sources in docs/sources.md):

* Surnames (§1.2): top-100 shares from the NCIIC-derived table of 1.18 bn Han Chinese born
  1930-2008, as published in the ChineseNames R package (Bao 2021,
  https://github.com/psychbruce/ChineseNames, data-csv/familyname.csv; CC BY-NC-SA, used as figures
  only). The top 100 cover 86.4%; the remaining ~13.6% is spread over 1,700 further surnames.
  That tail is synthetic: labels ``S0101`` ... ``S1800`` (rank), shares ``p100 * (r/100)**-s``
  with ``s`` solved so the tail continues the table at rank 100 and sums to the remainder
  (s ~ 2.2; gives ~0.055% at rank 169 against 0.068% published for Ouyang).
* Given names (§2): 14% of people have a one-character given name (NCIIC 2007: 14.22% two-character
  full names; MPS 2019: 14.0%); 4+ character names are ignored. The most used single characters
  (MPS 2021: 伟 敏 静 杰 丽 勇 涛 艳 军 强) and the most duplicated full names
  (张伟, 王伟, 李娜, 王芳 ...)
  fix the heads of the pools; era and newborn names (建华, 建国, 国庆, 秀英, 桂英, 浩宇,
  一诺 ...) seed a list of whole two-character names.
* Resident ID (§3): GB 11643-1999 layout 6 address + 8 birth date + 3 sequence + check
  character (ISO 7064 MOD 11-2, weights 2**(18-i) mod 11 for i = 1..17); odd sequence = male.
  Worked example 11010519491231002X.

Assumptions (no published figure): the character pools beyond the published heads and their
order; Zipf-Mandelbrot weights ``1/(rank+q)**s`` with the parameters below, tuned so that
张伟 is about 0.02% of the population (290,607 / 1.4 bn nationally), 伟 about 0.3% (3.236 M) and
the given-name collision probability sum(p**2) about 4.5e-4 (4.7e-4 from the NCIIC top 100 names
of the 1980s cohort, ChineseNames data-csv/top100name.year.csv and population.csv);
2% of people get a name from the other sex's pools (the top names are used by both sexes);
3% of two-character names come from the whole-name list, the rest pair a first-position with a
second-position character independently. Names do not depend on birth cohort or region.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import numpy.typing as npt

__all__ = [
    "CHAR_POOL",
    "NO_CHAR",
    "N_SURNAMES",
    "SINGLE_CHAR_SHARE",
    "SURNAMES",
    "TAIL_SIZE",
    "TOP_SURNAMES",
    "check_characters",
    "draw_given_names",
    "draw_surnames",
    "given_name_label",
    "is_valid_resident_id",
    "render_identities",
    "resident_ids",
    "sequence_codes",
    "surname_label",
    "surname_probabilities",
    "valid_resident_ids",
]

# --------------------------------------------------------------------------- surnames

#: Top 100 surnames (character, toneless pinyin, share of Han population in %), the published figures
#: 吕 is written "lyu" as in GB/T 28039-2011.
# fmt: off
TOP_SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 7.486), ("李", "li", 7.370), ("张", "zhang", 7.033), ("刘", "liu", 5.306),
    ("陈", "chen", 4.555), ("杨", "yang", 3.369), ("黄", "huang", 2.348), ("赵", "zhao", 2.111),
    ("吴", "wu", 1.999), ("周", "zhou", 1.963), ("徐", "xu", 1.497), ("孙", "sun", 1.455),
    ("朱", "zhu", 1.321), ("马", "ma", 1.308), ("胡", "hu", 1.204), ("郭", "guo", 1.150),
    ("何", "he", 1.074), ("高", "gao", 1.043), ("罗", "luo", 0.986), ("林", "lin", 0.982),
    ("郑", "zheng", 0.912), ("梁", "liang", 0.839), ("谢", "xie", 0.747), ("宋", "song", 0.732),
    ("唐", "tang", 0.715), ("韩", "han", 0.643), ("许", "xu", 0.640), ("冯", "feng", 0.634),
    ("邓", "deng", 0.624), ("曹", "cao", 0.620), ("彭", "peng", 0.590), ("曾", "zeng", 0.565),
    ("肖", "xiao", 0.545), ("田", "tian", 0.543), ("董", "dong", 0.534), ("袁", "yuan", 0.521),
    ("于", "yu", 0.514), ("潘", "pan", 0.512), ("蒋", "jiang", 0.493), ("杜", "du", 0.486),
    ("蔡", "cai", 0.485), ("余", "yu", 0.481), ("程", "cheng", 0.470), ("魏", "wei", 0.464),
    ("叶", "ye", 0.461), ("吕", "lyu", 0.452), ("丁", "ding", 0.451), ("苏", "su", 0.449),
    ("任", "ren", 0.433), ("沈", "shen", 0.424), ("姚", "yao", 0.418), ("姜", "jiang", 0.414),
    ("卢", "lu", 0.407), ("崔", "cui", 0.403), ("钟", "zhong", 0.395), ("谭", "tan", 0.380),
    ("汪", "wang", 0.378), ("范", "fan", 0.376), ("陆", "lu", 0.371), ("金", "jin", 0.369),
    ("石", "shi", 0.354), ("廖", "liao", 0.348), ("贾", "jia", 0.346), ("夏", "xia", 0.333),
    ("付", "fu", 0.328), ("方", "fang", 0.317), ("韦", "wei", 0.313), ("邹", "zou", 0.306),
    ("白", "bai", 0.304), ("熊", "xiong", 0.302), ("孟", "meng", 0.300), ("秦", "qin", 0.298),
    ("邱", "qiu", 0.275), ("尹", "yin", 0.271), ("江", "jiang", 0.269), ("薛", "xue", 0.266),
    ("闫", "yan", 0.260), ("侯", "hou", 0.258), ("段", "duan", 0.252), ("雷", "lei", 0.247),
    ("史", "shi", 0.223), ("龙", "long", 0.223), ("陶", "tao", 0.220), ("顾", "gu", 0.216),
    ("贺", "he", 0.215), ("黎", "li", 0.212), ("郝", "hao", 0.209), ("毛", "mao", 0.208),
    ("邵", "shao", 0.206), ("龚", "gong", 0.206), ("万", "wan", 0.201), ("钱", "qian", 0.193),
    ("武", "wu", 0.190), ("严", "yan", 0.190), ("戴", "dai", 0.187), ("孔", "kong", 0.180),
    ("向", "xiang", 0.179), ("覃", "qin", 0.175), ("常", "chang", 0.174), ("汤", "tang", 0.174),
)
# fmt: on

#: Number of synthetic tail surnames.
TAIL_SIZE: int = 1700
N_SURNAMES: int = len(TOP_SURNAMES) + TAIL_SIZE


def _tail_shares() -> np.ndarray:
    """Power-law tail continuing rank 100 and summing to 100% minus the top 100 (bisection on s)."""
    p100 = TOP_SURNAMES[-1][2]
    remainder = 100.0 - sum(row[2] for row in TOP_SURNAMES)
    ratio = np.arange(101, 101 + TAIL_SIZE, dtype=np.float64) / 100.0
    lo, hi = 0.5, 6.0  # tail sum decreases in s
    for _ in range(100):
        s = 0.5 * (lo + hi)
        if p100 * np.sum(ratio**-s) > remainder:
            lo = s
        else:
            hi = s
    shares = p100 * ratio ** -(0.5 * (lo + hi))
    return np.asarray(shares * (remainder / shares.sum()), dtype=np.float64)


#: Full table: top 100 as published, then the synthetic tail ("S0101" = rank 101, pinyin "s0101").
SURNAMES: tuple[tuple[str, str, float], ...] = TOP_SURNAMES + tuple(
    (f"S{r:04d}", f"s{r:04d}", float(p))
    for r, p in zip(range(101, 101 + TAIL_SIZE), _tail_shares(), strict=True)
)

_SURNAME_P = np.array([row[2] for row in SURNAMES], dtype=np.float64)
_SURNAME_P /= _SURNAME_P.sum()
_SURNAME_P.flags.writeable = False
_SURNAME_CDF = np.cumsum(_SURNAME_P)
_SURNAME_CDF[-1] = 1.0


def surname_probabilities() -> np.ndarray:
    """Sampling probabilities (float64, sum 1) indexed like ``SURNAMES``; a fresh copy."""
    return _SURNAME_P.copy()


def surname_label(idx: int) -> str:
    """Surname character for the top 100, synthetic label ("S0101") for the tail."""
    return SURNAMES[int(idx)][0]


def draw_surnames(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint16]:
    """Surname index per person (uint16 into ``SURNAMES``), inverse-CDF draw."""
    return np.searchsorted(_SURNAME_CDF, rng.random(n), side="right").astype(np.uint16)


# --------------------------------------------------------------------------- given names

#: Share of one-character given names.
SINGLE_CHAR_SHARE: float = 0.14
_CROSS_SEX_SHARE = 0.02  # assumption: top names are used by both sexes
_WHOLE_NAME_SHARE = 0.03  # assumption: share of two-character names taken from the whole-name list

# Pools in descending frequency. Heads from the published figures; the rest and all orders after
# the head are assumptions. The "second" pools double as the one-character given-name pools.
_MALE_SECOND = (
    "伟杰勇涛军强磊斌波超刚平辉鹏明华飞鑫浩宇俊峰龙亮林东文健凯成锋兵鸿毅坤阳帅旭彬晨昊博洋宁"
    "松海江山庆国建新春荣生祥福贵德忠义武晖胜振森栋楠轩航泽豪然辰睿铭哲皓"
)
_FEMALE_SECOND = (
    "静敏娜芳丽艳霞燕玲红英梅婷娟丹萍琳雪颖倩莉洁晶慧兰云琴蕾秀华玉珍凤芬桂月媛佳欣怡涵琪璐瑶"
    "悦妍萱蓉薇茜菲露岚琼翠香荣芝菊莲花淑娥妮婕娇雯璇彤诺汐桐"
)
_MALE_FIRST = (
    "建国志文海永晓俊子浩宇明家振立德金春新小天世学长兴光嘉宏云正少泽梓一思雨博鹏成红玉庆洪"
)
_FEMALE_FIRST = "秀玉桂丽美晓海春雪婷淑小凤慧佳欣梓雨诗思一可紫若艳红金月静晶亚彩翠爱素瑞梦心语依子"
_MALE_WHOLE: tuple[str, ...] = ("建华", "建国", "国庆", "建军", "志强", "国强", "志刚", "建平", "海涛", "永刚", "建明", "志明", "俊杰", "文杰", "浩然", "浩宇", "宇轩", "宇航", "子轩", "梓豪", "宇辰", "子豪", "浩轩", "宇泽", "奕辰", "亦辰", "子墨", "沐宸", "沐辰", "国华", "振华", "晓东", "建新", "建伟", "志勇", "永强")
_FEMALE_WHOLE: tuple[str, ...] = ("秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉梅", "秀云", "秀梅", "秀荣", "桂芝", "淑珍", "丽娟", "丽华", "海燕", "雪梅", "红梅", "春梅", "晓燕", "婷婷", "丽丽", "欣怡", "梓涵", "一诺", "诗涵", "雨桐", "依诺", "欣妍", "梓萱", "可馨", "佳怡", "若汐", "语桐", "艺涵")

#: Every given-name character; a given-name code holds indices into this tuple.
CHAR_POOL: tuple[str, ...] = tuple(
    dict.fromkeys(
        _MALE_SECOND
        + _FEMALE_SECOND
        + _MALE_FIRST
        + _FEMALE_FIRST
        + "".join(_MALE_WHOLE)
        + "".join(_FEMALE_WHOLE)
    )
)
#: Second-character slot value meaning "one-character given name".
NO_CHAR: int = 0xFFFF
_CHAR_INDEX = {c: i for i, c in enumerate(CHAR_POOL)}

# Zipf-Mandelbrot (s, q) per component; assumption, see module docstring.
_ZM_SECOND = (1.0, 10.0)
_ZM_FIRST = (1.0, 8.0)
_ZM_WHOLE = (1.0, 5.0)


def _zm_weights(k: int, s: float, q: float) -> np.ndarray:
    w = 1.0 / (np.arange(1, k + 1, dtype=np.float64) + q) ** s
    return np.asarray(w / w.sum(), dtype=np.float64)


def _sex_table(
    female: tuple[int, ...], male: tuple[int, ...], s: float, q: float
) -> tuple[np.ndarray, np.ndarray]:
    """Female CDF in (0,1], male CDF in (1,2]: one searchsorted on ``u + male`` serves both."""
    cdf_f = np.cumsum(_zm_weights(len(female), s, q))
    cdf_m = np.cumsum(_zm_weights(len(male), s, q))
    cdf_f[-1] = cdf_m[-1] = 1.0
    cdf = np.concatenate([cdf_f, cdf_m + 1.0])
    values = np.array(female + male, dtype=np.uint32)
    return cdf, values


def _pack_whole(names: tuple[str, ...]) -> tuple[int, ...]:
    return tuple((_CHAR_INDEX[name[0]] << 16) | _CHAR_INDEX[name[1]] for name in names)


_SECOND_TABLE = _sex_table(
    tuple(_CHAR_INDEX[c] for c in _FEMALE_SECOND),
    tuple(_CHAR_INDEX[c] for c in _MALE_SECOND),
    *_ZM_SECOND,
)
_FIRST_TABLE = _sex_table(
    tuple(_CHAR_INDEX[c] for c in _FEMALE_FIRST),
    tuple(_CHAR_INDEX[c] for c in _MALE_FIRST),
    *_ZM_FIRST,
)
_WHOLE_TABLE = _sex_table(_pack_whole(_FEMALE_WHOLE), _pack_whole(_MALE_WHOLE), *_ZM_WHOLE)


def _lookup(table: tuple[np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    cdf, values = table
    return values[np.searchsorted(cdf, x, side="right")]


def draw_given_names(
    rng: np.random.Generator,
    n: int,
    male: npt.ArrayLike,
    *,
    single_share: float | npt.ArrayLike = SINGLE_CHAR_SHARE,
) -> npt.NDArray[np.uint32]:
    """Given-name codes ``first << 16 | second`` (``CHAR_POOL`` indices; second NO_CHAR if none).

    ``single_share`` may be a per-person array, e.g. ~0.06 for 2010s births.
    """
    male_arr = np.asarray(male, dtype=bool)
    if male_arr.shape != (n,):
        raise ValueError(f"male must have shape ({n},), got {male_arr.shape}")
    u = rng.random((5, n))
    sex = (male_arr ^ (u[0] < _CROSS_SEX_SHARE)).astype(np.float64)  # 1.0 selects the male pools
    single = u[1] < np.asarray(single_share, dtype=np.float64)
    whole = u[2] < _WHOLE_NAME_SHARE
    second = _lookup(_SECOND_TABLE, u[4] + sex)
    composed = (_lookup(_FIRST_TABLE, u[3] + sex) << 16) | second
    out = np.where(whole, _lookup(_WHOLE_TABLE, u[3] + sex), composed)
    return np.where(single, (second << 16) | NO_CHAR, out).astype(np.uint32)


def given_name_label(code: int) -> str:
    """Characters of one given-name code."""
    code = int(code)
    first, second = code >> 16, code & 0xFFFF
    return CHAR_POOL[first] + ("" if second == NO_CHAR else CHAR_POOL[second])


def render_identities(surname: npt.ArrayLike, given: npt.ArrayLike) -> list[str]:
    """Full names (surname + given name) for a small subset; Python-level, not for whole columns."""
    return [
        surname_label(s) + given_name_label(g)
        for s, g in zip(np.asarray(surname).tolist(), np.asarray(given).tolist(), strict=True)
    ]


# --------------------------------------------------------------------------- resident ID

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int32)
_ASCII_0, _ASCII_X = 48, 88


def check_characters(body17: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """ISO 7064 MOD 11-2 check character per row of an (n, 17) digit array; 10 means 'X'."""
    body = np.asarray(body17)
    if body.ndim != 2 or body.shape[1] != 17:
        raise ValueError(f"expected shape (n, 17), got {body.shape}")
    total = body.astype(np.int32) @ _WEIGHTS
    return ((12 - total % 11) % 11).astype(np.uint8)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10).astype(np.uint8)


def resident_ids(
    address_code: npt.ArrayLike, birth_yyyymmdd: npt.ArrayLike, sequence: npt.ArrayLike
) -> np.ndarray:
    """18-character IDs as an ``S18`` bytes array; scalar arguments broadcast (e.g. one county)."""
    addr, birth, seq = (
        np.ravel(a).astype(np.int64)
        for a in np.broadcast_arrays(
            np.asarray(address_code), np.asarray(birth_yyyymmdd), np.asarray(sequence)
        )
    )
    if np.any((addr < 100_000) | (addr > 999_999)):
        raise ValueError("address_code must be 6-digit county codes")
    if np.any((birth < 1000_01_01) | (birth > 9999_12_31)):
        raise ValueError("birth_yyyymmdd must be 8-digit dates")
    if np.any((seq < 0) | (seq > 999)):
        raise ValueError("sequence must be in 0..999")
    digits = np.empty((addr.size, 18), dtype=np.uint8)
    digits[:, 0:6] = _digits(addr, 6)
    digits[:, 6:14] = _digits(birth, 8)
    digits[:, 14:17] = _digits(seq, 3)
    check = check_characters(digits[:, :17])
    digits[:, :17] += _ASCII_0
    digits[:, 17] = np.where(check == 10, _ASCII_X, check + _ASCII_0)
    return digits.view("S18").reshape(addr.size)


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def valid_resident_ids(ids: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Vectorised ``is_valid_resident_id`` over a bytes (``S18``) or str array."""
    arr = np.ascontiguousarray(np.asarray(ids)).reshape(-1)
    if arr.dtype.kind not in "SU":
        raise TypeError(f"expected a bytes or str array, got {arr.dtype}")
    unit = np.uint32 if arr.dtype.kind == "U" else np.uint8
    width = arr.dtype.itemsize // np.dtype(unit).itemsize
    if width < 18:
        return np.zeros(arr.size, dtype=bool)
    m = arr.view(unit).reshape(arr.size, width)[:, :18].astype(np.int64)
    body = m[:, :17] - _ASCII_0
    ok = (np.char.str_len(arr) == 18) & np.all((body >= 0) & (body <= 9), axis=1)
    body = np.where(ok[:, None], body, 0)
    last = m[:, 17]
    check = np.where(last == _ASCII_X, 10, last - _ASCII_0)
    ok &= ((last >= _ASCII_0) & (last <= _ASCII_0 + 9)) | (last == _ASCII_X)
    ok &= check == check_characters(body)
    year = body[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = body[:, 10] * 10 + body[:, 11]
    day = body[:, 12] * 10 + body[:, 13]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = (month >= 1) & (month <= 12)
    dim = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    return np.asarray(ok & (year >= 1) & month_ok & (day >= 1) & (day <= dim), dtype=bool)


def is_valid_resident_id(s: str | bytes) -> bool:
    """Checks 17 digits + digit/'X', a calendar birth date and MOD 11-2; not the address code."""
    if isinstance(s, bytes):
        try:
            s = s.decode("ascii")
        except UnicodeDecodeError:
            return False
    if len(s) != 18 or not (s[:17].isascii() and s[:17].isdigit()) or s[17] not in "0123456789X":
        return False
    try:
        _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    body = np.frombuffer(s[:17].encode("ascii"), dtype=np.uint8) - _ASCII_0
    check = int(check_characters(body.reshape(1, 17))[0])
    return s[17] == ("X" if check == 10 else str(check))


def sequence_codes(rng: np.random.Generator, male: npt.ArrayLike) -> npt.NDArray[np.uint16]:
    """Sequence codes, odd (1..999) for men and even (2..998) for women; 000 is never issued.

    Uniform and independent: uniqueness within (address, birth date) is the caller's concern.
    """
    male_arr = np.asarray(male, dtype=bool)
    k = rng.integers(0, np.where(male_arr, 500, 499))
    return (2 * k + np.where(male_arr, 1, 2)).astype(np.uint16)
