"""The supervisor's filters and figures, and the inbox's idea of 'next'."""

import os
import time

import pytest

from xrayreview.decisions import (
    Account,
    Audit,
    AuditFilter,
    Decision,
    DecisionLog,
    Inbox,
    InvalidRecord,
    PermissionDenied,
    ScanInfo,
    decided_files,
    figures,
    figures_per_officer,
    hourly_counts,
    record_decision,
)

FLAG = {"label": "pistol", "category": "firearm", "score": 0.92, "box": [1, 1, 9, 9], "verdict": "confirmed"}
WEAK = {"label": "wire", "category": "ied_component", "score": 0.4, "box": [1, 1, 9, 9],
        "verdict": "dismissed"}


def _add(log, who, decision, opened, decided, marks=(), reasons=(), name="a"):
    import xrayreview.decisions.recording as recording

    recording.now_utc, saved = (lambda: decided), recording.now_utc  # decisions at chosen times
    try:
        return record_decision(log, Account(who, "officer"), Decision(
            ScanInfo([f"/inbox/{name}.tif"], "c" * 64, 64, 48), decision, opened,
            reasons=list(reasons), detector_marks=[dict(m) for m in marks]))
    finally:
        recording.now_utc = saved


@pytest.fixture
def audit(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite") as log:
        day = "2026-11-27T"
        _add(log, "olga", "clear", day + "08:00:00.000+00:00", day + "08:00:20.000+00:00", name="s1")
        _add(log, "olga", "clear", day + "08:01:00.000+00:00", day + "08:01:40.000+00:00", [FLAG], name="s2")
        _add(log, "olga", "refer", day + "09:00:00.000+00:00", day + "09:00:30.000+00:00", [FLAG],
             ["firearm"], name="s3")
        _add(log, "otto", "refer", "2026-11-28T10:00:00.000+00:00", "2026-11-28T10:01:00.000+00:00",
             [WEAK], ["manifest"], name="s4")
        _add(log, "otto", "rescan", "2026-11-28T10:02:00.000+00:00", "2026-11-28T10:02:10.000+00:00",
             reasons=["quality"], name="s5")
        yield Audit(log, Account("sam", "supervisor"))


def test_officers_cannot_audit(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite") as log, pytest.raises(PermissionDenied):
        Audit(log, Account("olga", "officer"))


@pytest.mark.parametrize("flt, expected", [
    (AuditFilter(), [1, 2, 3, 4, 5]),
    (AuditFilter(start="2026-11-28"), [4, 5]),
    (AuditFilter(end="2026-11-27"), [1, 2, 3]),
    (AuditFilter(start="2026-11-27T08:30:00", end="2026-11-28T10:01:30"), [3, 4]),
    (AuditFilter(officer="OTTO"), [4, 5]),
    (AuditFilter(decision="refer"), [3, 4]),
    (AuditFilter(reason="quality"), [5]),
    (AuditFilter(flagged=True), [2, 3, 4]),
    (AuditFilter(flagged=False), [1, 5]),
    (AuditFilter(disagreement=True), [2, 4]),
])
def test_filters(audit, flt, expected):
    assert [row.seq for row in audit.decisions(flt)] == expected


@pytest.mark.parametrize("text", ["not a date", "2026-13-01", "yesterday"])
def test_bad_dates_are_refused_clearly(audit, text):
    with pytest.raises(InvalidRecord, match="YYYY-MM-DD"):
        audit.decisions(AuditFilter(start=text))


@pytest.mark.parametrize("flt, message", [
    (AuditFilter(start="2026-11-28", end="2026-11-27"), r"starts \(2026-11-28\) after it ends"),
    (AuditFilter(reason="firarm"), "'firarm' is no reason code; the codes are firearm"),
])
def test_a_filter_that_could_match_nothing_is_refused_not_shown_as_an_empty_audit(audit, flt, message):
    with pytest.raises(InvalidRecord, match=message):
        audit.decisions(flt)
    assert [row.seq for row in audit.decisions(AuditFilter(start="2026-11-28", end="2026-11-28"))] == [4, 5]


def test_figures_overall_and_per_officer(audit):
    rows = audit.decisions()
    overall = figures(rows)
    assert overall.scans == 5 and overall.active_hours == 3
    assert overall.median_decision_s == 30.0
    assert overall.referral_rate == 0.4 and overall.rescan_rate == 0.2
    assert overall.agreement_rate == 0.6
    assert overall.cleared_strong_alarms == [2]
    olga = figures_per_officer(rows)["olga"]
    assert olga.scans == 3 and olga.scans_per_hour == 1.5 and olga.cleared_strong_alarms == [2]
    assert hourly_counts(rows) == {"2026-11-27T08": 2, "2026-11-27T09": 1, "2026-11-28T10": 2}
    assert audit.officers() == ["olga", "otto"]
    assert figures([]).scans == 0


def test_corrected_decisions_are_hidden_unless_asked(audit):
    log = audit.log
    record_decision(log, Account("olga", "officer"), Decision(
        ScanInfo(["/inbox/s2.tif"], "c" * 64, 64, 48), "refer", "2026-11-27T08:01:00.000+00:00",
        reasons=["firearm"], detector_marks=[FLAG], corrects=2))
    seqs = [row.seq for row in audit.decisions()]
    assert 2 not in seqs and 6 in seqs
    old = [row for row in audit.decisions(AuditFilter(include_superseded=True)) if row.seq == 2][0]
    assert old.superseded_by == 6


def _write(path, data=b"x" * 100, age=10.0):
    path.write_bytes(data)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))


