"""`backup.*`: off unless asked; an interval every platform can keep on the clock; a bounded keep;
refused, naming the key, on a platform where backups are not built yet."""

import pytest

from moorings.wordpress_args import BackupSpec
from stacks.settings.backup import EVERY_ACCEPTED
from tests.unit.settings_loader import load, problems


def test_backups_are_off_by_default_and_their_other_keys_are_still_read():
    assert load().backup is None
    assert load({"backup": {"every": "6h", "keep": 3}}).backup is None


def test_enabled_takes_the_defaults_a_day_and_seven():
    assert load({"backup": {"enabled": True}}).backup == BackupSpec(every_minutes=1440, keep=7)


@pytest.mark.parametrize("every, minutes", [("1m", 1), ("15m", 15), ("30m", 30), ("60m", 60), ("1h", 60), ("6h", 360), ("24h", 1440)])
def test_minutes_that_divide_an_hour_and_hours_that_divide_a_day(every, minutes):
    assert load({"backup": {"enabled": "true", "every": every, "keep": "3"}}).backup == BackupSpec(minutes, 3)


@pytest.mark.parametrize("every", ["7m", "45m", "5h", "48h", "1d", "0m", "daily", "90", "1.5h", "-1h"])
def test_an_interval_the_schedule_cannot_keep_is_refused_with_what_is_accepted(every):
    assert problems({"backup": {"enabled": True, "every": every}}) == [
        f"moorings:backup.every = {every!r} is not accepted: expected {EVERY_ACCEPTED}"
    ]


@pytest.mark.parametrize("keep", [0, -1, 1001, "many"])
def test_keep_outside_1_to_1000_is_refused(keep):
    (problem,) = problems({"backup": {"enabled": True, "keep": keep}})
    assert problem.startswith("moorings:backup.keep = ")
    assert problem.endswith("is not accepted: expected a whole number from 1 to 1000")


def test_swarm_takes_them():
    assert load({"platform": "swarm", "backup": {"enabled": True, "keep": 3}}).backup == BackupSpec(every_minutes=1440, keep=3)


def test_kubernetes_takes_them_with_their_claims_size_and_class():
    settings = load({"platform": "kubernetes", "backup": {"enabled": True, "every": "30m"},
                     "kubernetes": {"backupStorageSize": "20Gi", "backupStorageClass": "fast"}})
    assert settings.backup == BackupSpec(every_minutes=30, keep=7)
    storage = settings.kubernetes.wordpress.backup_storage
    assert (storage.size, storage.class_name) == ("20Gi", "fast")


def test_a_mistyped_backup_key_is_caught():
    (problem,) = problems({"backup": {"enabeld": True}})
    assert problem.startswith("moorings:backup.enabeld is not a Moorings setting")
    assert "did you mean backup.enabled?" in problem
