"""The protocol client of benchmarks/bench_load.py: how it reads Streamlit's ids, the HTML shell and the deltas."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_load  # noqa: E402


def test_user_key_of_keyed_containers():
    assert bench_load.user_key("$$ID-fd86971de4635cd61e27acf22533a71f-kpi_won") == "kpi_won"
    assert bench_load.user_key("$$ID-0cdd36db5f0d7e12243528fe140f6cd5-chart-home") == "chart-home"
    assert bench_load.user_key("") is None
    assert bench_load.user_key("$$ID-abc") is None


def test_shell_assets_in_order_without_repeats():
    html = '<script src="./static/js/index.A.js"></script><link href="./static/css/i.css"><a href="./x.png">'
    html += '<link rel="modulepreload" href="./static/js/index.A.js">'
    assert bench_load.shell_assets(html) == ["static/js/index.A.js", "static/css/i.css"]


def test_file_names_found_as_the_reader_sees_them():
    caption = "データ: deals\\_1000001.csv (1,000,001 行)".encode()
    assert b"deals_1000001.csv" in bench_load.unescaped(caption)
    assert b"user\xe2\x81\xa0@x" not in bench_load.unescaped("user\u2060@x".encode())


def test_multipart_body_holds_the_file():
    body, content_type = bench_load.multipart_body("file", "a.csv", "text/csv", b"x,y\n1,2\n")
    boundary = content_type.split("boundary=", 1)[1]
    assert body.startswith(f"--{boundary}\r\n".encode()) and body.endswith(f"\r\n--{boundary}--\r\n".encode())
    assert b'filename="a.csv"' in body and b"x,y\n1,2\n" in body
