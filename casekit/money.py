"""Money: the currency (ISO 4217 code) and scale of a hospital's amounts, and every label that names them.

One definition for the whole package. A hospital's profile declares ``currency`` (default ``CNY``)
and ``currency_unit``, the *scale* its amounts are written in: ``units`` (元, dollars ...),
``thousands`` (千元), ``ten_thousands`` (万元) or ``millions`` (百万元). casekit keeps the amounts in
that scale from load to report (rates are free of units), so a hospital that keeps its books in
万元 reads 万元 in its report, one in thousands of US dollars reads "USD thousand"; every money
label (table headers, figure axes, tables.xlsx, findings.json, the monitor, CLI messages) comes
from :func:`money_unit` or :func:`money_header`.

Examples
--------
>>> money_unit("CNY", "ten_thousands", "zh"), money_unit("CNY", "units", "en")
('万元', 'yuan')
>>> money_unit("USD", "thousands", "en"), money_unit("USD", "thousands", "zh")
('USD thousand', '千美元')
>>> money_unit("CHF", "units", "zh")     # no Chinese name: the code itself
'CHF'
>>> money_header("Deviation", "GBP", "millions", "en"), money_header("偏差", "EUR", "units", "zh")
('Deviation (GBP million)', '偏差（欧元）')
"""
from __future__ import annotations

import re
from typing import Any

DEFAULT_CURRENCY = "CNY"
DEFAULT_SCALE = "units"

SCALES: dict[str, float] = {"units": 1.0, "thousands": 1_000.0, "ten_thousands": 10_000.0, "millions": 1_000_000.0}
"""Scale name -> how many currency units one written amount stands for."""

# How a scale is written: English word after the currency, Chinese prefix before its name.
_SCALE_WORDS = {"units": ("", ""), "thousands": ("thousand", "千"), "ten_thousands": ("10k", "万"),
                "millions": ("million", "百万")}

SCALE_ALIASES: dict[str, str] = {
    "元": "units", "yuan": "units", "unit": "units", "1": "units", "千元": "thousands", "千": "thousands",
    "thousand": "thousands", "000": "thousands", "k": "thousands", "万元": "ten_thousands", "万": "ten_thousands",
    "10k_yuan": "ten_thousands", "10k yuan": "ten_thousands", "10000 yuan": "ten_thousands", "10k": "ten_thousands",
    "百万元": "millions", "百万": "millions", "million": "millions", "m": "millions",
}
"""Other spellings of a scale (``10k_yuan`` and ``yuan`` are the names casekit used before currencies)."""

# ISO 4217 codes with their English and Chinese names; a code not listed is still accepted when it
# is three letters (CURRENCY_CODE), its Chinese label is then the code itself.
CURRENCIES: dict[str, tuple[str, str]] = {
    "CNY": ("yuan", "元"), "USD": ("USD", "美元"), "EUR": ("EUR", "欧元"), "GBP": ("GBP", "英镑"),
    "JPY": ("JPY", "日元"), "HKD": ("HKD", "港元"), "MOP": ("MOP", "澳门元"), "TWD": ("TWD", "新台币"),
    "KRW": ("KRW", "韩元"), "SGD": ("SGD", "新加坡元"), "AUD": ("AUD", "澳元"), "CAD": ("CAD", "加元"),
    "CHF": ("CHF", ""), "INR": ("INR", "印度卢比"), "RUB": ("RUB", "卢布"), "NZD": ("NZD", "新西兰元"),
    "SEK": ("SEK", "瑞典克朗"), "NOK": ("NOK", "挪威克朗"), "DKK": ("DKK", "丹麦克朗"), "THB": ("THB", "泰铢"),
    "MYR": ("MYR", "林吉特"), "VND": ("VND", "越南盾"), "ZAR": ("ZAR", "兰特"), "BRL": ("BRL", "雷亚尔"),
}
CURRENCY_ALIASES: dict[str, str] = {"人民币": "CNY", "rmb": "CNY", "美元": "USD", "欧元": "EUR", "英镑": "GBP",
                                    "日元": "JPY", "港元": "HKD", "港币": "HKD"}
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def parse_scale(value: Any) -> str | None:
    """The canonical scale of a written value (``万元`` -> ``ten_thousands``), ``None`` if unknown.

    Examples
    --------
    >>> parse_scale("万元"), parse_scale("10k_yuan"), parse_scale(" Thousands "), parse_scale("亿元")
    ('ten_thousands', 'ten_thousands', 'thousands', None)
    """
    text = str(value).strip().casefold()
    if text in SCALES:
        return text
    return SCALE_ALIASES.get(text)


