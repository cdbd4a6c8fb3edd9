import "server-only";
import { authenticatorModelVerdict } from "../policy/rules";
import type { RefusalCode } from "./refusal";
import { modelCompromisedNow, type TrustStore } from "./trust/store";
import { compromisedMessage, describeModel, requiresProvenModel, type KeyPolicy } from "./verify";

// The org's key policy applied again at every assertion (login, device
// activation, re-authentication): the policy may have changed since the key
// was registered, and so may the FIDO MDS status of its model.

export interface StoredModel {
  aaguid: string;
  /** Model name to show (bundled table or MDS). */
  name: string | null;
  modelProven: boolean;
  backupEligible: boolean;
  transports: string[];
}

/** Why the org's current policy refuses a registered key, or null when it may be used. */
export function storedKeyRefusal(policy: KeyPolicy, key: StoredModel, trust: TrustStore): { code: RefusalCode; message: string } | null {
  const shown = describeModel(key.aaguid, key.name);
  const status = modelCompromisedNow(trust, key.aaguid);
  if (status) return { code: "model-compromised", message: compromisedMessage(shown, status) };
  const verdict = authenticatorModelVerdict(policy, key.aaguid);
  if (verdict === "blocked") return { code: "model-blocked", message: `Your org has blocked this security key model: ${shown}.` };
  if (requiresProvenModel(policy) && !key.modelProven) {
    return {
      code: "model-no-longer-allowed",
      message: `Your org only accepts security keys that proved their model when they were registered, and this one didn't (${shown}). Register a key from a known maker, or ask your admin.`,
    };
  }
  if (verdict === "not-listed") return { code: "model-no-longer-allowed", message: `Your org no longer allows this security key model: ${shown}.` };
  if (policy.authenticatorType === "cross-platform" && (key.backupEligible || key.transports.includes("internal"))) {
    return { code: "platform-not-allowed", message: `Your org only allows physical security keys, and this is a passkey on a device (${shown}).` };
  }
  return null;
}
