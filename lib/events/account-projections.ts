import "server-only";
import { formatDateTime } from "../format";
import { USERS, type Projector, type ProjectorTable } from "./projection-rows";

// The org, its settings and its users' accounts (not their credentials): rows
// of the Setup Audit Trail.

const ROLE_LABELS = { ADMIN: "Admin", STANDARD: "Standard" } as const;

const activeChanged: Projector<"user.deactivated" | "user.reactivated"> = (event) => {
  const active = event.type === "user.reactivated";
  return {
    audit: {
      action: active ? "Reactivated user" : "Deactivated user",
      section: USERS,
      field: "Active",
      targetId: event.user.id,
      oldValue: String(!active),
      newValue: String(active),
    },
  };
};

export const accountProjectors = {
  "org.created": (event) => ({ audit: { action: "Created org", section: "Org", newValue: `${event.org.name} (${event.org.slug})` } }),
  "org.email.refused": (event) => ({
    audit: {
      action: "Email refused: quota reached",
      section: "Email",
      newValue: `${event.data.template} (${event.data.scope === "recipient" ? "per-recipient" : "per-org"} hourly quota)`,
    },
  }),
  "settings.updated": (event) => ({
    audit: {
      action: "Changed session settings",
      section: "Session Settings",
      field: event.setting.field,
      oldValue: event.setting.old,
      newValue: event.setting.new,
    },
  }),
  "user.created": (event) => {
    const { user } = event;
    return {
      audit: { action: "Created user", section: USERS, targetId: user.id, newValue: `${user.name} <${user.username}> (${ROLE_LABELS[event.data.role]})` },
    };
  },
  "user.invitation.sent": (event) => ({ audit: { action: "Sent invitation", section: USERS, targetId: event.user.id, newValue: event.data.email } }),
  "user.invitation.accepted": (event) => ({ audit: { action: "Set password from invitation", section: USERS, targetId: event.user.id } }),
  "user.username.released": (event) => ({
    audit: {
      action: "Username taken by its owner",
      section: USERS,
      targetId: event.user.id,
      oldValue: event.data.username,
      newValue: "The owner of this address proved it in another org; this user can no longer log in with it.",
    },
  }),
  "user.role.changed": (event) => ({
    audit: {
      action: "Changed role",
      section: USERS,
      field: "Role",
      targetId: event.user.id,
      oldValue: ROLE_LABELS[event.data.from],
      newValue: ROLE_LABELS[event.data.to],
    },
  }),
  "user.deactivated": activeChanged,
  "user.reactivated": activeChanged,
  "user.session.ended": (event, { request }) => {
    const { user, data } = event;
    if (data.reason === "ip-changed") {
      return {
        audit: {
          action: "Ended session: IP address changed",
          section: "Sessions",
          targetId: user.id,
          newValue: `${user.username}: request from ${request?.ip ?? "an unknown IP"}, session locked to ${data.sessionIp ?? "an unknown IP"}`,
        },
      };
    }
    return { audit: { action: "Ended session", section: USERS, targetId: user.id, oldValue: user.username } };
  },
  "user.device.revoked": (event) => {
    const { user, data } = event;
    return {
      audit: {
        action: "Revoked activated device",
        section: USERS,
        targetId: user.id,
        newValue: `${user.username}: device activated ${formatDateTime(data.activatedAt)} from ${data.deviceIp ?? "an unknown IP"}`,
      },
    };
  },
  "user.admin_recovery.cleared": (event) => ({
    audit: {
      action: "Cleared “Admin recovery required”",
      section: USERS,
      targetId: event.user.id,
      newValue: `${event.user.username}, by the operator (npm run user:recover)`,
    },
  }),
} satisfies Partial<ProjectorTable>;
