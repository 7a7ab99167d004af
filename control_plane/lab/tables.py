"""The model lab's records: designs (architectures, augmentation pipelines), projects,
experiments and the runs they group (a run is a training job of the training slice,
joined here by its id), and the weights library."""

from __future__ import annotations

from piccolo.columns import JSONB, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Architecture(Table, tablename="lab_architecture"):
    id = Varchar(length=24, primary_key=True)  # arch-xxxxxxxx
    name = Varchar(length=200, required=True)
    description = Text(default="")
    graph = JSONB(default={})  # {nodes, edges, context}
    project_id = Varchar(length=24, null=True, default=None, index=True)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AugmentationPipeline(Table, tablename="lab_augmentation"):
    id = Varchar(length=24, primary_key=True)  # aug-xxxxxxxx
    name = Varchar(length=200, required=True)
    description = Text(default="")
    pipeline = JSONB(default=[])
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Project(Table, tablename="lab_project"):
    id = Varchar(length=24, primary_key=True)  # prj-xxxxxxxx
    name = Varchar(length=200, required=True)
    description = Text(default="")
    status = Varchar(length=16, default="active")
    private = Boolean(default=False)  # seen by its members (and admins) only
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ProjectMember(Table, tablename="lab_project_member"):
    project_id = Varchar(length=24, index=True)
    username = Varchar(length=64)
    role = Varchar(length=16, default="editor")  # owner | editor | viewer


class ProjectLink(Table, tablename="lab_project_link"):
    """What a project groups from other slices: datasets, feature plans, models, deployments."""

    project_id = Varchar(length=24, index=True)
    kind = Varchar(length=24)
    ref_id = Varchar(length=128)


class Experiment(Table, tablename="lab_experiment"):
    id = Varchar(length=24, primary_key=True)  # exp-xxxxxxxx
    project_id = Varchar(length=24, null=True, default=None, index=True)
    name = Varchar(length=200, required=True)
    description = Text(default="")
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Run(Table, tablename="lab_run"):
    job_id = Varchar(length=32, primary_key=True)
    kind = Varchar(length=16, default="training")  # what produced the run
    experiment_id = Varchar(length=24, null=True, default=None, index=True)
    name = Varchar(length=200, default="")
    architecture_id = Varchar(length=24, null=True, default=None)
    augmentation_id = Varchar(length=24, null=True, default=None)
    weight_id = Varchar(length=24, null=True, default=None)
    created_at = Timestamptz(index=True)


class RunSummary(Table, tablename="lab_run_summary"):
    """Each metric's last/min/max of a finished run, folded once from its events (and its
    test evaluation); `last_seq` says which events it saw."""

    job_id = Varchar(length=32, primary_key=True)
    last_seq = Integer(default=0)
    metrics = JSONB(default={})


class Weight(Table, tablename="lab_weight"):
    id = Varchar(length=24, primary_key=True)  # wt-xxxxxxxx
    name = Varchar(length=200, required=True)
    format = Varchar(length=8)  # onnx | pt
    bytes = BigInt(default=0)
    sha256 = Varchar(length=64, default="")
    uri = Text(default="")
    signature = JSONB(default={})
    metrics = JSONB(default={})
    architecture_id = Varchar(length=24, null=True, default=None)
    source_run = Varchar(length=32, null=True, default=None)
    tags = JSONB(default=[])
    notes = Text(default="")
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
