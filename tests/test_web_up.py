"""The README's run command (make demo → huiqi up) brings the platform up with its pages: the
address of the pages and each demo login with its home page are printed, and the logins work on
the pages (a smaller population than the demo's 5,000 enterprises, to keep the test quick)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from web_support import login_token, text_of

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_huiqi_up_prints_the_pages_and_logins_that_work(tmp_path):
    env = dict(os.environ, HUIQI_DATA_DIR=str(tmp_path / "data"), COLUMNS="200")
    env.pop("HUIQI_DATABASE_URL", None)
    huiqi = Path(sys.executable).with_name("huiqi")
    done = subprocess.run(
        [str(huiqi), "up", "--seeds", str(SEEDS), "--n", "200", "--no-serve", "--password", "demo-pass-1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "网页:http://127.0.0.1:8000/ (用下面的账号登录)" in out
    homes = dict(re.findall(r"(demo-\w+)\s+\w+\s+demo-pass-1\s+http://127\.0\.0\.1:8000(/\S*)", out))
    assert homes == {
        "demo-admin": "/dashboard",
        "demo-officer": "/desk",
        "demo-finance": "/dashboard",
        "demo-auditor": "/dashboard",
        "demo-enterprise": "/me",
    }
    import warnings

    from huiqi.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    app = create_app(f"sqlite:///{tmp_path / 'data' / 'huiqi.db'}", evidence_dir=tmp_path / "evidence")
    for username, home in homes.items():
        browser = TestClient(app)
        token = login_token(browser.get("/login").text)
        signed = browser.post(
            "/login",
            data={"username": username, "password": "demo-pass-1", "login_token": token},
            follow_redirects=False,
        )
        assert signed.headers["location"] == home
        page = browser.get(home)
        assert page.status_code == 200, (username, page.text[:300])
        if username == "demo-enterprise":
            assert "应享政策" in text_of(page.text) and "免申即享" in text_of(page.text)
