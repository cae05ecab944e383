"""Commands of the service: serve the HTTP API, add users, verify the audit chain, bring the demo
platform up (``huiqi up``)."""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from pathlib import Path

import typer
from rich.console import Console

from huiqi.cli_common import err, fail, open_engine
from huiqi.db.engine import database_url, session_scope
from huiqi.db.migrate import upgrade
from huiqi.errors import HuiqiError

user_app = typer.Typer(help="账号:新建账号。", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志:核验哈希链。", no_args_is_help=True)

DEMO_ROLES = ("admin", "officer", "finance", "auditor", "enterprise")
DEMO_REGION = "370100"  # 济南市: the officer's area in the demo


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址。"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口。"),
    workers: int = typer.Option(1, "--workers", min=1, max=16, help="工作进程数。"),
) -> None:
    """启动服务:网页在 /,接口在 /api/v1 下(OpenAPI 文档在 /api/v1/openapi.json),与命令行共用同一个数据库。

    例:huiqi serve --port 8000
    """
    upgrade(database_url())
    err.print(
        f"网页:http://{host}:{port}/  接口:http://{host}:{port}/api/v1  "
        f"OpenAPI:http://{host}:{port}/api/v1/openapi.json",
        highlight=False,
    )
    _run_server(host, port, workers)


