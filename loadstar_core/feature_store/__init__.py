"""Pure rules of the feature store: rows checked against a group, point-in-time joins."""
