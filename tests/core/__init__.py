"""Tests of portal's top-level modules: config, tenancy, outbox, markdown, migrations."""
