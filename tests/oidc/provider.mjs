// A real OpenID provider for the login tests (npm oidc-provider), standing in for
// ID-porten (client "stafett-citizen") and the municipality's SSO ("stafett-staff").
//
//   node tests/oidc/provider.mjs PORT
//
// Environment:
//   OIDC_TEST_PORT            port, when not given as the first argument
//   OIDC_TEST_REDIRECT_URIS   JSON {"stafett-citizen": [uri, ...], "stafett-staff": [...]}
//   OIDC_TEST_LOGOUT_URIS     JSON, same shape, post_logout_redirect_uris
//   OIDC_TEST_SECRET          client secret of both clients (default "test-secret")
//
// Any login name works. The account's claims: sub = login; pid = login when it is
// 11 digits (ID-porten's national ID claim); email = login when it contains "@".
// The interaction page has a "login" field and an "acr" field (default
// idporten-loa-high, which ID-porten puts in the ID token); consent is granted
// at once. Prints "READY <issuer>" once listening; exits on SIGTERM/SIGINT.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.OIDC_TEST_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node provider.mjs PORT');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = JSON.parse(process.env.OIDC_TEST_REDIRECT_URIS || '{}');
const logoutUris = JSON.parse(process.env.OIDC_TEST_LOGOUT_URIS || '{}');
const secret = process.env.OIDC_TEST_SECRET || 'test-secret';
const ACR_VALUES = ['idporten-loa-substantial', 'idporten-loa-high'];

const clients = ['stafett-citizen', 'stafett-staff'].map((clientId) => ({
  client_id: clientId,
  client_secret: secret,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  redirect_uris: redirectUris[clientId] || [],
  post_logout_redirect_uris: logoutUris[clientId] || [],
}));

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  acrValues: ACR_VALUES,
  // Like ID-porten: the person's claims are in the ID token, not only at userinfo.
  conformIdTokenClaims: false,
  claims: {
    acr: null,
    sid: null,
    auth_time: null,
    iss: null,
    openid: ['sub', 'pid'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  pkce: { required: () => true }, // S256 is the only method oidc-provider accepts
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id, name: id };
        if (/^\d{11}$/.test(id)) claims.pid = id;
        if (id.includes('@')) Object.assign(claims, { email: id, email_verified: true });
        return claims;
      },
    };
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
});

// A grant for everything the client asked for: no consent page.
async function grantAll(details, accountId) {
  const { params } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope || 'openid'));
  if (params.claims) {
    const requested = JSON.parse(params.claims);
    grant.addOIDCClaims([...Object.keys(requested.id_token || {}), ...Object.keys(requested.userinfo || {})]);
  }
  return grant.save();
}

function loginForm(uid, details) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider login</title></head>
<body>
<h1>Test provider login</h1>
<p>Client: ${escape(details.params.client_id)}. Requested acr: ${escape(details.params.acr_values || '')}</p>
<form method="post" action="/interaction/${escape(uid)}">
  <label>Login <input name="login" autofocus></label>
  <label>acr <input name="acr" value="idporten-loa-high"></label>
  <button type="submit">Log in</button>
</form>
</body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (details.prompt.name === 'login') {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginForm(uid, details));
      return;
    }
    const form = await readForm(req);
    const accountId = (form.get('login') || '').trim();
    if (!accountId) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('login is required');
      return;
    }
    const result = { login: { accountId, acr: form.get('acr') || undefined } };
    result.consent = { grantId: await grantAll(details, accountId) };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'consent') {
    const grantId = await grantAll(details, details.session.accountId);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  res.writeHead(400, { 'content-type': 'text/plain' });
  res.end(`unsupported prompt ${details.prompt.name}`);
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)/.exec(req.url || '');
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(req, res, match[1]).catch((err) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${err.message}`);
  });
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
