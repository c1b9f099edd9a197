"""What every blueprint shares: errors, security headers, routing, health, brand assets, forms,
inputs, templating and the form-action helper. No business rule lives here."""
