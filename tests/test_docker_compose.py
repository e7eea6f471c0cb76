"""docker-compose.yml, read as Docker would (no Docker engine runs here)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def load() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


class ComposeTests:
    def test_it_runs_postgres_redis_web_worker_and_beat(self):
        assert set(load()["services"]) == {"postgres", "redis", "web", "worker", "beat"}

    def test_every_service_has_a_health_check(self):
        for name, service in load()["services"].items():
            assert service["healthcheck"]["test"], name

    def test_the_app_waits_for_healthy_postgres_and_redis(self):
        services = load()["services"]
        for name in ("web", "worker", "beat"):
            depends = services[name]["depends_on"]
            assert depends["postgres"]["condition"] == "service_healthy", name
            assert depends["redis"]["condition"] == "service_healthy", name

    def test_web_is_gunicorn_and_the_workers_are_celery(self):
        services = load()["services"]
        assert "gunicorn hackperf.wsgi" in services["web"]["command"]
        assert services["worker"]["command"][:4] == ["celery", "-A", "hackperf", "worker"]
        assert services["beat"]["command"][:4] == ["celery", "-A", "hackperf", "beat"]

    def test_the_app_gets_production_settings_from_the_environment(self):
        env = load()["services"]["web"]["environment"]
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert "SECRET_KEY" in env

    def test_web_and_the_dockerfile_serve_with_the_one_gunicorn_config(self):
        # hackperf/gunicorn_conf.py is the one home of the worker count and the bind address.
        web = load()["services"]["web"]
        config = "--config python:hackperf.gunicorn_conf"
        assert config in web["command"]
        assert "--workers" not in web["command"]
        # Passed through from the shell or .env, or left unset: gunicorn refuses an empty one.
        assert web["environment"]["WEB_CONCURRENCY"] is None
        cmd = (ROOT / "Dockerfile").read_text().split("\nCMD ", 1)[1]
        assert '"--config", "python:hackperf.gunicorn_conf"' in cmd
        assert "--workers" not in cmd

    def test_the_dockerfile_collects_static_files_for_whitenoise(self):
        dockerfile = (ROOT / "Dockerfile").read_text()
        assert "collectstatic" in dockerfile
        assert "requirements.lock" in dockerfile