def test_inbox_lists_settled_undecided_scans_oldest_first(tmp_path):
    inbox_dir = tmp_path / "inbox"
    inbox_dir.mkdir()
    _write(inbox_dir / "b.tif", age=50)
    _write(inbox_dir / "a.png", age=40)
    _write(inbox_dir / "truck_high.tif", age=60)
    _write(inbox_dir / "truck_low.tif", age=59)
    _write(inbox_dir / "lone_high.tif", age=5)
    _write(inbox_dir / "a.json", age=100)  # sidecar, not a scan
    _write(inbox_dir / "fresh.tif", age=0)  # still being written
    inbox = Inbox(inbox_dir, settle_s=2.0, pair_wait_s=30.0)
    names = [[f.name for f in item.files] for item in inbox.pending()]
    assert names == [["truck_high.tif", "truck_low.tif"], ["b.tif"], ["a.png"]]
    decided = {str((inbox_dir / "truck_low.tif").resolve()), str((inbox_dir / "b.tif").resolve())}
    assert inbox.next(decided).name == "a.png"
    (inbox_dir / "a.png").write_bytes(b"y" * 300)  # rewritten: waits until it settles again
    os.utime(inbox_dir / "a.png", (time.time() - 10, time.time() - 10))
    assert inbox.next(decided) is None
    assert inbox.next(decided).name == "a.png"


def test_decided_files_come_from_the_log(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite") as log:
        _add(log, "olga", "clear", "2026-11-27T08:00:00.000+00:00", "2026-11-27T08:00:05.000+00:00")
        files, last = decided_files(log)
        assert files == {"/inbox/a.tif"} and last == 1
        assert decided_files(log, after_seq=1) == (set(), 1)


def test_decision_time_spans_midnight_and_time_zones():
    from xrayreview.decisions.queries import _seconds

    assert _seconds("2026-11-28T00:00:03.500+00:00") - _seconds("2026-11-27T23:59:58.250+00:00") == 5.25
    assert _seconds("2026-11-28T01:00:03.500+01:00") - _seconds("2026-11-28T00:00:00.000+00:00") == 3.5


def test_a_lone_half_of_a_pair_waits_for_its_partner(tmp_path):
    _write(tmp_path / "van_high.tif", age=20)
    inbox = Inbox(tmp_path, settle_s=2.0, pair_wait_s=60.0)
    assert inbox.pending() == []  # the low half may still be on its way
    assert [i.name for i in Inbox(tmp_path, settle_s=2.0, pair_wait_s=10.0).pending()] == ["van_high.tif"]
    _write(tmp_path / "van_low.tif", age=5)
    assert [len(i.files) for i in inbox.pending()] == [2]
