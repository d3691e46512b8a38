"""Write the small training logs the logger readers are tested on, with the real loggers.

    python -m venv /tmp/loggers && /tmp/loggers/bin/pip install tensorboard tensorboardX mlflow dvclive
    /tmp/loggers/bin/python tests/data/loggers/make_logs.py

Writes tests/data/loggers/ (what the reader tests read) and specs/data/logs/ (the gallery's
training logs, the same kinds with more steps). The files are committed: the tests need none of
these packages, except chartspec's own ``tensorboard`` extra. Values come from a seeded random
generator; wall times, run ids and event file names still differ between two runs of this script
(the loggers take them from the clock), which is why its output is committed, not regenerated.

What each logger writes here (the cases the readers must handle):
- TensorBoard: ``runs/a`` is a resumed run, two event files whose steps overlap (tensorboardX,
  ``simple_value`` scalars, the form PyTorch's SummaryWriter writes by default); ``runs/b``
  holds the tensor form (``tf.summary.scalar`` in TF2, SummaryWriter's ``new_style=True``):
  a scalar tensor, with the ``scalars`` plugin named only on each tag's first event.
- MLflow: a file store (``mlruns/``) and a SQLite store (``mlflow.db``) holding the same runs:
  two experiments, three seeds in the first, and one deleted run that readers must skip.
- Hugging Face Trainer: ``trainer_state.json`` written as ``TrainerState.save_to_json`` does
  (transformers is too heavy to install for this): training rows, ``eval_*`` rows at their own
  steps, and the final summary entry (``train_runtime`` ...), which is not a step.
- DVCLive: two experiments, ``exp1/dvclive`` and ``exp2/dvclive``, nested metric names.
- A Lightning ``CSVLogger`` metrics.csv and a W&B history export (``run.history()`` as CSV),
  written by hand in their formats.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
T0 = 1_700_000_000.0  # the wall time of step 0, seconds


def loss_at(step: int, rng: random.Random, scale: float = 1.0) -> float:
    return round(scale * (2.5 * math.exp(-step / 120) + 0.3) + rng.uniform(-0.05, 0.05), 4)


def lr_at(step: int, total: int) -> float:
    return round(3e-4 * 0.5 * (1 + math.cos(math.pi * step / total)), 8)


# -- TensorBoard ---------------------------------------------------------------------------------

def _rename_events(folder: Path, name: str) -> None:
    """Event files are named after the clock, host and pid: give them stable names."""
    (written,) = [p for p in folder.iterdir() if p.name.startswith("events.out.tfevents.") and ".host." not in p.name]
    written.rename(folder / name)


def tensorboard(out: Path, steps: int, every: int) -> None:
    from tensorboardX import SummaryWriter

    run = out / "runs" / "a"
    rng = random.Random(1)
    # the first job crashed after 60 % of the steps; the restart resumed from the checkpoint
    # at 40 % and logged those steps again, into a second event file of the same run folder
    crash, resume = int(steps * 0.6) // every * every, int(steps * 0.4) // every * every
    for part, (first, last) in enumerate([(0, crash), (resume, steps)]):
        run.mkdir(parents=True, exist_ok=True)
        writer = SummaryWriter(str(run))
        for step in range(first, last + 1, every):
            wall = T0 + step + 1000 * part
            writer.add_scalar("train/loss", loss_at(step, rng), step, walltime=wall)
            writer.add_scalar("train/lr", lr_at(step, steps), step, walltime=wall)
            if step % (every * 5) == 0:
                writer.add_scalar("eval/loss", loss_at(step, rng, 1.1), step, walltime=wall + 0.5)
        writer.close()
        _rename_events(run, f"events.out.tfevents.{int(T0) + 1000 * part}.host.{part + 1}.0")
    tensor_scalars(out / "runs" / "b", steps, every)


def tensor_scalars(folder: Path, steps: int, every: int) -> None:
    """Scalars as TF2 and SummaryWriter(new_style=True) write them, with tensorboard's own writer."""
    import numpy as np
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
    from tensorboard.compat.proto.tensor_pb2 import TensorProto
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    folder.mkdir(parents=True, exist_ok=True)
    writer = EventFileWriter(str(folder))
    rng = random.Random(2)
    seen: set[str] = set()
    for step in range(0, steps + 1, every):
        values = []
        for tag, value in (("train/loss", loss_at(step, rng, 0.9)), ("train/lr", lr_at(step, steps))):
            # float_val for one tag, packed tensor_content (a double) for the other: both occur
            tensor = (TensorProto(dtype=1, float_val=[value]) if tag == "train/loss"
                      else TensorProto(dtype=2, tensor_content=np.float64(value).tobytes()))
            meta = None if tag in seen else SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
            seen.add(tag)
            values.append(Summary.Value(tag=tag, tensor=tensor, metadata=meta))
        writer.add_event(Event(wall_time=T0 + step, step=step, summary=Summary(value=values)))
    writer.close()
    _rename_events(folder, f"events.out.tfevents.{int(T0)}.host.3.0")


