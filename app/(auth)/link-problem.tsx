import Link from "next/link";

/** An emailed link that cannot be used (expired, used, unknown): what went wrong, and the way back to the login page. */
export function LinkProblem({ title, detail }: { title: string; detail: string }) {
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">{title}</h1>
      <p className="mt-2 text-sm text-slate-600">{detail}</p>
      <Link href="/login" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:text-brand-700">
        Go to the login page
      </Link>
    </>
  );
}
