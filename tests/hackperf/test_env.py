import pytest
from django.core.exceptions import ImproperlyConfigured

from hackperf.env import database_from_url, env_bool, env_int, env_list, env_str, redis_url


class EnvBoolTests:
    @pytest.mark.parametrize("raw", ["1", "true", "True", "yes", "on"])
    def test_it_reads_true(self, raw):
        assert env_bool("X", False, environ={"X": raw}) is True

    @pytest.mark.parametrize("raw", ["0", "false", "no", "off", ""])
    def test_it_reads_false(self, raw):
        assert env_bool("X", True, environ={"X": raw}) is False

    def test_it_uses_the_default_when_unset(self):
        assert env_bool("X", True, environ={}) is True

    def test_it_refuses_anything_else_naming_the_variable(self):
        with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
            env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


class EnvIntTests:
    def test_it_reads_an_integer(self):
        assert env_int("N", 1, environ={"N": "42"}) == 42

    def test_it_refuses_a_word(self):
        with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT='smtp' is not an integer"):
            env_int("EMAIL_PORT", 25, environ={"EMAIL_PORT": "smtp"})


class EnvStrTests:
    def test_it_reads_a_secret_from_a_file(self, tmp_path):
        secret = tmp_path / "key"
        secret.write_text("s3cret\n")
        assert env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(secret)}) == "s3cret"

    def test_it_names_an_unreadable_file(self, tmp_path):
        with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE: cannot read"):
            env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(tmp_path / "missing")})

    def test_it_splits_lists(self):
        assert env_list("H", environ={"H": "a.example, b.example,,"}) == ["a.example", "b.example"]


class DatabaseUrlTests:
    def test_it_parses_postgres(self):
        config = database_from_url("DATABASE_URL", "postgres://u:p@db:5432/hackperf")
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert config["NAME"] == "hackperf"
        assert config["HOST"] == "db"

    @pytest.mark.parametrize("url", ["nonsense", "mysql://u@h/db", "postgres://h:5432/"])
    def test_it_refuses_what_it_cannot_use_naming_the_variable(self, url):
        with pytest.raises(ImproperlyConfigured, match="^DATABASE_URL="):
            database_from_url("DATABASE_URL", url)


class RedisUrlTests:
    def test_it_accepts_redis(self):
        assert redis_url("REDIS_URL", "redis://r:6379/0") == "redis://r:6379/0"

    def test_it_refuses_anything_else(self):
        with pytest.raises(ImproperlyConfigured, match="REDIS_URL='localhost:6379'"):
            redis_url("REDIS_URL", "localhost:6379")
