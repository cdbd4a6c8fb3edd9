import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto max-w-lg px-6 py-24 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">Page not found</h1>
      <p className="mt-3 text-sm text-slate-500">It doesn't exist, or it isn't part of your org.</p>
      <Link href="/home" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:text-brand-700">
        Back to Home
      </Link>
    </div>
  );
}