# -- MLflow --------------------------------------------------------------------------------------

def mlflow_runs(uri: str, steps: int, every: int) -> None:
    import mlflow

    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    for experiment, seeds, scale in (("baseline", (0, 1, 2), 1.0), ("tuned", (0,), 0.8)):
        mlflow.set_experiment(experiment)
        for seed in seeds:
            rng = random.Random(100 + seed)
            with mlflow.start_run(run_name=f"{experiment}-seed{seed}") as run:
                mlflow.log_param("seed", seed)
                for step in range(0, steps + 1, every):
                    ms = int((T0 + step) * 1000)
                    mlflow.log_metric("train/loss", loss_at(step, rng, scale), step=step, timestamp=ms)
                    if step % (every * 2) == 0:
                        mlflow.log_metric("val/accuracy", round(0.5 + 0.4 * (1 - math.exp(-step / 150))
                                                                 + rng.uniform(-0.02, 0.02), 4), step=step, timestamp=ms)
    mlflow.set_experiment("baseline")
    with mlflow.start_run(run_name="aborted") as run:
        mlflow.log_metric("train/loss", 99.0, step=0)
    client.delete_run(run.info.run_id)  # deleted runs stay on disk with lifecycle_stage: deleted


def mlflow_stores(out: Path, steps: int, every: int) -> None:
    for name in ("mlruns", "mlflow.db", "mlartifacts"):
        path = out / name
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    cwd = os.getcwd()
    os.chdir(out)  # artifact folders are made relative to the working folder
    try:
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # the file store is deprecated, still written
        mlflow_runs(f"file:{out / 'mlruns'}", steps, every)
        mlflow_runs(f"sqlite:///{out / 'mlflow.db'}", steps, every)
    finally:
        os.chdir(cwd)
    shutil.rmtree(out / "mlartifacts", ignore_errors=True)
    # MLflow creates ~60 tables (traces, registry, ...): the empty ones are dropped so the
    # committed file stays small; the tables a reader uses are as MLflow wrote them
    con = sqlite3.connect(out / "mlflow.db")
    tables = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in tables:
        if con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == 0:
            con.execute(f'DROP TABLE "{name}"')
    con.commit()
    con.execute("PRAGMA page_size = 1024")
    con.execute("VACUUM")
    con.close()


# -- Hugging Face Trainer ------------------------------------------------------------------------

def trainer_state(path: Path, steps: int, every: int, seed: int) -> None:
    """``trainer_state.json`` as transformers' ``TrainerState.save_to_json`` writes it."""
    rng = random.Random(seed)
    history: list[dict[str, float | int]] = []
    for step in range(every, steps + 1, every):
        epoch = round(step / steps * 3, 4)
        history.append({"epoch": epoch, "grad_norm": round(rng.uniform(0.5, 2.0), 4),
                        "learning_rate": lr_at(step, steps), "loss": loss_at(step, rng), "step": step})
        if step % (every * 4) == 0:
            history.append({"epoch": epoch, "eval_accuracy": round(0.9 - 0.5 * math.exp(-step / 100), 4),
                            "eval_loss": loss_at(step, rng, 1.15), "eval_runtime": round(rng.uniform(2, 3), 3),
                            "eval_samples_per_second": 400.0, "eval_steps_per_second": 50.0, "step": step})
    history.append({"epoch": 3.0, "step": steps, "total_flos": 1.2e15, "train_loss": 0.9,
                    "train_runtime": 321.5, "train_samples_per_second": 99.5, "train_steps_per_second": 3.1})
    state = {"best_global_step": None, "best_metric": None, "best_model_checkpoint": None, "epoch": 3.0,
             "eval_steps": every * 4, "global_step": steps, "is_hyper_param_search": False,
             "is_local_process_zero": True, "is_world_process_zero": True, "log_history": history,
             "logging_steps": every, "max_steps": steps, "num_input_tokens_seen": 0, "num_train_epochs": 3,
             "save_steps": 500, "stateful_callbacks": {}, "total_flos": 1.2e15, "train_batch_size": 8,
             "trial_name": None, "trial_params": None}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# -- DVCLive -------------------------------------------------------------------------------------

