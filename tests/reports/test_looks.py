"""Each bundled rule set's summary, rendered to an image with pdftoppm and looked at by numbers:
ink where the outcome is, the outcome bar in its colour, the safety frame red only when a
safety flag is raised, margins left white, and nothing running off the page."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from assessments import load_library
from assessments.presentation import present
from reports import render_pdf

LIBRARY = load_library()
PDFTOPPM = shutil.which("pdftoppm")
NAVY, RED = (0x23, 0x39, 0x5B), (0xB3, 0x26, 0x1E)
FIRST_CASES = {f.ruleset: f.cases[0].answers for f in reversed(LIBRARY.scenarios)}
LOOKS = [pytest.param(r, a, id=r) for r, a in sorted(FIRST_CASES.items())] + [
    pytest.param("should-i-try", {"red-flags": {"strangled": "yes"}}, id="should-i-try with a safety flag")
]


def first_page(pdf: bytes) -> Image.Image:
    if PDFTOPPM is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed; make test installs it as root")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "s.pdf").write_bytes(pdf)
        subprocess.run([PDFTOPPM, "-r", "50", "-f", "1", "-l", "1", "-png", "s.pdf", "page"], cwd=tmp, check=True)
        (image_path,) = Path(tmp).glob("page*.png")
        return Image.open(image_path).convert("RGB")


def near(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 24 for a, b in zip(pixel, colour, strict=True))


def share(image: Image.Image, box: tuple[int, int, int, int], test) -> float:  # type: ignore[no-untyped-def]
    region = image.crop(box)
    raw = region.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    return sum(1 for p in pixels if test(p)) / len(pixels)


@pytest.mark.parametrize(("ruleset_id", "answers"), LOOKS)
def test_first_page_looks_like_a_summary(ruleset_id: str, answers: dict) -> None:  # type: ignore[type-arg]
    scorer = LIBRARY.scorer(ruleset_id)
    result = scorer.score(answers)
    image = first_page(render_pdf(result, scorer.ruleset, list(scorer.questionnaires)))
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
    ink = lambda p: sum(p) < 600  # noqa: E731 - anything clearly not white
    # white margins all round (18 mm sides, 20 mm top): nothing runs off the page
    assert share(image, (0, 0, width, int(height * 0.05)), ink) == 0
    assert share(image, (0, 0, int(width * 0.06), height), ink) == 0
    assert share(image, (int(width * 0.94), 0, width, height), ink) == 0
    # a page with text on it, and neither empty nor a solid block
    assert 0.02 < share(image, (0, 0, width, height), ink) < 0.3
    navy = share(image, (0, 0, width, height), lambda p: near(p, NAVY))
    red = share(image, (0, 0, width, height), lambda p: near(p, RED))
    if present(result).safety_first:
        assert navy == 0  # no score bars on a result decided for safety
    else:
        assert navy > 0.001  # the score bars
    if result.safety:
        assert red > 0.0005  # the safety frame, first on the page
        top_red = share(image, (0, 0, width, int(height * 0.3)), lambda p: near(p, RED))
        assert top_red > 0
    else:
        assert red == 0  # nothing alarming on a summary without a safety flag
