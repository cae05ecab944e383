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


# ---------------------------------------------------------------------------------------------
# The service (issue 10): a small world of documents, enterprises and accounts, on both databases.
# The policy sentences below are written for these tests.

SERVICE_CITY_DOC = """济南市人民政府关于支持制造业高质量发展的若干措施
济政发〔2024〕5号
各区县人民政府,市政府各部门:
为推动全市制造业高质量发展,结合我市实际,制定以下措施。
一、加大财政支持力度
1.支持企业做优做强。对新认定的国家级专精特新“小巨人”企业,给予一次性奖励50万元,所需资金由市、区各承担50%。(责任单位:市工业和信息化局、市财政局)
2.支持技术改造。对实施技术改造新增设备的企业,按照不高于设备购置款的10%给予补贴,最高不超过100万元;对企业参加境外展会的,按展位费的50%给予补贴。(责任单位:市工业和信息化局)
3.支持创新平台。对新认定的国家级企业技术中心,给予最高100万元奖励,所需资金由市、区各承担50%。(责任单位:市工业和信息化局)
4.支持绿色发展。对新认定的国家级绿色工厂、省级绿色工厂,分别给予奖励30万元、20万元、10万元。(责任单位:市工业和信息化局、市生态环境局)
二、保障措施
每家企业享受区级各项奖励的最高限额为该企业当年新增税收区留成财力。
本措施自印发之日起施行,有效期至2027年12月31日。
济南市人民政府
2024年3月1日
"""

SERVICE_DISTRICT_DOC = """济南市历下区人民政府关于促进专精特新企业发展的通知
历政发〔2024〕9号
各街道办事处,区政府各部门:
为培育专精特新企业,制定以下措施。
一、奖励措施
1.鼓励企业争先创优。对新认定的国家级专精特新“小巨人”企业,给予一次性奖励80万元。(责任单位:区工业和信息化局、区财政局)
本通知自印发之日起施行,有效期至2027年12月31日。
济南市历下区人民政府
2024年4月1日
"""


def service_uscc(base17: str) -> str:
    """A credit code with a valid check digit."""
    from stdnum.cn import uscc

    return base17 + uscc.calc_check_digit(base17)


class ServiceWorld:
    """Two documents (the city's with flagged rows and a per-enterprise cap, a district's that
    pays more for the same title), four enterprises, one account per role and scope."""

    E1 = service_uscc("91370102MA3C7X0Q1")  # 历下区: many facts and two years of 税收
    E2 = service_uscc("91370102MA3D8Y1R2")  # 历下区: a 小巨人 without 税收 (cap unknown)
    E3 = service_uscc("91370702MA3E9X2T3")  # 潍坊: outside every document's jurisdiction
    E4 = service_uscc("91370103MA3F1A3U4")  # 市中区: one overseas fair
    AS_OF = "2025-01-15"

    def __init__(self, engine, url: str, folder) -> None:
        import datetime as dt

        from huiqi.accounts.users import Actor, add_user
        from huiqi.db.engine import session_scope
        from huiqi.db.models import Enterprise, Event, Metric, Recognition
        from huiqi.library import ingest_file

        self.engine, self.url, self.folder = engine, url, folder
        self.city_path = folder / "city.txt"
        self.city_path.write_text(SERVICE_CITY_DOC, "utf-8")
        self.district_path = folder / "district.txt"
        self.district_path.write_text(SERVICE_DISTRICT_DOC, "utf-8")
        day = dt.date.fromisoformat
        with session_scope(engine) as s:
            self.city = ingest_file(s, self.city_path).document_id
            for uscc, name, region in (
                (self.E1, "泉城精密机械有限公司", "370102"),
                (self.E2, "历山智能装备有限公司", "370102"),
                (self.E3, "潍水动力有限公司", "370702"),
                (self.E4, "趵突泉食品有限公司", "370103"),
            ):
                s.add(Enterprise(uscc=uscc, name=name, region_code=region, extras={}))
            s.flush()
            recognitions = [
                (self.E1, "专精特新小巨人", "国家级", "2024-05-10"),
                (self.E1, "企业技术中心", "国家级", "2024-07-01"),
                (self.E1, "绿色工厂", "国家级", "2024-08-01"),
                (self.E2, "专精特新小巨人", "国家级", "2024-03-20"),
                (self.E3, "专精特新小巨人", "国家级", "2024-06-01"),
            ]
            for n, (uscc, kind, level, on) in enumerate(recognitions):
                s.add(
                    Recognition(
                        natural_key=f"r{n}",
                        identity=f"nk:r{n}",
                        uscc=uscc,
                        kind=kind,
                        level=level,
                        granted_on=day(on),
                        review=False,
                        extras={},
                    )
                )
            events = [
                (self.E1, "设备购置", None, "2024-06-01", 300.0),
                (self.E1, "参展", "境外", "2024-04-01", 6.0),
                (self.E4, "参展", "境外", "2024-05-01", 10.0),
            ]
            for n, (uscc, kind, level, on, amount) in enumerate(events):
                s.add(
                    Event(
                        natural_key=f"e{n}",
                        identity=f"nk:e{n}",
                        uscc=uscc,
                        kind=kind,
                        level=level,
                        occurred_on=day(on),
                        amount_wan=amount,
                        extras={},
                    )
                )
            s.add(Metric(uscc=self.E1, period="2023", indicator="税收", value=100.0, unit="万元"))
            s.add(Metric(uscc=self.E1, period="2024", indicator="税收", value=160.0, unit="万元"))
            accounts = {
                "admin": ("admin", {}),
                "li": ("officer", {"region": "370100"}),
                "wang": ("officer", {"region": "370103"}),
                "zhao": ("officer", {"region": "370700"}),
                "cai": ("finance", {}),
                "shen": ("auditor", {}),
                "e1": ("enterprise", {"uscc": self.E1}),
                "e2": ("enterprise", {"uscc": self.E2}),
                "e4": ("enterprise", {"uscc": self.E4}),
            }
            self.users = {}
            for username, (role, scope) in accounts.items():
                self.users[username] = Actor.of(add_user(s, username, self.password(username), role, **scope))

    @staticmethod
    def password(username: str) -> str:
        return f"{username}-secret-1"

    def session(self):
        from huiqi.db.engine import session_scope

        return session_scope(self.engine)

    def ingest_district(self) -> int:
        from huiqi.library import ingest_file

        with self.session() as s:
            return ingest_file(s, self.district_path).document_id

    def review_city(self) -> None:
        """What an officer does with the flagged 分别 row: split it into 国家级 30 and 省级 20 and
        exclude the stray third amount."""
        from huiqi.review import service
        from huiqi.review.overlay import review_version

        li = self.users["li"]
        with self.session() as s:
            version = service.latest_version(s, self.city)
            flagged = [i for i in review_version(s, version).items["incentives"] if i.flagged]
            first, second, third = (i.index for i in flagged)
            service.correct(
                s,
                li,
                "incentives",
                version.id,
                first,
                {"subject": "新认定的国家级绿色工厂", "reason": "分别对应国家级"},
            )
            service.correct(
                s,
                li,
                "incentives",
                version.id,
                second,
                {"subject": "新认定的省级绿色工厂", "level": "省级", "reason": "分别对应省级"},
            )
            service.decide(s, li, "incentives", version.id, third, "exclude", "原文多出的金额,无对应对象")

    def publish(self, document_id: int, actor: str = "li") -> None:
        from huiqi.review import service

        with self.session() as s:
            service.publish(s, self.users[actor], document_id, "审核完毕,发布")

    def run(self, as_of: str | None = None, year: int | None = None):
        import datetime as dt

        from huiqi.payout.runs import run_service_match

        return run_service_match(self.engine, dt.date.fromisoformat(as_of or self.AS_OF), year)

    def entitlement(self, uscc: str, kind: str, document_id: int | None = None):
        """The tracked entitlement of ``uscc`` whose subject names ``kind``."""
        from sqlalchemy import select

        from huiqi.db.models import TrackedEntitlement

        with self.session() as s:
            query = select(TrackedEntitlement).where(
                TrackedEntitlement.uscc == uscc, TrackedEntitlement.subject.contains(kind)
            )
            if document_id is not None:
                query = query.where(TrackedEntitlement.document_id == document_id)
            return s.scalars(query).one()


