"""Reading labelled image folders: Pascal VOC XML, YOLO txt, or COCO JSON.

Boxes come out as x1, y1, x2, y2 in the image's pixels. An image without a label file is a
clean image (no threat), which is how scanner datasets mark most of their scans; so is an image
a COCO file does not name. Such images, and files a COCO file names that are not there, are
listed in the dataset's notes: a label file that matches the wrong folder would otherwise make
every scan "clean" and every figure wrong without a word.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from .scanfiles import SCAN_SUFFIXES, scan_files

IMAGE_DIRS = ("images", "JPEGImages")
VOC_DIRS = ("annotations", "Annotations")
YOLO_DIRS = ("labels",)
YOLO_NAME_FILES = ("classes.txt", "obj.names", "data.yaml", "dataset.yaml")


class DatasetError(Exception):
    """A labelled folder that cannot be read; the message says which file and why."""


@dataclass(frozen=True)
class Truth:
    label: str
    box: tuple[float, float, float, float]
    supercategory: str | None = None


@dataclass
class LabelledImage:
    path: Path
    truths: list[Truth] = field(default_factory=list)
    labelled: bool = False  # a label file exists (an empty one still says "clean")


@dataclass
class Dataset:
    images: list[LabelledImage]
    label_format: str
    notes: list[str] = field(default_factory=list)  # what the labels and the folder disagree on


NAMES_SHOWN = 3  # file names a note lists before it only counts


def read_dataset(folder: Path) -> Dataset:
    """Every image under ``folder`` with its ground truth, the label format found, and notes."""
    if not folder.is_dir():
        raise DatasetError(f"{folder} is not a folder")
    images = [LabelledImage(p) for p in scan_files(sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES))]
    if not images:
        raise DatasetError(f"no images in {folder}")
    coco = _find_coco(folder)
    if coco is not None:
        missing = _read_coco(coco, folder, images)
        return Dataset(images, "COCO", _coco_notes(coco, images, missing))
    names = _yolo_names(folder)
    formats = set()
    for image in images:
        xml = _label_file(image.path, folder, ".xml", VOC_DIRS)
        txt = _label_file(image.path, folder, ".txt", YOLO_DIRS)
        if xml is not None:
            image.truths, image.labelled = _read_voc(xml), True
            formats.add("Pascal VOC")
        elif txt is not None:
            image.truths, image.labelled = _read_yolo(txt, image.path, names), True
            formats.add("YOLO")
    unlabelled = [image.path.name for image in images if not image.labelled]
    notes = [f"{len(unlabelled)} images have no label file and are scored as clean: {_some(unlabelled)}"
             ] if unlabelled else []
    return Dataset(images, " + ".join(sorted(formats)) or "unlabelled", notes)


def _label_file(image: Path, root: Path, suffix: str, label_dirs: tuple[str, ...]) -> Path | None:
    candidates = [image.with_suffix(suffix)]
    parts = image.relative_to(root).parts
    for i, part in enumerate(parts[:-1]):
        if part in IMAGE_DIRS:
            for label_dir in label_dirs:
                swapped = root.joinpath(*parts[:i], label_dir, *parts[i + 1:])
                candidates.append(swapped.with_suffix(suffix))
    candidates += [root / label_dir / (image.stem + suffix) for label_dir in label_dirs]
    return next((c for c in candidates if c.is_file()), None)


def _read_voc(path: Path) -> list[Truth]:
    try:
        tree = ElementTree.parse(path)
    except (ElementTree.ParseError, OSError) as exc:
        raise DatasetError(f"{path.name}: not readable Pascal VOC XML ({exc})") from exc
    truths = []
    for obj in tree.getroot().iter("object"):
        name, box = obj.findtext("name"), obj.find("bndbox")
        if name is None or box is None:
            raise DatasetError(f"{path.name}: an object without name or bndbox")
        try:
            coords = tuple(float(box.findtext(k) or "") for k in ("xmin", "ymin", "xmax", "ymax"))
        except ValueError as exc:
            raise DatasetError(f"{path.name}: a bndbox with a missing or bad coordinate") from exc
        truths.append(Truth(name.strip(), coords))  # type: ignore[arg-type]
    return truths


def _read_yolo(path: Path, image: Path, names: list[str]) -> list[Truth]:
    from ..scan import ScanError, load_scan  # noqa: PLC0415 - only YOLO needs the image size

    lines = [line.split() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return []
    try:
        scan = load_scan(image, pair=False)
    except ScanError as exc:
        raise DatasetError(f"{image.name}: {exc}") from exc
    truths = []
    for number, fields in enumerate(lines, 1):
        try:
            cls, cx, cy, w, h = int(fields[0]), *(float(v) for v in fields[1:5])
        except (ValueError, IndexError) as exc:
            raise DatasetError(f"{path.name} line {number}: expected 'class cx cy w h'") from exc
        label = names[cls] if 0 <= cls < len(names) else str(cls)
        box = ((cx - w / 2) * scan.width, (cy - h / 2) * scan.height,
               (cx + w / 2) * scan.width, (cy + h / 2) * scan.height)
        truths.append(Truth(label, box))
    return truths


def _yolo_names(root: Path) -> list[str]:
    """Class names from classes.txt / obj.names, or the `names:` of a data.yaml (list or mapping)."""
    for name in YOLO_NAME_FILES:
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".yaml":
            return _yaml_names(text)
        return [line.strip() for line in text.splitlines() if line.strip()]
    return []


def _yaml_names(text: str) -> list[str]:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("names:"):
            continue
        inline = line[len("names:"):].strip()
        if inline.startswith("["):
            return [v.strip().strip("'\"") for v in inline.strip("[]").split(",") if v.strip()]
        names: dict[int, str] = {}
        for item in lines[i + 1:]:
            if not item.startswith((" ", "\t", "-")):
                break
            item = item.strip()
            if item.startswith("-"):
                names[len(names)] = item[1:].strip().strip("'\"")
            elif ":" in item:
                key, value = item.split(":", 1)
                if key.strip().isdigit():
                    names[int(key)] = value.strip().strip("'\"")
        return [names[k] for k in sorted(names)]
    return []


def _find_coco(root: Path) -> Path | None:
    """The COCO file among the folder's JSON files. Other JSON (a scanner's per-scan metadata)
    is passed over, but ``annotations.json`` and the files in ``annotations/`` can only be
    labels, so one that cannot be read is an error, not "no labels"."""
    declared = [root / "annotations.json", *sorted((root / "annotations").glob("*.json"))]
    candidates = [root / "annotations.json", *sorted(root.glob("*.json")),
                  *sorted((root / "annotations").glob("*.json"))]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            if path in declared:
                raise DatasetError(f"{path.name}: not readable JSON ({exc})") from exc
            continue
        if isinstance(data, dict) and "images" in data and "annotations" in data:
            return path
        if path in declared:
            raise DatasetError(f"{path.name}: not a COCO detection file (no 'images' and 'annotations')")
    return None


def _read_coco(path: Path, root: Path, images: list[LabelledImage]) -> list[str]:
    """Fills in the images' truths; returns the file names the COCO file names that are not here."""
    data = json.loads(path.read_text(encoding="utf-8"))
    missing = []
    try:
        categories = {c["id"]: (str(c["name"]), c.get("supercategory")) for c in data.get("categories", [])}
        by_name = {p.name: image for image in images for p in [image.path]}
        by_id = {}
        for entry in data["images"]:
            image = by_name.get(Path(entry["file_name"]).name)
            if image is None:
                missing.append(Path(entry["file_name"]).name)
                continue
            image.labelled = True
            by_id[entry["id"]] = image
        for ann in data["annotations"]:
            image = by_id.get(ann["image_id"])
            if image is None:
                continue
            x, y, w, h = (float(v) for v in ann["bbox"])
            name, supercategory = categories.get(ann["category_id"], (str(ann["category_id"]), None))
            image.truths.append(Truth(name, (x, y, x + w, y + h), supercategory))
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"{path.name}: not a COCO detection file ({exc!r})") from exc
    if not any(image.labelled for image in images):
        raise DatasetError(f"{path.name} names none of the {len(images)} images in {root}")
    return missing


def _coco_notes(path: Path, images: list[LabelledImage], missing: list[str]) -> list[str]:
    notes = []
    if missing:
        notes.append(f"{len(missing)} images {path.name} names are not in the folder, so not scored: "
                     f"{_some(missing)}")
    unnamed = [image.path.name for image in images if not image.labelled]
    if unnamed:
        notes.append(f"{len(unnamed)} images {path.name} does not name are scored as clean: {_some(unnamed)}")
    return notes


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")
