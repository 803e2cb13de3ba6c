#!/usr/bin/env python3
"""Checks that the DocC article "Train your own model" shows the example package's code exactly: every file of
Examples/CustomModel (Package.swift and its sources) appears in the article as one Swift code block.
Run from the repository root; exits non-zero with the differing file's name."""
import glob, re, sys

article = open("Sources/Keel/Keel.docc/TrainYourOwnModel.md", encoding="utf-8").read()
blocks = [b.rstrip("\n") for b in re.findall(r"```swift\n(.*?)```", article, re.S)]
files = ["Examples/CustomModel/Package.swift"] + sorted(glob.glob("Examples/CustomModel/Sources/**/*.swift", recursive=True))
missing = [f for f in files if open(f, encoding="utf-8").read().rstrip("\n") not in blocks]
if missing:
    print("the article's code differs from: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
print(f"docs: the article shows the {len(files)} files of Examples/CustomModel as they are")
