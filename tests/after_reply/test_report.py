"""The monthly 通报: the workbook opens with its figures and chart, the PDF renders, the CLI writes both."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xinfang import cli, reports

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output"


def test_the_workbook_has_the_ranking_with_figures_and_a_chart(session, cal, november, tmp_path):
    files = reports.write_monthly(session, cal, "2026-11", tmp_path)
    book = load_workbook(files.xlsx)
    assert book.sheetnames == ["概况", "承办单位", "县（市）", "问题类别"]
    assert book["概况"]["A1"].value == "甘孜藏族自治州信访事项办理情况通报（2026年11月）"
    ranking = book["承办单位"]
    header = [c.value for c in ranking[1]]
    assert header[:6] == ["排名", "承办单位", "评价发出", "已评价", "超期未评价", "参评率"]
    first = dict(zip(header, (c.value for c in ranking[2])))
    assert (first["排名"], first["承办单位"], first["评价发出"], first["参评率"]) == (1, "州人力资源和社会保障局", 4, 0.75)
    assert first["满意率（含基本满意）"] == 0.6667 and ranking["F2"].number_format == "0.0%"
    second = dict(zip(header, (c.value for c in ranking[3])))
    assert (second["承办单位"], second["满意率（满意）"]) == ("州住房和城乡建设局", None)
    assert len(ranking._charts) == 1
    counties = [row[0] for row in book["县（市）"].iter_rows(min_row=2, values_only=True)]
    assert counties == ["康定市", "泸定县"]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_pdf_renders_and_its_first_page_is_saved_for_a_person(session, cal, november, tmp_path):
    files = reports.write_monthly(session, cal, "2026-11", tmp_path)
    assert files.pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(files.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "信访事项办理情况通报（2026年11月）" in text
    assert text.index("州人力资源和社会保障局") < text.index("州住房和城乡建设局")
    assert "75.0%" in text and "66.7%" in text
    SCREENSHOTS.mkdir(exist_ok=True)
    stem = SCREENSHOTS / "monthly-report-2026-11"
    subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", str(files.pdf), str(stem)],
                   check=True)
    png = stem.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_the_download_for_the_admin_panel(session, cal, november):
    name, mimetype, content = reports.monthly_file(session, cal, "2026-11", "pdf")
    assert (name, mimetype) == ("信访通报-2026-11.pdf", "application/pdf") and content.startswith(b"%PDF")
    name, _, content = reports.monthly_file(session, cal, "2026-11", "xlsx")
    assert name.endswith(".xlsx") and content[:2] == b"PK"
    with pytest.raises(ValueError, match="xlsx, pdf"):
        reports.monthly_file(session, cal, "2026-11", "doc")


def test_an_empty_month_still_makes_a_report(session, cal, rt, tmp_path):
    files = reports.write_monthly(session, cal, "2026-02", tmp_path)
    assert load_workbook(files.xlsx)["承办单位"].max_row == 1
    assert files.pdf.stat().st_size > 1000


def run_cli(argv, settings, monkeypatch, capsys):
    monkeypatch.setenv("XINFANG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("XINFANG_DATA_DIR", str(settings.data_dir))
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_xinfang_report_writes_both_files_and_prints_their_paths(november, settings, tmp_path, monkeypatch, capsys):
    code, out, _ = run_cli(["report", "--month", "2026-11", "--out", str(tmp_path / "out")], settings,
                           monkeypatch, capsys)
    assert code == 0
    paths = [Path(line) for line in out.splitlines()]
    assert [p.name for p in paths] == ["信访通报-2026-11.xlsx", "信访通报-2026-11.pdf"]
    assert all(p.exists() and p.parent == tmp_path / "out" for p in paths)


def test_xinfang_report_refuses_a_bad_month_and_writes_nothing(rt, settings, tmp_path, monkeypatch, capsys):
    code, out, err = run_cli(["report", "--month", "2026-13", "--out", str(tmp_path / "out")], settings,
                             monkeypatch, capsys)
    assert code == 2 and "2026-11" in err and out == ""
    assert not any((tmp_path / "out").glob("*"))