def _run_server(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "huiqi.web.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


def _password(prompt: bool) -> str:
    if prompt and sys.stdin.isatty():
        return typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def user_add(
    username: str = typer.Argument(..., help="用户名(2~64位字母、数字或 _ . @ -)。"),
    role: str = typer.Option(..., "--role", help="角色:enterprise / officer / finance / auditor / admin。"),
    uscc: str | None = typer.Option(None, "--uscc", help="企业账号绑定的统一社会信用代码。"),
    region: str | None = typer.Option(
        None, "--region", help="经办人员负责的地区:行政区划代码或其前缀(3701)。"
    ),
    department: str | None = typer.Option(None, "--department", help="经办人员所在部门(可选)。"),
) -> None:
    """新建账号,密码从标准输入读取(终端中会提示输入两次)。

    例:echo 'S3cret-pass' | huiqi user add li --role officer --region 370100
    """
    from huiqi.accounts.users import add_user

    password = _password(prompt=True)
    engine = open_engine()
    try:
        with session_scope(engine) as session:
            user = add_user(
                session,
                username,
                password,
                role,
                uscc=uscc,
                region=region,
                department=department,
                actor="cli",
            )
            scope = user.uscc or user.region_prefix or "全部"
    except HuiqiError as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()
    Console().print(f"已新建账号 {username}(角色 {role},范围 {scope})", highlight=False)


def audit_verify() -> None:
    """逐条核验审计日志的哈希链:完整时退出码为0;有记录被修改、删除或调换顺序时退出码为1,并指出第一条出错的记录。

    例:huiqi audit verify
    """
    from huiqi.audit.chain import verify

    engine = open_engine()
    try:
        with session_scope(engine) as session:
            verdict = verify(session)
    finally:
        engine.dispose()
    if not verdict.ok:
        raise fail(verdict.describe())
    Console().print(verdict.describe(), highlight=False)


def _demo_enterprise(session) -> str | None:
    """An enterprise in the officer's area with both kinds of entitlement, to show both paths."""
    from sqlalchemy import func, select

    from huiqi.db.models import Enterprise, TrackedEntitlement
    from huiqi.match.stacking import PAID

    modes = func.count(func.distinct(TrackedEntitlement.mode))
    query = (
        select(TrackedEntitlement.uscc)
        .join(Enterprise, Enterprise.uscc == TrackedEntitlement.uscc)
        .where(Enterprise.region_code.startswith(DEMO_REGION[:4]), TrackedEntitlement.match_status == PAID)
        .group_by(TrackedEntitlement.uscc)
        .order_by(modes.desc(), func.count().desc(), TrackedEntitlement.uscc)
        .limit(1)
    )
    return session.scalar(query)


def demo_accounts(engine, password: str | None = None) -> dict[str, tuple[str, str]]:
    """One account per role (username → (role, password)); existing demo accounts get a new
    password, so the printed logins always work."""
    from sqlalchemy import select

    from huiqi.accounts.users import add_user, set_password
    from huiqi.db.models import User

    logins: dict[str, tuple[str, str]] = {}
    with session_scope(engine) as session:
        uscc = _demo_enterprise(session)
        for role in DEMO_ROLES:
            if role == "enterprise" and uscc is None:
                continue
            username = f"demo-{role}"
            secret = password or secrets.token_urlsafe(9)
            if session.scalar(select(User.id).where(User.username == username)) is None:
                scope = (
                    {"uscc": uscc}
                    if role == "enterprise"
                    else {"region": DEMO_REGION}
                    if role == "officer"
                    else {}
                )
                add_user(session, username, secret, role, actor="huiqi up", **scope)
            else:
                set_password(session, username, secret, actor="huiqi up")
            logins[username] = (role, secret)
    return logins


def publish_clean(engine, console: Console) -> None:
    """Publish every document whose latest version has nothing waiting for review; list the rest."""
    from sqlalchemy import select

    from huiqi.accounts.users import Actor
    from huiqi.db.models import Document, User
    from huiqi.payout.errors import Conflict
    from huiqi.review import service
    from huiqi.review.overlay import review_version

    with session_scope(engine) as session:
        admin = Actor.of(session.scalar(select(User).where(User.username == "demo-admin")))
        for document in session.scalars(select(Document).order_by(Document.id)):
            state = review_version(session, service.latest_version(session, document.id))
            if blocking := state.blocking():
                console.print(f"  待审核后发布:《{document.title}》{len(blocking)} 处待核", highlight=False)
                continue
            try:
                service.publish(session, admin, document.id, "演示:没有待核的行,自动发布")
                console.print(f"  已发布:《{document.title}》", highlight=False)
            except Conflict:
                console.print(f"  已是发布状态:《{document.title}》", highlight=False)


def up(
    seeds: Path = typer.Option(Path("../shared/seeds"), help="种子政策文件所在目录。"),
    n: int = typer.Option(5000, "--n", min=100, help="合成企业数量(名录为空时生成)。"),
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址。"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口。"),
    password: str | None = typer.Option(
        None, "--password", help="所有演示账号使用的密码(默认每次随机生成)。"
    ),
    serve_: bool = typer.Option(True, "--serve/--no-serve", help="准备好后是否启动服务。"),
) -> None:
    """一键启动演示平台:种子政策入库、生成并导入合成企业、发布无待核的文件、匹配、每个角色一个演示账号,然后启动服务并打印地址和登录信息。

    例:huiqi up --seeds ../shared/seeds --port 8000
    """
    from sqlalchemy import func, select

    from huiqi.cli_platform import import_synthetic, ingest_paths
    from huiqi.db.models import Enterprise
    from huiqi.payout.runs import run_service_match

    if not seeds.is_dir():
        raise fail(f"{seeds}: 目录不存在(请在仓库根目录运行,并确保 ../shared 在旁边)")
    console = Console()
    console.rule("[bold]1. 政策文件入库")
    ingest_paths([seeds], console)
    engine = open_engine()
    try:
        with session_scope(engine) as session:
            known = session.scalar(select(func.count()).select_from(Enterprise))
        console.rule("[bold]2. 企业名录")
        if known:
            console.print(f"名录中已有 {known:,} 家企业,不再生成。")
        else:
            import_synthetic(engine, n, console)
        console.rule("[bold]3. 演示账号与发布")
        demo_accounts(engine, password)  # the admin exists before it publishes
        publish_clean(engine, console)
        console.rule("[bold]4. 政策找企业(已发布的文件)")
        run = run_service_match(engine, dt.date.today(), actor="huiqi up")
        console.print(
            f"规则 {run.rules} 条,应享 {run.rows:,} 条(新增 {run.tracked_new:,},更新 {run.tracked_updated:,})。"
        )
        logins = demo_accounts(engine, password)  # again: the enterprise account needs the match
    finally:
        engine.dispose()
    console.rule("[bold]5. 服务")
    base = f"http://{host}:{port}"
    console.print(
        f"网页:{base}/ (用下面的账号登录)\n接口:{base}/api/v1\nOpenAPI:{base}/api/v1/openapi.json\n"
        f"接口文档:{base}/api/v1/docs",
        highlight=False,
    )
    console.print("演示账号(用户名 / 角色 / 密码 / 登录后的首页):", highlight=False)
    from huiqi.web.pages.common import ROLE_HOME

    for username, (role, secret) in logins.items():
        console.print(f"  {username:<18} {role:<10} {secret:<14} {base}{ROLE_HOME[role]}", highlight=False)
    console.print(f"数据库:{database_url()}", highlight=False)
    if serve_:
        _run_server(host, port, 1)


def register(app: typer.Typer) -> None:
    """Attach these commands to the main app."""
    app.command()(serve)
    user_app.command("add")(user_add)
    app.add_typer(user_app, name="user")
    audit_app.command("verify")(audit_verify)
    app.add_typer(audit_app, name="audit")
    app.command()(up)
