"""The product platform over the service world, for the web tests (API, pages, browser).

:func:`add_market` imports the hand-made population of ``catalog_fixtures`` (makers in 济南 and
潍坊, products with near misses, demands) into a :class:`conftest.ServiceWorld`, adds a demand
whose buyer is the world's enterprise E1 (so ``e1`` is a buyer), a demand whose 需求编号 is the
stored number of another demand, and an account ``maker`` for the 济南 machine-tool maker.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from catalog_fixtures import DEMANDS, ENTERPRISES, JN_MACHINE, PRODUCTS, RECOGNITIONS, load_population
from huiqi.db.models import Demand, Product


@dataclass
class Market:
    """Stored numbers the tests need."""

    products: dict[str, int]  # 产品编号 → stored id
    demands: dict[str, int]  # 需求编号 → stored id
    tricky: int  # the demand whose 需求编号 is the stored number of XQ-01


def add_market(world, folder) -> Market:
    from huiqi.accounts.users import add_user

    buyer_demand = [
        "XQ-05",
        f"泉城精密机械有限公司({world.E1})",
        "卧式数控车床采购",
        "需卧式数控车床2台,最大回转直径500mm,用于轴类零件车削",
        "",
        "370102",
        "2030-12-31",
    ]
    load_population(
        world.engine,
        folder / "market",
        {
            "enterprises": ENTERPRISES,
            "recognitions": RECOGNITIONS,
            "products": PRODUCTS,
            "demands": [*DEMANDS, buyer_demand],
        },
    )
    with world.session() as s:
        products = dict(s.execute(select(Product.record_id, Product.id)).all())
        demands = dict(s.execute(select(Demand.demand_id, Demand.id)).all())
        add_user(s, "maker", world.password("maker"), "enterprise", uscc=JN_MACHINE)
    # a demand numbered like XQ-01's stored id: the path's number must still mean XQ-01
    same = [
        str(demands["XQ-01"]),
        "济南市某学校",
        "医用防护服",
        "一次性医用防护服500套",
        "",
        "370100",
        "2030-12-31",
    ]
    load_population(world.engine, folder / "market-2", {"demands": [same]})
    with world.session() as s:
        tricky = s.scalar(select(Demand.id).where(Demand.demand_id == same[0]))
    return Market(products, demands, tricky)
