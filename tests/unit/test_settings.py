import pytest

from pipelines.settings import DEV_PSEUDONYM_KEY, SettingsError, load_settings


def test_dev_runs_with_the_development_key_by_default():
    settings = load_settings({})
    assert settings.env == "dev" and settings.uses_dev_key


@pytest.mark.parametrize("environ", [{"MOPAC_ENV": "prod"}, {"MOPAC_ENV": "prod", "MOPAC_PSEUDONYM_KEY": DEV_PSEUDONYM_KEY},
                                     {"MOPAC_ENV": "prod", "MOPAC_PSEUDONYM_KEY": "short"},
                                     {"MOPAC_ENV": "prod", "MOPAC_PSEUDONYM_KEY": "x" * 31}])
def test_prod_without_a_real_key_is_fatal(environ):
    with pytest.raises(SettingsError, match="MOPAC_PSEUDONYM_KEY"):
        load_settings(environ)


def test_prod_with_a_key_and_custom_folders(tmp_path):
    settings = load_settings({"MOPAC_ENV": "prod", "MOPAC_PSEUDONYM_KEY": "s3cret-" + "x" * 25,
                              "MOPAC_LANDING_DIR": str(tmp_path / "in"), "MOPAC_WAREHOUSE_DIR": str(tmp_path / "wh")})
    assert settings.warehouse_db == tmp_path / "wh" / "mopac.duckdb"
    assert settings.landing_dir == tmp_path / "in" and not settings.uses_dev_key


def test_duckdb_memory_is_bounded_by_default_and_a_bad_size_is_refused():
    assert load_settings({}).duckdb_memory_limit == "256MB"
    assert load_settings({"MOPAC_DUCKDB_MEMORY_LIMIT": "2GB"}).duckdb_memory_limit == "2GB"
    with pytest.raises(SettingsError, match="MOPAC_DUCKDB_MEMORY_LIMIT must be a size such as 512MB"):
        load_settings({"MOPAC_DUCKDB_MEMORY_LIMIT": "lots"})
