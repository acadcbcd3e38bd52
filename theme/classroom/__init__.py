"""The classroom's lessons: the guided tour and its steps, the dance test, pictures of rhythm,
the demo music of the strategies, the studio (the groove editor's page), notebooks."""
