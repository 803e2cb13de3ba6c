#!/usr/bin/env python3
"""Checks a `keel study` output folder the way a reader and a browser would see it.

    python3 Scripts/check_report.py STUDY_DIR [--chromium] [--screenshots DIR]

Always: report.html parses with balanced tags; no scripts and no network references; a table of contents that
links every study; every inline SVG is well-formed XML with a title, axis text and data (a polyline with two or
more points, dots, bars or heatmap cells); every inline PNG/JPEG starts as one; results.json holds every study of the
report with its claim, verdicts (each shown in the report) and numbers; a quick run says so.
With --chromium: the report loads in headless Chromium with no console messages, and each study is screenshot
on its own (into --screenshots, default STUDY_DIR/screenshots) and must not be blank.
"""
import base64
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}
SVG_NS = "{http://www.w3.org/2000/svg}"


class Structure(html.parser.HTMLParser):
    """Balanced tags, section ids, TOC links, and anything that would reach the network."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.sections, self.links = [], [], [], []
        self.in_svg = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.problems.append("a <script> element")
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if re.match(r"(https?:)?//", value):
                self.problems.append(f"a network reference {key}={value[:60]}")
        if tag == "section" and "id" in attrs:
            self.sections.append(attrs["id"])
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.links.append(attrs["href"][1:])
        if tag == "svg":
            self.in_svg += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):  # <x/>: self-closing, nothing to balance
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
        if tag == "svg":
            self.in_svg -= 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        if tag == "svg":
            self.in_svg -= 1


def chart_has_data(svg):
    """(ok, description) for one inline SVG chart."""
    root = ET.fromstring(svg)
    texts = [t for t in root.iter(f"{SVG_NS}text") if (t.text or "").strip()]
    if len(texts) < 3:
        return False, "fewer than 3 text elements (title and axis labels)"
    lines = [p for p in root.iter(f"{SVG_NS}polyline") if len((p.get("points") or "").split()) >= 2]
    dots = list(root.iter(f"{SVG_NS}circle"))
    filled = [r for r in root.iter(f"{SVG_NS}rect")
              if r.get("fill") not in (None, "none", "white") and r.get("fill-opacity") is None
              and float(r.get("width", "100%").rstrip("%") or 0) > 0]
    if not (lines or dots or filled):
        return False, "no data (no polyline, dot, bar or cell)"
    for p in lines:
        for pair in p.get("points").split():
            x, y = (float(v) for v in pair.split(","))
            if x != x or y != y:
                return False, "a NaN coordinate"
    return True, f"{len(lines)} lines, {len(dots)} dots, {len(filled)} bars/cells"


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    folder = args[0]
    use_chromium = "--chromium" in args
    shots = args[args.index("--screenshots") + 1] if "--screenshots" in args else os.path.join(folder, "screenshots")
    page = open(os.path.join(folder, "report.html"), encoding="utf-8").read()
    results = json.load(open(os.path.join(folder, "results.json"), encoding="utf-8"))
    problems = []

    parser = Structure()
    parser.feed(page)
    parser.close()
    problems += parser.problems
    if parser.stack:
        problems.append(f"unclosed tags: {parser.stack}")
    if set(parser.sections) != set(results):
        problems.append(f"sections {parser.sections} but results.json has {sorted(results)}")
    missing_links = [s for s in parser.sections if s not in parser.links]
    if missing_links:
        problems.append(f"the table of contents does not link {missing_links}")

    sections = dict(re.findall(r'<section id="([^"]+)">(.*?)</section>', page, re.S))
    total_charts = 0
    for name, study in results.items():
        body = sections.get(name, "")
        svgs = re.findall(r"<svg.*?</svg>", body, re.S)
        images = re.findall(r'<img [^>]*src="data:image/(png|jpeg);base64,([^"]+)"', body)
        if body.count("<img") != len(images):
            problems.append(f"{name}: an image that is not an inline PNG or JPEG")
        if not svgs and not images:
            problems.append(f"{name}: no charts")
        for i, svg in enumerate(svgs):
            try:
                ok, what = chart_has_data(svg)
            except ET.ParseError as error:
                ok, what = False, f"not well-formed XML ({error})"
            if not ok:
                title = re.search(r'aria-label="([^"]*)"', svg)
                problems.append(f"{name}: chart {i + 1} ({title.group(1) if title else '?'}): {what}")
        for i, (kind, data) in enumerate(images):
            magic = b"\x89PNG\r\n\x1a\n" if kind == "png" else b"\xff\xd8\xff"
            if not base64.b64decode(data).startswith(magic):
                problems.append(f"{name}: image {i + 1} is not a {kind.upper()}")
        total_charts += len(svgs) + len(images)
        for key in ("title", "claim", "quick", "verdicts", "numbers"):
            if key not in study:
                problems.append(f"{name}: results.json lacks {key}")
        if not study.get("verdicts"):
            problems.append(f"{name}: no verdicts")
        if not study.get("numbers"):
            problems.append(f"{name}: no numbers")
        for v in study.get("verdicts", []):
            if not isinstance(v.get("supported"), bool) or not v.get("evidence"):
                problems.append(f"{name}: a verdict without a yes/no or evidence: {v}")
            if html_escape(v.get("statement", "")) not in body:
                problems.append(f"{name}: verdict not shown in the report: {v.get('statement')}")
        if study.get("quick") and "(quick)" not in body:
            problems.append(f"{name}: a quick run not labelled as quick")

    if use_chromium:
        problems += check_in_chromium(folder, page, sections, shots)

    verdicts = sum(len(s.get("verdicts", [])) for s in results.values())
    supported = sum(v["supported"] for s in results.values() for v in s.get("verdicts", []))
    if problems:
        print("report problems:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"report ok: {len(results)} studies, {total_charts} charts, {verdicts} verdicts ({supported} supported, "
          f"{verdicts - supported} not)" + (f", screenshots in {shots}" if use_chromium else ""))


def html_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def check_in_chromium(folder, page, sections, shots):
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        return ["--chromium: no chromium on PATH (Debian: apt-get install chromium)"]
    base = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
    problems = []
    run = subprocess.run(base + ["--dump-dom", "file://" + os.path.abspath(os.path.join(folder, "report.html"))],
                         capture_output=True, text=True, timeout=180)
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    if run.returncode != 0 or console:
        problems.append(f"chromium: exit {run.returncode}, console: {console[:5]}")
    if "<section" not in run.stdout:
        problems.append("chromium: the loaded DOM has no sections")
    # One page per study (the report's head and that section), screenshot on its own.
    os.makedirs(shots, exist_ok=True)
    head = page.split("<body>")[0]
    with tempfile.TemporaryDirectory() as scratch:
        for name, body in sections.items():
            single = os.path.join(scratch, f"{name}.html")
            with open(single, "w", encoding="utf-8") as f:
                f.write(f'{head}<body><section id="{name}">{body}</section></body></html>')
            png = os.path.join(shots, f"{name}.png")
            # Generous: charts two per row, previews full height, table rows; the rest stays white.
            height = 1200 + 560 * ((body.count("<svg") + 1) // 2) + 1100 * body.count("<img") + 45 * body.count("<tr")
            shot = subprocess.run(base + [f"--window-size=1360,{height}", f"--screenshot={png}", "file://" + single],
                                  capture_output=True, text=True, timeout=180)
            console = [line for line in shot.stderr.splitlines() if ":CONSOLE" in line]
            if shot.returncode != 0 or not os.path.exists(png) or console:
                problems.append(f"chromium: screenshot of {name} failed (exit {shot.returncode}, console {console[:3]})")
                continue
            problems += blank_check(png, name)
    return problems


def blank_check(png, name):
    try:
        from PIL import Image
    except ImportError:
        return []  # without Pillow, the screenshot's existence is all that is checked
    image = Image.open(png).convert("L")
    dark = sum(image.histogram()[:200])
    return [] if dark > 0.01 * image.width * image.height else [f"chromium: the screenshot of {name} is almost blank"]


if __name__ == "__main__":
    main()
