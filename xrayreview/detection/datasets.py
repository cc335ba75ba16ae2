"""Reading labelled image folders: Pascal VOC XML, YOLO txt, or COCO JSON.

Boxes come out as x1, y1, x2, y2 in the image's pixels. An image without a label file is a
clean image (no threat), which is how scanner datasets mark most of their scans; so is an image
a COCO file does not name. Such images, and files a COCO file names that are not there, are
listed in the dataset's notes: a label file that matches the wrong folder would otherwise make
every scan "clean" and every figure wrong without a word.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .scanfiles import SCAN_SUFFIXES, scan_files

IMAGE_DIRS = ("images", "JPEGImages")
VOC_DIRS = ("annotations", "Annotations")
YOLO_DIRS = ("labels",)
YOLO_NAME_FILES = ("classes.txt", "obj.names", "data.yaml", "dataset.yaml")
YOLO_BOX_FIELDS = (5, 6)  # class cx cy w h, and the score a model's saved predictions add
YOLO_POLYGON_FIELDS = 7  # class and three x y points, the fewest a segmentation outline has
YOLO_LINE_FORMS = "expected 'class cx cy w h' (and a score) or a polygon 'class x1 y1 x2 y2 x3 y3 ...'"


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
    if coco:
        missing = _read_coco(coco, folder, images)
        return Dataset(images, "COCO", _coco_notes([path for path, _ in coco], images, missing))
    yolo = _yolo_config(folder)
    formats = set()
    for image in images:
        xml = _label_file(image.path, folder, ".xml", VOC_DIRS)
        txt = _label_file(image.path, folder, ".txt", YOLO_DIRS)
        if xml is not None:
            image.truths, image.labelled = _read_voc(xml), True
            formats.add("Pascal VOC")
        elif txt is not None:
            image.truths, image.labelled = _read_yolo(txt, image.path, yolo), True
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


@dataclass(frozen=True)
class _YoloConfig:
    names: list[str]
    pose: bool = False  # Ultralytics pose labels: a box, then keypoints that are no outline


def _read_yolo(path: Path, image: Path, config: _YoloConfig) -> list[Truth]:
    """One YOLO label file: a box line, or a polygon line as segmentation exports write, boxed by its
    extent (a polygon read as `cx cy w h` from its first four numbers would be a wrong box, silently)."""
    from ..scan import ScanError, load_scan  # noqa: PLC0415 - only YOLO needs the image size

    lines = [line.split() for line in _read_text(path).splitlines() if line.strip()]
    if not lines:
        return []
    try:
        scan = load_scan(image, pair=False)
    except ScanError as exc:
        raise DatasetError(f"{image.name}: {exc}") from exc
    truths = []
    for number, fields in enumerate(lines, 1):
        try:
            cls, values = int(fields[0]), [float(v) for v in fields[1:]]
        except ValueError as exc:
            found = " ".join(fields)
            raise DatasetError(f"{path.name} line {number}: {YOLO_LINE_FORMS}, not '{found}'") from exc
        if len(fields) in YOLO_BOX_FIELDS or (config.pose and len(fields) >= YOLO_BOX_FIELDS[0]):
            cx, cy, w, h = values[:4]
            x1, y1, x2, y2 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
        elif len(fields) >= YOLO_POLYGON_FIELDS and len(fields) % 2 == 1:
            xs, ys = values[0::2], values[1::2]
            x1, y1, x2, y2 = min(xs), min(ys), max(xs), max(ys)
        else:
            raise DatasetError(f"{path.name} line {number}: {YOLO_LINE_FORMS}, not {len(fields)} fields")
        label = config.names[cls] if 0 <= cls < len(config.names) else str(cls)
        truths.append(Truth(label, (x1 * scan.width, y1 * scan.height, x2 * scan.width, y2 * scan.height)))
    return truths


def _yolo_config(root: Path) -> _YoloConfig:
    """Class names from classes.txt / obj.names, or the `names:` of a data.yaml (list or mapping);
    a data.yaml with `kpt_shape:` says the lines are pose labels."""
    for name in YOLO_NAME_FILES:
        path = root / name
        if not path.is_file():
            continue
        text = _read_text(path)
        if path.suffix == ".yaml":
            pose = any(line.startswith("kpt_shape:") for line in text.splitlines())
            return _YoloConfig(_yaml_names(text), pose)
        return _YoloConfig([line.strip() for line in text.splitlines() if line.strip()])
    return _YoloConfig([])


def _read_text(path: Path) -> str:
    """A label or class-name file's text. "utf-8-sig" because Windows tools start files with a
    byte-order mark, which would otherwise stick to the first class name or label line."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path.name}: not UTF-8 text (byte {exc.start} is {exc.object[exc.start]:#04x}); "
                           "save it as UTF-8") from exc
    except OSError as exc:
        raise DatasetError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc


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


def _find_coco(root: Path) -> list[tuple[Path, dict]]:
    """The COCO detection files among the folder's JSON files, with their contents.

    A detection file has annotations that carry a ``bbox``, and ``categories`` to name them (an
    empty ``annotations`` needs neither: every image it names is clean). All of them are read, as
    COCO ships ``instances_train*.json`` beside ``instances_val*.json``; its captions and other
    tasks' files are passed over, and so are keypoint files when another detection file is there,
    because COCO's keypoint files repeat the person boxes of its instances files. Other JSON (a
    scanner's per-scan metadata) is passed over too, but ``annotations.json`` and the files in
    ``annotations/`` can only be labels: one that cannot be read is an error, and so is one that
    is not a detection file when the folder has no detection file at all."""
    declared = [root / "annotations.json", *sorted((root / "annotations").glob("*.json"))]
    candidates = dict.fromkeys([root / "annotations.json", *sorted(root.glob("*.json")),
                                *sorted((root / "annotations").glob("*.json"))])
    found: list[tuple[Path, dict, bool]] = []
    passed_over = None
    for path in candidates:
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            if path in declared:
                raise DatasetError(f"{path.name}: not readable JSON ({exc})") from exc
            continue
        if _is_coco_detection(data):
            keypoints = any(isinstance(a, dict) and "keypoints" in a for a in data["annotations"])
            found.append((path, data, keypoints))
        elif path in declared and passed_over is None:
            passed_over = path
    if not found and passed_over is not None:
        raise DatasetError(f"{passed_over.name}: not a COCO detection file "
                           "(no 'images', and 'annotations' with a 'bbox' that 'categories' name)")
    boxes_only = [(path, data) for path, data, keypoints in found if not keypoints]
    return boxes_only or [(path, data) for path, data, _ in found]


