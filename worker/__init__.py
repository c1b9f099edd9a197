"""The RQ worker: delivery of the outbox and the periodic relationship-maintenance jobs."""
