"""The shared floor: pure code every process may import and that imports none of them.

Legalization and formatting of inference input (`postprocess`), the feature plan's
semantics and suggestion rules (`features`), the algorithms and their hyperparameters,
and the training job's protocol. No I/O here: no asyncio, network, database, S3 or torch.
"""