def dvclive(out: Path, steps: int, every: int) -> None:
    import tempfile

    from dvclive import Live

    for n, scale in ((1, 1.0), (2, 0.85)):
        rng = random.Random(200 + n)
        # DVCLive runs `dvc init` in the enclosing Git repository: let it write in a scratch folder
        scratch, cwd = Path(tempfile.mkdtemp()), os.getcwd()
        os.chdir(scratch)
        with Live("dvclive", save_dvc_exp=False) as live:
            live.log_params({"lr": 3e-4 * n, "seed": n})
            for step in range(0, steps + 1, every):
                live.step = step
                live.log_metric("train/loss", loss_at(step, rng, scale))
                live.log_metric("train/acc", round(1 - loss_at(step, rng, scale) / 3, 4))
                live.make_summary()
        os.chdir(cwd)
        shutil.copytree(scratch, out / f"exp{n}", ignore=shutil.ignore_patterns(".dvc*"))
        shutil.rmtree(scratch)


# -- plain files: Lightning CSVLogger, W&B history export -------------------------------------

def lightning_csv(path: Path, steps: int, every: int) -> None:
    """CSVLogger's metrics.csv: one row per log call, so train and val rows alternate, each sparse."""
    rng = random.Random(300)
    lines = ["epoch,step,train_loss,val_loss,val_acc"]
    for step in range(every - 1, steps, every):  # Lightning logs at global_step - 1
        epoch = step * 4 // steps
        lines.append(f"{epoch},{step},{loss_at(step, rng)},,")
        if (step + 1) % (steps // 4) == 0:
            lines.append(f"{epoch},{step},,{loss_at(step, rng, 1.1)},{round(0.9 - 0.4 * math.exp(-step / 100), 4)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def wandb_history(path: Path, steps: int, every: int) -> None:
    """``wandb.Api().run(...).history().to_csv(index=False)``: ``_step``, ``_runtime``, ``_timestamp``
    and the logged keys as columns (``train/loss``), empty where a key was not logged."""
    rng = random.Random(400)
    lines = ["_step,_runtime,_timestamp,train/loss,train/lr,eval/loss"]
    for step in range(0, steps + 1, every):
        evals = loss_at(step, rng, 1.1) if step % (every * 5) == 0 else ""
        lines.append(f"{step},{round(step * 0.9, 3)},{T0 + step * 0.9},{loss_at(step, rng)},{lr_at(step, steps)},{evals}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_all(out: Path, steps: int, every: int) -> None:
    for folder in ("runs", "output", "exp1", "exp2"):
        shutil.rmtree(out / folder, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    tensorboard(out, steps, every)
    mlflow_stores(out, steps, every)
    for run, seed in (("a", 1), ("b", 2)):
        trainer_state(out / "output" / run / "trainer_state.json", steps, every, seed)
    dvclive(out, steps, every)
    lightning_csv(out / "lightning" / "metrics.csv", steps, every)
    wandb_history(out / "wandb_history.csv", steps, every)


if __name__ == "__main__":
    which = sys.argv[1:] or ["tests", "gallery"]
    if "tests" in which:
        write_all(HERE, steps=50, every=10)
    if "gallery" in which:
        write_all(REPO / "specs" / "data" / "logs", steps=400, every=10)
