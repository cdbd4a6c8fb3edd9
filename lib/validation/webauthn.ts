import "server-only";
import { z } from "zod";

// Shapes of the browser's WebAuthn responses. Sizes are capped so a hostile
// client cannot make the server parse megabytes of CBOR.
const b64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, "must be base64url");
const transports = z.array(z.enum(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"])).max(8);

// The fields every PublicKeyCredential JSON carries, whatever the ceremony.
const credentialFields = {
  id: b64url(1400),
  rawId: b64url(1400),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

export const registrationResponseSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: b64url(8_192),
    attestationObject: b64url(65_536),
    transports: transports.optional(),
    authenticatorData: b64url(16_384).optional(),
    publicKey: b64url(8_192).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
});

export const authenticationResponseSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: b64url(8_192),
    authenticatorData: b64url(16_384),
    signature: b64url(2_048),
    userHandle: b64url(1_024).optional(),
  }),
});

export const keyNameSchema = z.string().trim().min(1, "Enter a name.").max(64, "Use at most 64 characters.");

export const finishRegistrationSchema = z.object({ response: registrationResponseSchema });
export const renameKeySchema = z.object({ keyId: z.string().uuid(), name: keyNameSchema });
export const removeKeySchema = z.object({ keyId: z.string().uuid() });

export const loginKeySchema = z.object({ response: authenticationResponseSchema });
export const emptySchema = z.object({}).strict();
