import type { Metadata } from "next";
import Link from "next/link";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { currentContext } from "@/lib/auth/context";
import { verificationChoices } from "@/lib/auth/login-verification";
import { findPendingLogin, pendingLoginCookieName } from "@/lib/auth/pending-login";
import { Alert } from "../../_components/ui";
import { VerifyForm } from "./verify-form";

export const metadata: Metadata = { title: "Verify your identity" };

export default async function VerifyPage() {
  if (await currentContext()) redirect("/home");
  const pending = await findPendingLogin((await cookies()).get(pendingLoginCookieName())?.value);
  if (!pending) {
    return (
      <>
        <h1 className="text-xl font-semibold text-slate-900">Verify your identity</h1>
        <div className="mt-4">
          <Alert>Your login expired. Log in again.</Alert>
        </div>
        <p className="mt-6 text-center text-sm">
          <Link href="/login" className="font-medium text-brand-600 hover:text-brand-700">
            Log in again
          </Link>
        </p>
      </>
    );
  }
  const choices = await verificationChoices(pending);
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Verify your identity</h1>
      <p className="mt-1 text-sm text-slate-500">
        {choices.needs.secondFactor
          ? `${choices.orgName} asks for a second step when you log in, ${choices.userName}.`
          : `You're logging in to ${choices.orgName} from a browser we don't recognise. Verify it's you to activate it.`}
      </p>
      <div className="mt-6">
        <VerifyForm methods={choices.methods} emailHint={choices.emailHint} emailCodeSent={choices.emailCodeSent} verified={Boolean(pending.verifiedAt)} />
      </div>
      <p className="mt-6 text-center text-sm text-slate-500">
        Not you, or stuck?{" "}
        <Link href="/login" className="font-medium text-brand-600 hover:text-brand-700">
          Log in again
        </Link>
      </p>
    </>
  );
}