def parse_currency(value: Any) -> str | None:
    """The ISO 4217 code of a written currency (``usd`` -> ``USD``, ``人民币`` -> ``CNY``), ``None`` if not one.

    Examples
    --------
    >>> parse_currency("gbp"), parse_currency("人民币"), parse_currency("dollars")
    ('GBP', 'CNY', None)
    """
    text = str(value).strip()
    alias = CURRENCY_ALIASES.get(text.casefold()) or CURRENCY_ALIASES.get(text)
    if alias:
        return alias
    return text.upper() if CURRENCY_CODE.match(text.upper()) else None


def factor(scale: str) -> float:
    """Currency units per written amount (``ten_thousands`` -> 10000)."""
    return SCALES[scale]


def money_unit(currency: str = DEFAULT_CURRENCY, scale: str = DEFAULT_SCALE, lang: str = "en") -> str:
    """The unit of an amount as a reader sees it: ``万元``, ``yuan``, ``USD thousand``, ``千美元``.

    Parameters
    ----------
    currency : str
        ISO 4217 code.
    scale : str
        One of :data:`SCALES`.
    lang : {"en", "zh"}
    """
    en, zh = CURRENCIES.get(currency, (currency, ""))
    word_en, prefix_zh = _SCALE_WORDS[scale]
    if lang == "zh":
        return f"{prefix_zh}{zh or currency}"
    if currency == "CNY":
        return f"{word_en} yuan".strip()
    return f"{en} {word_en}".strip()


def unit_in_chinese(unit_en: str) -> str:
    """The Chinese form of an English money unit written by :func:`money_unit` (``10k yuan`` -> ``万元``);
    other text is returned unchanged (messages are written in English once and translated by pattern).

    Examples
    --------
    >>> unit_in_chinese("USD thousand"), unit_in_chinese("yuan"), unit_in_chinese("万元")
    ('千美元', '元', '万元')
    """
    for code in CURRENCIES:
        for scale in SCALES:
            if money_unit(code, scale, "en") == unit_en:
                return money_unit(code, scale, "zh")
    return unit_en


def money_header(text: str, currency: str = DEFAULT_CURRENCY, scale: str = DEFAULT_SCALE, lang: str = "en") -> str:
    """``text`` with the money unit in brackets: ``Deviation (10k yuan)``, ``偏差（万元）``."""
    unit = money_unit(currency, scale, lang)
    return f"{text}（{unit}）" if lang == "zh" else f"{text} ({unit})"


def unit_of(profile: Any, lang: str = "en") -> str:
    """:func:`money_unit` of a profile: a :class:`casekit.data.hospital.Profile` or its ``as_dict()``
    (CNY in units when ``profile`` is None or names neither)."""
    currency, scale = money_of(profile)
    return money_unit(currency, scale, lang)


def money_of(profile: Any) -> tuple[str, str]:
    """``(currency, scale)`` of a profile (object or mapping with ``get``), defaults where it names none."""
    if profile is None:
        return DEFAULT_CURRENCY, DEFAULT_SCALE
    return profile.get("currency") or DEFAULT_CURRENCY, profile.get("currency_unit") or DEFAULT_SCALE


def readable(currency: str, scale: str) -> tuple[float, str]:
    """A divisor and scale that keep figure labels short: amounts in units are drawn in ten thousands
    (CNY, 万元) or thousands (other currencies); amounts already in a larger scale are kept.

    Examples
    --------
    >>> readable("CNY", "units"), readable("USD", "units"), readable("CNY", "ten_thousands")
    ((10000.0, 'ten_thousands'), (1000.0, 'thousands'), (1.0, 'ten_thousands'))
    """
    if scale != "units":
        return 1.0, scale
    to = "ten_thousands" if currency == "CNY" else "thousands"
    return SCALES[to], to


MONEY_COLUMNS = frozenset({
    "original", "adjusted", "actual", "budget", "amount", "change", "total_change", "deviation", "prior_actual",
    "last_year", "abs_error_budget", "abs_error_last_year", "bonus", "volume_variance", "rate_variance",
    "total_variance", "ytd_actual", "budget_to_date", "projection", "annual_budget", "trailing_mean", "difference",
})
"""Column names that hold amounts in the hospital's currency and scale (their headers carry the unit)."""


def as_dict(currency: str, scale: str) -> dict[str, Any]:
    """The money fields written into findings.json and the panel: code, scale, factor and the unit in both
    languages.

    Examples
    --------
    >>> as_dict("USD", "thousands")["unit_en"]
    'USD thousand'
    """
    return {"currency": currency, "scale": scale, "factor": SCALES[scale],
            "unit_en": money_unit(currency, scale, "en"), "unit_zh": money_unit(currency, scale, "zh")}
