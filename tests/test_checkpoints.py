"""Resuming from the newest COMPLETE checkpoint: hand-made folders, then a real kill mid-save."""

import json
import os
import subprocess
import sys

from helpers import checkpoints, sampling, training
from helpers.paths import repo_root


def _run_until_killed(script, argv, env):
    """Run the training script with ``script``'s patch in a new process; it must die by SIGKILL."""
    killed = subprocess.run(
        [sys.executable, "-c", script, *argv],
        cwd=repo_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert killed.returncode == -9, killed.stderr[-3000:]


def _checkpoint(folder, step, max_steps=30, skip=(), state_text=None):
    """A checkpoint folder as the Trainer writes it, without the files in ``skip``."""
    folder.mkdir(parents=True)
    for name in checkpoints.REQUIRED_FILES:
        if name not in skip and name != "trainer_state.json":
            (folder / name).write_bytes(b"weights")
    if "trainer_state.json" not in skip:
        state = {"global_step": step, "max_steps": max_steps, "log_history": []}
        (folder / "trainer_state.json").write_text(state_text or json.dumps(state))
    return folder


def test_the_newest_complete_checkpoint_wins_and_the_broken_are_named(tmp_path):
    _checkpoint(tmp_path / "checkpoint-10", 10)
    # killed while saving: the adapter and optimizer are there, trainer_state.json (last) is not
    _checkpoint(tmp_path / "checkpoint-20", 20, skip=("trainer_state.json",))
    # killed while writing trainer_state.json itself
    _checkpoint(tmp_path / "checkpoint-30", 30, state_text='{"global_step": 3')
    _checkpoint(tmp_path / "checkpoint-40", 40, skip=("optimizer.pt", "scheduler.pt"))
    (tmp_path / "checkpoint-notes").mkdir()  # not a checkpoint at all
    said = []
    found = checkpoints.newest_checkpoint(tmp_path, say=said.append, remove_incomplete=False)
    assert found == tmp_path / "checkpoint-10"
    assert said == [
        "Skipped checkpoint-20: incomplete, missing trainer_state.json (a run stopped while "
        "saving it).",
        "Skipped checkpoint-30: incomplete, trainer_state.json is cut short (a run stopped "
        "while saving it).",
        "Skipped checkpoint-40: incomplete, missing optimizer.pt, scheduler.pt (a run stopped "
        "while saving it).",
    ]
    assert (tmp_path / "checkpoint-20").exists()  # kept when asked to

    said.clear()
    assert checkpoints.newest_checkpoint(tmp_path, say=said.append) == tmp_path / "checkpoint-10"
    assert all(s.endswith("; removed it, training writes that step again.") for s in said)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-10", "checkpoint-notes"]


def test_nothing_to_resume(tmp_path):
    assert checkpoints.newest_checkpoint(tmp_path / "absent") is None
    assert checkpoints.newest_checkpoint(tmp_path) is None


def test_finished_compares_with_the_planned_steps(tmp_path):
    folder = _checkpoint(tmp_path / "checkpoint-30", 30, max_steps=30)
    assert checkpoints.finished(folder, max_steps=-1)  # the run's own plan: 30
    assert checkpoints.finished(folder, max_steps=30)
    assert not checkpoints.finished(folder, max_steps=40)  # asked to train longer


# The training script, killed by SIGKILL while it writes checkpoint-4: after the adapter and the
# optimizer state, before the random-number state and trainer_state.json.
KILL_WHILE_SAVING = """
import os, signal, sys
import transformers

save_rng_state = transformers.Trainer._save_rng_state

def kill_at_step_4(self, output_dir):
    if self.state.global_step == 4:
        os.kill(os.getpid(), signal.SIGKILL)
    save_rng_state(self, output_dir)

transformers.Trainer._save_rng_state = kill_at_step_4
from helpers.training import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_kill_while_a_checkpoint_is_written_then_resume(
    tiny_llama, smoke_split, tmp_path, capsys
):
    train, validation, test = smoke_split
    sampling.save_splits(sampling.Splits(train[:12], validation[:4], test[:4]), tmp_path / "splits")
    run = tmp_path / "run"
    argv = ["--splits", str(tmp_path / "splits"), "--base", str(tiny_llama)]
    argv += ["--output-dir", str(run), "--max-steps", "6", "--batch-size", "2"]
    argv += ["--save-steps", "2", "--logging-steps", "1"]
    env = {**os.environ, "PYTHONPATH": str(repo_root())}
    _run_until_killed(KILL_WHILE_SAVING, argv, env)
    assert (run / "checkpoint-4" / "optimizer.pt").exists()  # half written
    assert not (run / "checkpoint-4" / "trainer_state.json").exists()

    assert training.main(argv) == 0  # a new run of the script resumes
    shown = capsys.readouterr().out
    assert "Skipped checkpoint-4: incomplete, missing trainer_state.json" in shown
    assert f"Resuming from {run / 'checkpoint-2'} (step 2)." in shown
    final = checkpoints.trainer_state(run / "checkpoint-6")
    assert final["global_step"] == 6  # the planned steps, no more
    logged = [h["step"] for h in final["log_history"] if "loss" in h]
    assert logged == [1, 2, 3, 4, 5, 6]  # 1-2 before the kill, 3-6 after: none twice
    assert checkpoints.checkpoint_problem(run / "checkpoint-4") is None  # written again, whole


# The training script, killed by SIGKILL once a checkpoint push has landed on the Hub.
KILL_AFTER_PUSH = """
import os, signal, sys
import transformers

push = transformers.Trainer._push_from_checkpoint

def push_then_die(self, checkpoint_folder):
    push(self, checkpoint_folder)
    if self.state.global_step == 4:
        self.push_in_progress.wait_until_done()  # the push (step 2's or 4's) is on the Hub
        os.kill(os.getpid(), signal.SIGKILL)

transformers.Trainer._push_from_checkpoint = push_then_die
from helpers.training import main
sys.exit(main(sys.argv[1:]))
"""


def _hub_state(repo):
    from huggingface_hub import hf_hub_download

    path = hf_hub_download(
        repo, f"{checkpoints.HUB_FOLDER}/trainer_state.json", force_download=True
    )
    return json.loads(open(path).read())


def test_killed_after_a_hub_push_a_fresh_runtime_resumes_to_the_planned_step(
    tiny_llama, smoke_split, tmp_path, capsys
):
    from huggingface_hub import HfApi

    train, validation, test = smoke_split
    splits = tmp_path / "splits"
    sampling.save_splits(sampling.Splits(train[:12], validation[:4], test[:4]), splits)
    repo = "learner/pricer-qlora-resume-test"  # on the session's Hub stand-in
    argv = ["--splits", str(splits), "--base", str(tiny_llama), "--hub-repo", repo]
    argv += ["--max-steps", "6", "--batch-size", "2", "--save-steps", "2", "--logging-steps", "1"]
    first = tmp_path / "runtime-1"
    env = {**os.environ, "PYTHONPATH": str(repo_root()), "HF_HOME": str(first / "hf-home")}
    _run_until_killed(KILL_AFTER_PUSH, [*argv, "--output-dir", str(first / "run")], env)
    pushed = _hub_state(repo)["global_step"]
    assert pushed in (2, 4)  # step 4's push is skipped while step 2's is still uploading

    # A new runtime: an empty disk. It finds the Hub's checkpoint and trains only what is left.
    second = tmp_path / "runtime-2" / "run"
    assert training.main([*argv, "--output-dir", str(second)]) == 0
    shown = capsys.readouterr().out
    assert f"Downloading checkpoint of step {pushed} from {repo}" in shown
    assert f"Resuming from {second / f'checkpoint-{pushed}'} (step {pushed})." in shown
    final = _hub_state(repo)
    assert final["global_step"] == 6  # the planned steps, no more
    assert [h["step"] for h in final["log_history"] if "loss" in h] == [1, 2, 3, 4, 5, 6]
    files = HfApi().list_repo_files(repo)
    assert "adapter_model.safetensors" in files  # the final adapter, for notebook 09
    assert not any(f.startswith("checkpoint-") for f in files)

    # A third runtime: the run is complete, so nothing trains.
    third = tmp_path / "runtime-3" / "run"
    assert training.main([*argv, "--output-dir", str(third)]) == 0
    shown = capsys.readouterr().out
    assert "already reached the last step (6): nothing left to train" in shown
    assert (third / "adapter_model.safetensors").exists()
