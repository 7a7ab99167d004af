"""External lineage: nodes and edges that no record of ours holds (a SCADA export, a
notebook, an upstream ETL job). Derived lineage stays derived from the records; these two
tables hold only what the API was told about things outside the platform."""

from __future__ import annotations

from piccolo.columns import JSONB, Serial, Timestamptz, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table


class ExternalNode(Table, tablename="lineage_external_node"):
    id: Serial  # the default primary key, declared for the type checker
    node_type = Varchar(length=50, required=True, index=True)
    node_id = Varchar(length=255, required=True)
    name = Varchar(length=255, default="")
    metadata = JSONB(default={})
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz(index=True)

    unique_external_node = Unique(["node_type", "node_id"])


class ExternalEdge(Table, tablename="lineage_external_edge"):
    """`source` is upstream of `target`; either end may be a derived or an external node."""

    id: Serial  # the default primary key, declared for the type checker
    source_type = Varchar(length=50, required=True)
    source_id = Varchar(length=255, required=True, index=True)
    target_type = Varchar(length=50, required=True)
    target_id = Varchar(length=255, required=True, index=True)
    edge_type = Varchar(length=32, default="data_flow")
    metadata = JSONB(default={})
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()

    unique_external_edge = Unique(["source_type", "source_id", "target_type", "target_id"])
