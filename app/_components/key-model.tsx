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
