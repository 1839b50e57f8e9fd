"""``glassbox gpt train`` / ``sample`` through typer's CliRunner on a tiny configuration."""

from __future__ import annotations

from typer.testing import CliRunner

from glassbox.cli.app import app

runner = CliRunner()
TINY = [
    "--threads",
    "1",
    "--steps",
    "12",
    "--batch-size",
    "4",
    "--context",
    "8",
    "--layers",
    "1",
    "--heads",
    "2",
    "--width",
    "16",
    "--eval-interval",
    "6",
]


def test_train_then_sample_on_a_text_file(tmp_path):
    text = tmp_path / "poem.txt"
    text.write_text("the cat sat on the mat. the dog sat on the log. " * 10, encoding="utf-8")
    out = tmp_path / "run"
    result = runner.invoke(app, ["gpt", "train", "--text", str(text), "--out", str(out), *TINY])
    assert result.exit_code == 0, result.output
    assert "validation loss" in result.output and "final training loss" in result.output
    assert (out / "checkpoint.json").is_file()
    first = runner.invoke(app, ["gpt", "sample", str(out), "--prompt", "the ", "--tokens", "20"])
    again = runner.invoke(app, ["gpt", "sample", str(out), "--prompt", "the ", "--tokens", "20"])
    assert first.exit_code == 0, first.output
    assert first.output == again.output and first.output.startswith("the ")
    bad = runner.invoke(app, ["gpt", "sample", str(out), "--prompt", "xyz"])
    assert bad.exit_code == 2 and "'x'" in bad.output and "'z'" in bad.output
    resumed = runner.invoke(
        app, ["gpt", "train", "--out", str(out), "--text", str(text), "--resume"]
    )
    assert resumed.exit_code == 0, resumed.output  # already at its last step: nothing to do


def test_bpe_on_the_standard_library_by_default(tmp_path):
    out = tmp_path / "stdlib"
    result = runner.invoke(
        app,
        [
            "gpt",
            "train",
            "--out",
            str(out),
            "--tokenizer",
            "bpe",
            "--vocab-size",
            "300",
            "--max-chars",
            "20000",
            *TINY,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "standard library" in result.output and "vocabulary 300" in result.output
    sample = runner.invoke(app, ["gpt", "sample", str(out), "--prompt", "déf 🦊", "--tokens", "5"])
    assert sample.exit_code == 0 and sample.output.startswith("déf 🦊")  # BPE takes any text


def test_bad_input_is_a_clear_usage_error(tmp_path):
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("abc", encoding="utf-8")
    result = runner.invoke(app, ["gpt", "train", "--text", str(tiny), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "too few for one window" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["gpt", "train", "--text", str(empty), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "empty" in result.output
    text = tmp_path / "t.txt"
    text.write_text("hello world " * 50, encoding="utf-8")
    result = runner.invoke(
        app, ["gpt", "train", "--text", str(text), "--out", str(tmp_path), "--heads", "3"]
    )
    assert result.exit_code == 2 and "does not divide width=128" in result.output
    result = runner.invoke(app, ["gpt", "sample", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no checkpoint" in result.output
