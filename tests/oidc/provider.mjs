// A real OpenID Connect provider (the certified `oidc-provider` package) on loopback, for the
// single sign-on tests: one confidential client (ctcflow) that must use PKCE, the accounts given in
// OIDC_ACCOUNTS ({"login": {"email": ..., "name": ...}}), and the package's own sign-in and consent
// pages (its development interactions: any listed login, no password). Prints "ready" when it listens.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || "{}");
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    grant_types: ["authorization_code"],
    response_types: ["code"],
  }],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  async findAccount(ctx, id) {
    if (!accounts[id]) { return undefined; }
    return { accountId: id, async claims() { return { sub: id, email_verified: true, ...accounts[id] }; } };
  },
  cookies: { keys: ["test-cookie-key-not-a-secret"] },
  features: { devInteractions: { enabled: true } },
});
provider.listen(port, "127.0.0.1", () => { console.log("ready"); });
