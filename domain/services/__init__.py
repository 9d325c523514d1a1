"""Use cases the handlers and jobs call, one module per area."""
