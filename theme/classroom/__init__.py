"""The classroom: a guided tour, the dance test, pictures of rhythm, a page to project."""
