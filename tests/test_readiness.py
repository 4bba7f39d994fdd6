from data_flywheel.export import readiness


def test_bands_on_the_agentic_stack_scale():
    def band(approved, trainable=0, rejected=0):
        return readiness.readiness(approved, trainable, rejected, approved)["agentic_stack"]

    assert band(0) == {"band": None, "label": "collecting",
                       "next": "10 more approved runs (0 of 10) for first context card",
                       "progress": {"next_band": "context_card", "counts": "approved", "have": 0, "from": 0, "to": 10,
                                    "fraction": 0.0}}
    assert band(10)["band"] == "context_card"
    assert band(24)["next"] == "1 more eval cases (24 of 25) for first eval set and repeated failure modes"
    assert band(25)["band"] == "eval_set"
    assert band(100)["band"] == "measurement"
    assert band(300, trainable=499)["next"] == "1 more trainable examples (499 of 500) for narrow adapter candidate"
    assert band(600, trainable=500)["band"] == "narrow_adapter_candidate"
    assert band(3000, trainable=2000)["band"] == "workflow_family_corpus"
    top = band(20000, trainable=10000, rejected=0)
    assert top["band"] == "workflow_family_corpus"
    assert top["next"] == "some rejected runs kept as negative cases for serious vertical corpus"
    assert band(20000, trainable=10000, rejected=3) == {"band": "serious_vertical_corpus", "label": "serious vertical corpus",
                                                        "next": None, "progress": None}


def test_bands_on_the_distillation_scale():
    def band(trainable):
        return readiness.readiness(trainable, trainable, 0, trainable)["distillation"]["band"]

    assert [band(n) for n in (0, 499, 500, 4999, 5000, 49999, 50000)] == [
        None, None, "pilot", "pilot", "v1", "v1", "strong"]


def test_thresholds_keep_agentic_stack_strings_and_list_both_scales():
    thresholds = readiness.thresholds()
    assert thresholds["context_card"] == "10-25 approved runs"
    assert thresholds["narrow_adapter_candidate"] == "500-1500 high-quality examples"
    assert [b["band"] for b in thresholds["scales"]["distillation"]] == ["pilot", "v1", "strong"]
    assert thresholds["scales"]["agentic_stack"][-1]["meaning"] == (
        "10,000+ trainable examples plus negative cases (rejected runs): serious vertical corpus")


def test_progress_runs_from_the_band_reached_to_the_next_floor():
    def progress(approved, trainable=0, rejected=0, scale="agentic_stack", eval_cases=None):
        eval_cases = approved if eval_cases is None else eval_cases
        return readiness.readiness(approved, trainable, rejected, eval_cases)[scale]["progress"]

    assert progress(8)["fraction"] == 0.8
    # The eval-set band counts eval cases (eval-cases.jsonl), a new unit: from zero to 25.
    assert progress(13, eval_cases=5) == {"next_band": "eval_set", "counts": "eval_cases", "have": 5, "from": 0, "to": 25,
                                          "fraction": 0.2}
    # Past the approved-run bands the count changes unit and starts again from zero.
    assert progress(400, trainable=125)["counts"] == "trainable" and progress(400, trainable=125)["fraction"] == 0.25
    # Only negative cases missing: the bar is full.
    assert progress(20000, trainable=10000)["fraction"] == 1.0
    assert progress(0, 250, scale="distillation")["fraction"] == 0.5


def test_the_eval_set_band_counts_eval_cases_not_approved_runs():
    # 40 approved runs, of which 20 kept a redaction claim other than "passed": 20 eval cases.
    placed = readiness.readiness(40, 0, 0, 20)["agentic_stack"]
    assert placed["band"] == "context_card"
    assert placed["next"].startswith("5 more eval cases (20 of 25) for first eval set")
    assert readiness.readiness(40, 0, 0, 25)["agentic_stack"]["band"] == "eval_set"


def test_one_definition_of_a_card():
    assert [readiness.card_status(n) for n in (0, 9, 10, 300)] == ["draft", "draft", "ready", "ready"]
    assert readiness.card_counts([0, 9, 10, 26]) == {"ready": 2, "draft": 2}
