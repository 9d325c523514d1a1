"""The `foodbot` command as an operator uses it: exit codes and what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import instance_env
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:CLI-test-secret-token"


def foodbot(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    clean["PYTHONPATH"] = str(ROOT)
    clean.update(env)
    clean.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_migrate_is_safe_to_run_twice(tmp_path: Path) -> None:
    for _ in range(2):
        done = foodbot("migrate", tmp_path=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "up to date" in done.stdout
    assert (tmp_path / "cli.db").exists()


def test_seed_adds_sample_menus_once(tmp_path: Path) -> None:
    first = foodbot("seed", tmp_path=tmp_path)
    second = foodbot("seed", tmp_path=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "0 restaurants" not in first.stdout
    assert "0 restaurants and 0 dishes added" in second.stdout


def test_run_without_a_token_refuses_in_one_clear_line(tmp_path: Path) -> None:
    done = foodbot("run", tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "foodbot: TELEGRAM_BOT_TOKEN is not set: put it in .env or the environment "
        "(or run `foodbot demo`, which needs none)"
    ]


def test_run_on_an_unmigrated_database_says_to_migrate(tmp_path: Path) -> None:
    done = foodbot("run", tmp_path=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN)
    assert done.returncode == 2
    assert "not migrated: run `foodbot migrate`" in done.stderr
    assert TOKEN not in done.stderr + done.stdout


def test_a_malformed_setting_stops_start_up_naming_it(tmp_path: Path) -> None:
    done = foodbot("migrate", tmp_path=tmp_path, ADMIN_IDS="me")
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("foodbot: bad setting ADMIN_IDS")


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CURRENCY=usd\n")
    done = foodbot("migrate", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "CURRENCY" in done.stderr


@pytest.mark.parametrize("args", [[], ["fly"]])
def test_unknown_commands_get_usage(tmp_path: Path, args: list[str]) -> None:
    done = foodbot(*args, tmp_path=tmp_path)
    assert done.returncode == 2
    assert "usage: foodbot" in done.stderr


def test_foodbot_cluster_tells_every_instance_the_redis_they_share(tmp_path: Path) -> None:
    with_redis = Settings(_env_file=None, redis_url="redis://10.0.0.5:6379/2",
                          redis_prefix="shop-a")
    without = Settings(_env_file=None)

    told = instance_env(with_redis, TOKEN)
    assert (told["REDIS_URL"], told["REDIS_PREFIX"]) == ("redis://10.0.0.5:6379/2", "shop-a")
    assert "REDIS_URL" not in instance_env(without, TOKEN)  # each instance keeps its own state
