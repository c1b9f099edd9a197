// A real OpenID provider (the certified `oidc-provider` package) on 127.0.0.1, for the tests of
// single sign-on (tests/auth/test_sso.py). Started by the `oidc_provider` fixture, never in
// production.
//
// Configuration: a JSON object in the environment variable OIDC_TEST_CONFIG:
//   {"clients": [{"client_id", "client_secret", "redirect_uris": [...]}, ...]}
// It binds a free port, then prints one line {"issuer": "http://127.0.0.1:<port>"} on stdout.
// Its development login form accepts any account name: the name is the account's email, and an
// account whose name starts with "unverified." has email_verified false.
'use strict';

const http = require('node:http');

async function main() {
  const { default: Provider } = await import('oidc-provider');
  const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{"clients": []}');
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map((c) => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'] })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false, // the email claims in the ID token itself, as most providers do
    pkce: { required: () => true },
    cookies: { keys: ['portal-tests-only'] },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: id.replace(/^unverified\./, ''), email_verified: !id.startsWith('unverified.'), name: id.split('@')[0] };
        },
      };
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
