import type { z } from "zod";
import { authenticatorAppConnectedEmail, authenticatorAppDisconnectedEmail } from "./authenticator-app-changed";
import { compromiseReportedAdminEmail } from "./compromise-reported";
import { deviceActivationCodeEmail } from "./device-activation-code";
import { enrolmentCodeEmail } from "./enrolment-code";
import { newDeviceActivatedEmail } from "./new-device-activated";
import { passwordChangedEmail } from "./password-changed";
import { passwordResetEmail } from "./password-reset";
import { recoveryCodesGeneratedEmail } from "./recovery-codes-generated";
import { secondFactorFailuresEmail } from "./second-factor-failures";
import { securityKeyRemovedByAdminEmail } from "./security-key-removed-by-admin";
import { temporaryCodeIssuedEmail } from "./temporary-code-issued";
import { securityKeyPossiblyClonedAdminEmail, securityKeyPossiblyClonedEmail } from "./security-key-possibly-cloned";
import { securityKeyRegisteredEmail } from "./security-key-registered";
import { securityAlertsDigestEmail } from "./security-alerts-digest";
import { securityKeyRemovedEmail } from "./security-key-removed";
import { setPasswordEmail } from "./set-password";
import { signupCodeEmail } from "./signup-code";
import { roleRequirementBreakGlassAdminEmail, roleRequirementBreakGlassEmail } from "./role-requirement-break-glass";
import { roleRequirementReminderEmail } from "./role-requirement-reminder";
import { webhookEndpointPausedEmail } from "./webhook-endpoint-paused";

// Every notification Gatehouse sends. Adding one: a file beside this one
// (defineEmailTemplate) and a line here.
export const EMAIL_TEMPLATES = {
  [setPasswordEmail.name]: setPasswordEmail,
  [signupCodeEmail.name]: signupCodeEmail,
  [securityKeyRegisteredEmail.name]: securityKeyRegisteredEmail,
  [securityKeyRemovedEmail.name]: securityKeyRemovedEmail,
  [securityKeyPossiblyClonedEmail.name]: securityKeyPossiblyClonedEmail,
  [securityKeyPossiblyClonedAdminEmail.name]: securityKeyPossiblyClonedAdminEmail,
  [deviceActivationCodeEmail.name]: deviceActivationCodeEmail,
  [enrolmentCodeEmail.name]: enrolmentCodeEmail,
  [recoveryCodesGeneratedEmail.name]: recoveryCodesGeneratedEmail,
  [temporaryCodeIssuedEmail.name]: temporaryCodeIssuedEmail,
  [securityKeyRemovedByAdminEmail.name]: securityKeyRemovedByAdminEmail,
  [authenticatorAppConnectedEmail.name]: authenticatorAppConnectedEmail,
  [authenticatorAppDisconnectedEmail.name]: authenticatorAppDisconnectedEmail,
  [passwordChangedEmail.name]: passwordChangedEmail,
  [passwordResetEmail.name]: passwordResetEmail,
  [compromiseReportedAdminEmail.name]: compromiseReportedAdminEmail,
  [newDeviceActivatedEmail.name]: newDeviceActivatedEmail,
  [secondFactorFailuresEmail.name]: secondFactorFailuresEmail,
  [securityAlertsDigestEmail.name]: securityAlertsDigestEmail,
  [roleRequirementBreakGlassEmail.name]: roleRequirementBreakGlassEmail,
  [roleRequirementBreakGlassAdminEmail.name]: roleRequirementBreakGlassAdminEmail,
  [roleRequirementReminderEmail.name]: roleRequirementReminderEmail,
  [webhookEndpointPausedEmail.name]: webhookEndpointPausedEmail,
} as const;

export type EmailTemplateName = keyof typeof EMAIL_TEMPLATES;
export type EmailTemplateData<N extends EmailTemplateName> = z.input<(typeof EMAIL_TEMPLATES)[N]["schema"]>;

export function isEmailTemplateName(name: string): name is EmailTemplateName {
  return Object.hasOwn(EMAIL_TEMPLATES, name);
}

/** The Email Log's name for a stored template (an unknown one is shown as stored). */
export function emailTemplateLabel(name: string): string {
  return isEmailTemplateName(name) ? EMAIL_TEMPLATES[name].label : name;
}

export type { RenderedEmail } from "./template";
