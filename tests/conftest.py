"""Shared helpers for the extractor tests: wrap example sentences as a small, realistic document.

The example sentences in the ``test_extract_*`` files are written for these tests (not copied
from the seed documents). Each is wrapped with a header (title, 文号, salutation), a preamble,
numbered measures and a signature block, so the structure parser sees a whole document.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from huiqi.extract.model import PolicyDoc
from huiqi.extract.pipeline import extract_text

pytest_plugins = ["db_fixtures"]

CITY_TITLE = "丰原市人民政府关于支持制造业高质量发展的若干措施"
CITY_NUMBER = "丰政发〔2024〕5号"
CITY_ISSUER = "丰原市人民政府"
CITY_SALUTATION = "各区县人民政府,市政府各部门:"
PREAMBLE = "为推动全市制造业高质量发展,结合我市实际,制定以下措施。"
SIGNED = "2024年3月1日"


def wrap_document(
    body: str,
    *,
    title: str | None = CITY_TITLE,
    doc_number: str | None = CITY_NUMBER,
    salutation: str | None = CITY_SALUTATION,
    preamble: str | None = PREAMBLE,
    signers: tuple[str, ...] = (CITY_ISSUER,),
    signed: str | None = SIGNED,
) -> str:
    """A whole document around ``body`` (the numbered measures)."""
    lines = [title, doc_number, salutation, preamble, body.strip(), *signers, signed]
    return "\n".join(line for line in lines if line) + "\n"


def measure_body(
    *sentences: str,
    heading: str = "支持企业做优做强",
    units: str = "责任单位:市工业和信息化局、市财政局",
    part: str = "一、加大财政支持力度",
) -> str:
    """One numbered measure (1.) holding ``sentences``, under a 一、 part, with its 责任单位."""
    return f"{part}\n1.{heading}。{''.join(sentences)}({units})"


@pytest.fixture
def policy() -> Callable[..., PolicyDoc]:
    """``policy(body, **header)``: extract a whole document built around ``body``."""

    def run(body: str, **kwargs) -> PolicyDoc:
        return extract_text(wrap_document(body, **kwargs))

    return run


@pytest.fixture
def measure() -> Callable[..., PolicyDoc]:
    """``measure(*sentences)``: extract a city document whose only measure (task 1) holds ``sentences``."""

    def run(*sentences: str, **kwargs) -> PolicyDoc:
        return extract_text(wrap_document(measure_body(*sentences, **kwargs)))

    return run
