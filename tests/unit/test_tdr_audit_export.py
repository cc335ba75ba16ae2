"""`xrayreview audit export --format tdr`: one operator TDR per logged decision, linked to its image."""

import io

from dicos_factory import dx_dataset, gradient, write

from xrayreview.cli import main
from xrayreview.decisions import Accounts, Decision, DecisionLog, ScanInfo, now_utc, record_decision
from xrayreview.scan import load_scan
from xrayreview.scan.tdr import read_tdr


def test_export_tdrs_from_the_log(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    ds = dx_dataset(gradient())
    scan = load_scan(write(ds, tmp_path / "bag.dcs"))
    db = tmp_path / "log.sqlite"
    with DecisionLog(db) as log:
        accounts = Accounts(log)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "sam", "supervisor", "super-pass")
        accounts.create(admin, "olga", "officer", "officer-pass")
        olga = accounts.authenticate("olga", "officer-pass")
        detector = [{"label": "pistol", "category": "firearm", "score": 0.9, "box": [5, 5, 15, 12],
                     "verdict": "confirmed"},
                    {"label": "pistol", "category": "firearm", "score": 0.3, "box": [20, 2, 30, 9],
                     "verdict": "dismissed"}]
        own = [{"label": "wires", "category": "ied_component", "box": [1, 15, 9, 25]}]
        record_decision(log, olga, Decision(ScanInfo.from_scan(scan), "refer", now_utc(), reasons=["firearm"],
                                            detector_marks=detector, officer_marks=own, note="check"))
        record_decision(log, olga, Decision(ScanInfo(["/gone/x.tif"], "e" * 64, 10, 10), "clear", now_utc()))
    out = tmp_path / "tdrs"
    monkeypatch.setattr("sys.stdin", io.StringIO("super-pass\n"))
    argv = ["audit", "export", "--db", str(db), "--user", "sam", "--format", "tdr", "--out", str(out)]
    assert main(argv) == 0
    assert "2 DICOS operator TDR" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir() if p.suffix != ".dcs") == ["SHA256SUMS.txt"]  # finished
    reports = [read_tdr(p) for p in sorted(out.glob("*.dcs"))]
    referred = next(r for r in reports if r.decision == "ALARM")
    assert referred.refers_to(scan)  # the UID was read back from the unchanged scan file
    assert referred.operator == "olga" and referred.extra["note"] == "check"
    assert sorted(a.label for a in referred.alarms_for(scan)) == ["pistol", "wires"]
    cleared = next(r for r in reports if r.decision == "CLEAR")
    assert cleared.image_uids == () and cleared.extra["scan_sha256"] == "e" * 64
