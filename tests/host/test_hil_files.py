# The self-hosted workflow and docs/hil.md use only options the labgrid entry point has.
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def conftest_options():
    with open(os.path.join(ROOT, "tests", "labgrid", "conftest.py")) as f:
        ours = set(re.findall(r'addoption\("(--[\w-]+)"', f.read()))
    return ours | {"--lg-env", "--lg-coordinator", "--junitxml", "-p", "-rs"}


def test_workflow_runs_the_labgrid_entry_point_with_known_options():
    with open(os.path.join(ROOT, ".github", "workflows", "hil.yml")) as f:
        wf = yaml.safe_load(f)
    job = wf["jobs"]["board"]
    assert "self-hosted" in job["runs-on"]
    run = next(s["run"] for s in job["steps"] if "tests/labgrid" in s.get("run", ""))
    opts = set(re.findall(r"(?<!\S)(--?[\w-]+)", run)) - {"-m"}
    assert opts <= conftest_options(), opts - conftest_options()
    assert any("release" in s.get("run", "") and s.get("if") == "always()" for s in job["steps"])


def test_docs_use_known_options():
    with open(os.path.join(ROOT, "docs", "hil.md")) as f:
        text = f.read()
    for cmd in re.findall(r"pytest tests/labgrid[^\n]*(?:\\\n[^\n]*)*", text):
        for opt in re.findall(r"(?<!\S)(--[\w-]+)", cmd):
            assert opt in conftest_options(), opt
