"""`xrayreview detect` on a folder of real image files, with the JSON report."""

import json

import cv2
import numpy as np

from xrayreview.cli import main
from xrayreview.detection.synthetic_models import dark_square_model


def write_scans(folder):
    folder.mkdir()
    a = np.full((100, 150, 3), 255, np.uint8)
    a[32:48, 80:96] = 0
    cv2.imwrite(str(folder / "a.png"), a)
    cv2.imwrite(str(folder / "b.png"), np.full((70, 70, 3), 255, np.uint8))
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    high = np.full((64, 64), 60000, np.uint16)
    cv2.imwrite(str(folder / "truck_high.png"), high)
    cv2.imwrite(str(folder / "truck_low.png"), high)
    (folder / "notes.txt").write_text("not a scan")


def test_detect_folder_writes_json_and_goes_on_after_a_bad_scan(tmp_path, capsys):
    write_scans(tmp_path / "scans")
    model = dark_square_model(tmp_path / "squares.onnx")
    out = tmp_path / "out.json"
    code = main(["detect", str(tmp_path / "scans"), "--model", str(model), "--conf", "0.9",
                 "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    assert report["model"]["name"] == "squares" and len(report["model"]["sha256"]) == 64
    by_name = {entry["file"].rsplit("/", 1)[-1]: entry for entry in report["scans"]}
    assert sorted(by_name) == ["a.png", "b.png", "broken.png", "truck_high.png"]  # the pair counts once
    assert by_name["a.png"]["width"] == 150 and by_name["a.png"]["height"] == 100
    assert by_name["a.png"]["detections"] == [
        {"label": "dark_square", "category": "other", "score": 1.0, "box": [80.0, 32.0, 96.0, 48.0]}]
    assert by_name["b.png"]["detections"] == [] and by_name["b.png"]["error"] is None
    assert by_name["broken.png"]["error"] and by_name["broken.png"]["detections"] == []
    assert "4/4" in capsys.readouterr().err


def test_detect_without_a_usable_model_says_why(tmp_path, capsys):
    write_scans(tmp_path / "scans")
    code = main(["detect", str(tmp_path / "scans"), "--model", str(tmp_path / "none.onnx")])
    assert code == 2
    assert "no model file" in capsys.readouterr().err
