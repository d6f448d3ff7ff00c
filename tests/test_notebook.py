"""docs/example.ipynb runs from top to bottom, in a kernel of this interpreter, with no
error, no warning printed, and figures among its outputs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "example.ipynb"
KERNEL = "ceasefire-test"


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    """A kernel spec that starts this interpreter (``sys.executable``), found first on
    ``JUPYTER_PATH``, so that the notebook runs with the package under test whatever
    kernels the machine has."""
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL, prefix=str(tmp_path))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    # the command line, run in this process by other tests, sets MPLBACKEND=Agg for itself;
    # the kernel inherits the environment, and a notebook draws with its own backend
    monkeypatch.delenv("MPLBACKEND", raising=False)
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(KERNEL)
    assert spec.argv[0] == sys.executable
    return KERNEL


def test_the_notebook_is_committed_without_outputs():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.slow
def test_the_example_notebook_runs(kernel):
    import nbclient
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name=kernel, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, [f"{o.ename}: {o.evalue}" for o in errors]
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, stderr  # no warning printed, from the library or what it imports
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 5
    tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert tables  # the results show themselves as HTML tables
    for o in outputs:
        if "text/plain" in o.get("data", {}):
            assert len(o["data"]["text/plain"]) < 5000  # no result dumps its scenario
