import type { KeySummary } from "@/lib/webauthn/keys";

/** "Verified model: …" when the key proved its model at registration, else "Model claimed by the key: …". */
export function KeyModel({ securityKey: key }: { securityKey: Pick<KeySummary, "model" | "aaguid" | "modelVerified" | "modelProof"> }) {
  // A U2F key sends an all-zero AAGUID: it names no model at all.
  const name = key.model ?? (/^[0-]+$/.test(key.aaguid) ? "U2F key (no model named)" : key.aaguid);
  return key.modelVerified ? (
    <span title={key.modelProof ? `Proven by ${key.modelProof}` : undefined}>
      <span className="font-medium text-emerald-700">Verified model:</span> {name}
    </span>
  ) : (
    <span title={key.modelProof ? `Not proven: ${key.modelProof}` : undefined}>Model claimed by the key: {name}</span>
  );
}

/** "2 of 5 registered keys have a model claimed by the key, not verified: …" for Setup, or null when every key is verified. */
export function claimedKeysSentence({ keys, claimedKeys }: { keys: number; claimedKeys: number }): string | null {
  if (claimedKeys === 0) return null;
  const one = claimedKeys === 1;
  const subject = claimedKeys < keys ? `${claimedKeys} of ${keys} registered keys` : one ? "The org's only registered key" : `All ${keys} registered keys`;
  return `${subject} ${one ? "has" : "have"} a model claimed by the key, not verified: ${one ? "it" : "they"} would stop working under “Accept only verified key models”.`;
}
