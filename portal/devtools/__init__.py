"""Development tools: demo data, `portal dev`, /dev/mail and the bench ceiling page.
Nothing on a production request path uses them: their pages exist only in development, testing or a
bench run."""
