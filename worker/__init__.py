"""The RQ worker: delivery of the outbox and the periodic relationship-maintenance jobs.
It imports portal; portal never imports it."""
