import { describe, expect, it, vi } from "vitest";
import { POST as registerOptions } from "@/app/api/webauthn/register/options/route";
import { POST as registerVerify } from "@/app/api/webauthn/register/verify/route";
import { POST as reauthPassword } from "@/app/api/reauth/password/route";
import { useTestDatabase } from "../support/database";
import { createOrg, createUser, signIn } from "../support/factories";
import { actAs } from "../support/next-request";
import { keyState, setOrgSettings } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

const post = (body: string, origin = "http://localhost:3000") =>
  new Request("http://localhost:3000/api/webauthn", { method: "POST", body, headers: { "content-type": "application/json", origin } });

async function signedInUser() {
  const org = await createOrg("Endpoints");
  await setOrgSettings(org.orgId, {});
  const { token } = await signIn((await createUser(org.admin)).userId);
  await actAs(token);
}

describe("WebAuthn endpoints refuse bad input with a clear 4xx and change nothing", () => {
  it("a body that is not JSON, or not a WebAuthn response", async () => {
    await signedInUser();
    const before = await keyState();
    for (const body of ["not json", "{}", JSON.stringify({ response: { id: "x y", type: "public-key" } }), JSON.stringify({ response: "x".repeat(100) })]) {
      const response = await registerVerify(post(body));
      expect(response.status, body.slice(0, 30)).toBe(400);
      expect(await response.json()).toMatchObject({ ok: false });
    }
    expect(await keyState()).toEqual(before);
  });

  it("an options request with unexpected fields, and an oversized attestation object", async () => {
    await signedInUser();
    expect((await registerOptions(post(JSON.stringify({ orgId: "someone-else" })))).status).toBe(400);
    const huge = { id: "AAAA", rawId: "AAAA", type: "public-key", response: { clientDataJSON: "AAAA", attestationObject: "A".repeat(70_000) } };
    expect((await registerVerify(post(JSON.stringify({ response: huge })))).status).toBe(400);
  });

  it("a wrong password answers 400 with a field error, and a signed-out caller 401", async () => {
    await signedInUser();
    const wrong = await reauthPassword(post(JSON.stringify({ password: "not-the-password" })));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ ok: false, fieldErrors: { password: "That password isn't right." } });
    await actAs(null);
    expect((await reauthPassword(post(JSON.stringify({ password: "x" })))).status).toBe(401);
  });

  it("a request from another origin is refused (403)", async () => {
    await signedInUser();
    expect((await registerOptions(post("{}", "https://evil.example"))).status).toBe(403);
  });
});
