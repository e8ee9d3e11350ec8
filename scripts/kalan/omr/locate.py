"""Finding the sheet in a photo by its four ArUco markers and straightening it.

Each marker's four corners are matched to their printed place (16 points), so the perspective,
any rotation (upside down included: marker ids say which corner is which) and the scale are
undone by one homography. A photo without the markers is not a sheet; a sheet with a marker
missing has a corner cut off or hidden: both are refused, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kalan.omr.template import SheetTemplate

PX_PER_MM = 6.0  # resolution of the straightened sheet
DETECT_SIDE = 1400  # markers are searched on a copy reduced to this size (faster, same result)
MAX_RESIDUAL_MM = 1.2  # markers further than this from where the page puts them: folded or not a kalan sheet
CORNER_NAMES = {0: "en haut à gauche", 1: "en haut à droite", 2: "en bas à droite", 3: "en bas à gauche"}


class NotLocated(Exception):
    """The photo cannot be straightened; the message is French and says what to do."""


@dataclass(frozen=True)
class Straightened:
    image: np.ndarray  # the sheet, PX_PER_MM pixels per millimetre, grey uint8
    residual_mm: float  # how far the detected marker corners are from a perfect flat page
    source_px_per_mm: float  # resolution of the sheet in the photo


_DICTIONARY = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)


def _detector(refine: bool) -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX if refine else cv2.aruco.CORNER_REFINE_NONE
    params.adaptiveThreshWinSizeMax = 53
    params.adaptiveThreshWinSizeStep = 10
    return cv2.aruco.ArucoDetector(_DICTIONARY, params)


_FAST, _FINE = _detector(False), _detector(True)


def _markers(image: np.ndarray) -> dict[int, list[np.ndarray]]:
    corners, ids, _ = _FAST.detectMarkers(image)
    found: dict[int, list[np.ndarray]] = {}
    if ids is not None:
        for quad, marker_id in zip(corners, ids.flatten(), strict=True):
            if 0 <= int(marker_id) <= 3:
                found.setdefault(int(marker_id), []).append(quad.reshape(4, 2))
    return found


def find_markers(gray: np.ndarray) -> dict[int, np.ndarray]:
    """Corners (4×2, photo pixels) of markers 0–3, searched on a reduced copy and refined on the photo."""
    scale = min(1.0, DETECT_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    found = _markers(small)
    if len(found) < 4:  # dim or low-contrast photo: equalise locally and try again
        clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(small)
        for marker_id, quads in _markers(clahe).items():
            found.setdefault(marker_id, quads)
    if len(found) < 4 and scale < 1:
        for marker_id, quads in _markers(gray).items():
            found.setdefault(marker_id, [q * scale for q in quads])
    result: dict[int, np.ndarray] = {}
    for marker_id, quads in found.items():
        if len(quads) > 1:
            raise NotLocated(f"plusieurs repères n° {marker_id} : une seule feuille par photo")
        quad = (quads[0] / scale).astype(np.float32)
        side = float(np.mean(np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)))
        window = max(2, min(8, int(side / 25)))
        cv2.cornerSubPix(gray, quad, (window, window), (-1, -1),
                         (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.05))
        result[marker_id] = quad
    return result


def straighten(gray: np.ndarray, layout: SheetTemplate) -> Straightened:
    markers = find_markers(gray)
    if not markers:
        raise NotLocated("aucun repère de feuille de réponses kalan : ce n'est pas une feuille de réponses, "
                         "ou la photo est trop floue ou trop petite")
    missing = [i for i in layout.markers if i not in markers]
    if missing:
        where = ", ".join(f"n° {i} ({CORNER_NAMES.get(i, '?')})" for i in missing)
        raise NotLocated(f"repère(s) {where} introuvable(s) : coin coupé, caché ou hors de la photo — "
                         "reprenez la photo avec toute la feuille à plat")
    printed = layout.marker_corners()
    src = np.float32([c for i in sorted(printed) for c in printed[i]])  # millimetres
    dst = np.float32([c for i in sorted(printed) for c in markers[i]])  # photo pixels
    homography, _ = cv2.findHomography(src, dst, 0)
    if homography is None:
        raise NotLocated("repères mal placés : ce n'est pas une feuille de réponses kalan")
    back, _ = cv2.findHomography(dst, src, 0)
    projected = cv2.perspectiveTransform(dst.reshape(-1, 1, 2), back).reshape(-1, 2)
    residual = float(np.max(np.linalg.norm(projected - src, axis=1)))
    if residual > MAX_RESIDUAL_MM or not _same_orientation(src, dst):
        raise NotLocated(f"les repères ne sont pas à leur place (écart {residual:.1f} mm) : feuille pliée, "
                         "froissée ou qui n'est pas une feuille de réponses kalan")
    source_scale = float(np.sqrt(abs(np.linalg.det(homography[:2, :2] / homography[2, 2]))))
    w, h = (round(v * PX_PER_MM) for v in layout.page)
    to_mm = np.diag([1 / PX_PER_MM, 1 / PX_PER_MM, 1.0])
    photo = gray
    pre = 1.0
    if source_scale > 1.6 * PX_PER_MM:  # shrink first: a large photo would alias when warped
        pre = 1.25 * PX_PER_MM / source_scale
        photo = cv2.resize(gray, None, fx=pre, fy=pre, interpolation=cv2.INTER_AREA)
    canvas_to_photo = np.diag([pre, pre, 1.0]) @ homography @ to_mm
    image = cv2.warpPerspective(photo, canvas_to_photo, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_REPLICATE)
    return Straightened(image, residual, source_scale)


def _same_orientation(src: np.ndarray, dst: np.ndarray) -> bool:
    """A mirrored image (markers read through the paper, or a selfie camera) is not a sheet."""
    def signed_area(points: np.ndarray) -> float:
        x, y = points[:, 0], points[:, 1]
        return float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    centres_src = src.reshape(4, 4, 2).mean(axis=1)
    centres_dst = dst.reshape(4, 4, 2).mean(axis=1)
    return signed_area(centres_src) * signed_area(centres_dst) > 0
