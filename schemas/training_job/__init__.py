"""The training job's protocol: states, events, the spec a worker gets, Redis names."""
