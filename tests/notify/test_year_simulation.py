"""Issue 14 §7: three simulated months of bench/year.py in the suite — every kind of due item, the
daily job each morning with frozen time, the 10th of each month skipped and a 16-day outage. The
expected list is built from the data by the simulation's own rules, not by the reminder code."""

from bench.year import START, build, simulate


def test_three_simulated_months_lose_no_reminder_send_none_twice_and_none_to_anyone_who_may_not_open_it(
    db, settings, tmp_path
):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"
    world = build(START, days=90)

    report = simulate(world)

    print(report.table())
    assert report.missing == []
    assert report.duplicates == []
    assert report.wrong_recipient == []
    assert report.late_other == 0  # late only on the first run after an outage (or the first run ever)
    assert report.late_after_outage > 0 and report.on_time > 15  # the outage and the first run were exercised
