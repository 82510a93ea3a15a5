"""Settings: environment over TOML, typed values, errors that name the setting and the value."""

from pathlib import Path

import pytest

from worker.errors import SettingsError
from worker.settings import Settings, load_settings


def test_defaults_without_environment_or_file(tmp_path):
    settings = load_settings({"XDG_CACHE_HOME": str(tmp_path)})
    assert settings.redis_url == "redis://localhost:6379/0"
    assert settings.key_prefix == "jobmatch:"
    assert settings.result_ttl_seconds == 30 * 86400
    assert settings.cache_dir == tmp_path / "jobmatch"


def test_environment_overrides_the_file(tmp_path):
    config = tmp_path / "jobmatch.toml"
    config.write_text('redis_url = "redis://file:6379/1"\nresults_maxlen = 500\nresult_ttl = "2d"\n')
    settings = load_settings({"JOBMATCH_REDIS_URL": "redis://env:6379/2"}, config_file=config)
    assert settings.redis_url == "redis://env:6379/2"
    assert settings.results_maxlen == 500
    assert settings.result_ttl_seconds == 2 * 86400


def test_a_jobmatch_table_and_sources_are_read(tmp_path):
    config = tmp_path / "jobmatch.toml"
    config.write_text(
        '[jobmatch]\nkey_prefix = "staging:"\nvisibility_timeout = "90s"\n\n'
        '[[sources]]\nname = "acme"\nkind = "greenhouse"\nboard = "acme"\n'
    )
    settings = load_settings({}, config_file=config)
    assert settings.key_prefix == "staging:"
    assert settings.visibility_timeout_seconds == 90


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JOBMATCH_RESULTS_MAXLEN", "-3"),
        ("JOBMATCH_RANKING_SIZE", "many"),
        ("JOBMATCH_RESULT_TTL", "soon"),
        ("JOBMATCH_VISIBILITY_TIMEOUT", "0"),
        ("JOBMATCH_KEY_PREFIX", "two words"),
    ],
)
def test_bad_values_name_the_setting_and_the_value(name, value):
    with pytest.raises(SettingsError, match=name) as caught:
        load_settings({name: value})
    assert repr(value) in str(caught.value)


def test_a_bad_value_in_the_file_names_the_file_and_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("ranking_size = true\n")
    with pytest.raises(SettingsError, match=r"bad\.toml: ranking_size: expected a positive whole number"):
        load_settings({}, config_file=config)


def test_seeds_from_the_command_line_win():
    assert Settings().with_seeds("elsewhere").seeds == Path("elsewhere")