def _is_coco_detection(data: object) -> bool:
    if not isinstance(data, dict) or "images" not in data or not isinstance(data.get("annotations"), list):
        return False
    annotations = data["annotations"]
    return not annotations or ("categories" in data and any(isinstance(a, dict) and "bbox" in a
                                                            for a in annotations))


class _CocoNames:
    """Which image of the folder a COCO ``file_name`` is.

    The path under the folder, or under the COCO file's own folder, comes first. Failing that,
    the images whose path ends as the name does, the longest ending first: a name written on
    another machine (``/data/site/images/day1/0001.png``) still finds ``images/day1/0001.png``,
    never ``images/day2/0001.png``. The bare file name is the last ending tried, and an ending
    that several images share is ambiguous: the caller refuses it rather than guess."""

    def __init__(self, root: Path, images: list[LabelledImage]) -> None:
        self.root = root
        self.by_path = {Path(os.path.normpath(image.path)): image for image in images}
        self.by_name: dict[str, list[tuple[tuple[str, ...], LabelledImage]]] = {}
        for image in images:
            parts = image.path.relative_to(root).parts
            self.by_name.setdefault(parts[-1], []).append((parts, image))

    def find(self, file_name: str, coco_dir: Path) -> list[LabelledImage]:
        """The image ``file_name`` is: none, one, or (ambiguous) several."""
        name = file_name.replace("\\", "/")  # written on Windows
        for base in (self.root, coco_dir):
            image = self.by_path.get(Path(os.path.normpath(base / name)))
            if image is not None:
                return [image]
        parts = [part for part in PurePosixPath(name).parts if part not in ("/", ".", "..")]
        if not parts:
            return []
        same_name = self.by_name.get(parts[-1], [])
        for length in range(len(parts), 0, -1):
            ending = tuple(parts[-length:])
            matches = [image for image_parts, image in same_name if image_parts[-length:] == ending]
            if matches:
                return matches
        return []


def _read_coco(files: list[tuple[Path, dict]], root: Path,
               images: list[LabelledImage]) -> dict[Path, list[str]]:
    """Fills in the images' truths; returns, per COCO file, the file names it names that are not here.

    An image two COCO files label, or that two different names in one file come to, is refused:
    its threats would count twice, or one name's boxes would land on another's scan."""
    names = _CocoNames(root, images)
    labelled_by: dict[Path, tuple[Path, str]] = {}  # image -> the COCO file and name that label it
    missing: dict[Path, list[str]] = {}
    for path, data in files:
        missing[path] = []
        ambiguous: list[str] = []
        try:
            categories = {c["id"]: (str(c["name"]), c.get("supercategory"))
                          for c in data.get("categories", [])}
            by_id = {}
            for entry in data["images"]:
                file_name = str(entry["file_name"])
                found = names.find(file_name, path.parent)
                if not found:
                    missing[path].append(PurePosixPath(file_name.replace("\\", "/")).name)
                    continue
                if len(found) > 1:
                    shown = ", ".join(image.path.relative_to(root).as_posix() for image in found)
                    ambiguous.append(f"{file_name} ({shown})")
                    continue
                image = found[0]
                _claim(labelled_by, image, path, file_name, root)
                image.labelled = True
                by_id[entry["id"]] = image
            if ambiguous:
                raise DatasetError(f"{path.name}: file names that more than one image here ends with: "
                                   f"{_some(ambiguous)}; write each as its path under {root}")
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
        which = " and ".join(path.name for path, _ in files)
        raise DatasetError(f"{which} name{'s' if len(files) == 1 else ''} none of the {len(images)} "
                           f"images in {root}")
    return missing


def _claim(labelled_by: dict[Path, tuple[Path, str]], image: LabelledImage, path: Path, file_name: str,
           root: Path) -> None:
    name = os.path.normpath(file_name.replace("\\", "/"))
    first = labelled_by.setdefault(image.path, (path, name))
    where = image.path.relative_to(root).as_posix()
    if first[0] != path:
        raise DatasetError(f"{first[0].name} and {path.name} both label {where}: keep one of them")
    if first[1] != name:  # the same name twice only repeats the image (merged exports do)
        raise DatasetError(f"{path.name}: {first[1]} and {name} both come to {where}; "
                           f"write each as its path under {root}")


def _coco_notes(files: list[Path], images: list[LabelledImage], missing: dict[Path, list[str]]) -> list[str]:
    notes = []
    for path, names in missing.items():
        if names:
            notes.append(f"{len(names)} images {path.name} names are not in the folder, so not scored: "
                         f"{_some(names)}")
    unnamed = [image.path.name for image in images if not image.labelled]
    if unnamed:
        which = (f"{files[0].name} does" if len(files) == 1
                 else f"the COCO files ({', '.join(path.name for path in files)}) do")
        notes.append(f"{len(unnamed)} images {which} not name are scored as clean: {_some(unnamed)}")
    return notes


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")
