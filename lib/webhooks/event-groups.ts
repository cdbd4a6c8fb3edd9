import { SECURITY_EVENT_TYPES, type SecurityEventType } from "../events/types";

// The event types an endpoint can choose, grouped as the Event Streams form shows them.

export interface EventTypeGroup {
  label: string;
  types: SecurityEventType[];
}

const GROUPS: { label: string; test: (type: string) => boolean }[] = [
  { label: "Sign-in", test: (t) => t.startsWith("user.login.") || t.startsWith("user.verification.") || t === "user.session.ended" },
  {
    label: "Security keys and other factors",
    test: (t) => /^user\.(security_key|authenticator_app|recovery_codes|temporary_code|suspended_factor|device)\./.test(t),
  },
  { label: "Users and passwords", test: (t) => t.startsWith("user.") },
  { label: "Org, settings and integrations", test: () => true },
];

/** Every type a stream can carry (the migrated legacy rows are not sent), by group. */
export function eventTypeGroups(): EventTypeGroup[] {
  const groups = GROUPS.map((g) => ({ label: g.label, types: [] as SecurityEventType[] }));
  for (const type of SECURITY_EVENT_TYPES) {
    if (type === "legacy.audit") continue;
    groups[GROUPS.findIndex((g) => g.test(type))]!.types.push(type);
  }
  return groups.filter((g) => g.types.length > 0);
}