@pytest.fixture
def cheap_passwords(monkeypatch):
    """Argon2 at its cheapest parameters, so tests that sign in many times stay fast."""
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    import huiqi.accounts.passwords as passwords

    monkeypatch.setattr(passwords, "HASHER", PasswordHasher.from_parameters(CHEAPEST))
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def world(engine, database_url, tmp_path, cheap_passwords) -> ServiceWorld:
    """The service world on a fresh database (SQLite, then PostgreSQL), nothing published yet."""
    return ServiceWorld(engine, database_url, tmp_path)


@pytest.fixture
def paying_world(world) -> ServiceWorld:
    """The world with the city document reviewed, published and matched."""
    world.review_city()
    world.publish(world.city)
    world.run()
    return world


class ServiceClient:
    """A TestClient on the service over the world's database, with sign-in by user name."""

    def __init__(self, world: ServiceWorld, evidence_dir) -> None:
        import warnings

        from huiqi.web.app import create_app

        with warnings.catch_warnings():  # Starlette's notice about its HTTP client, not ours to act on
            warnings.simplefilter("ignore", DeprecationWarning)
            from fastapi.testclient import TestClient

        self.world = world
        self.app = create_app(world.url, evidence_dir=evidence_dir)
        self.http = TestClient(self.app, raise_server_exceptions=False)
        self._tokens: dict[str, str] = {}

    def login(self, username: str) -> dict[str, str]:
        """Headers with a bearer token for ``username`` (signed in once per test)."""
        if username not in self._tokens:
            answer = self.http.post(
                "/api/v1/session", json={"username": username, "password": self.world.password(username)}
            )
            assert answer.status_code == 200, answer.text
            self._tokens[username] = answer.json()["token"]
            self.http.cookies.clear()  # bearer only: the session cookie would mix the users up
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    def get(self, path: str, user: str, **kwargs):
        return self.http.get(f"/api/v1{path}", headers=self.login(user), **kwargs)

    def post(self, path: str, user: str, **kwargs):
        return self.http.post(f"/api/v1{path}", headers=self.login(user), **kwargs)

    def patch(self, path: str, user: str, **kwargs):
        return self.http.patch(f"/api/v1{path}", headers=self.login(user), **kwargs)


@pytest.fixture
def api(world, tmp_path) -> ServiceClient:
    """The HTTP API over the world (nothing published yet)."""
    return ServiceClient(world, tmp_path / "evidence")


@pytest.fixture
def paying_api(paying_world, tmp_path) -> ServiceClient:
    """The HTTP API over the world with the city document published and matched."""
    return ServiceClient(paying_world, tmp_path / "evidence")
