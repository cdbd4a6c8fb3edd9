import { formatDate } from "@/lib/format";
import type { MdsStatus } from "@/lib/webauthn/trust/store";

/**
 * One line on Setup home about the FIDO MDS BLOB behind "Verified model": which
 * one is in use, and a warning once it is past its next update (a stale BLOB
 * misses the latest revocations).
 */
export function FidoMetadataStatus({ status }: { status: MdsStatus | null }) {
  const command = <code className="rounded bg-slate-100 px-1 py-0.5 text-xs text-slate-700">npm run mds:update</code>;
  if (!status) {
    return (
      <p className="mt-6 text-sm text-slate-500">
        No FIDO metadata file: keys&rsquo; models are verified against the bundled vendor roots only. Run {command} to add the FIDO Alliance&rsquo;s metadata.
      </p>
    );
  }
  const nextUpdate = formatDate(`${status.nextUpdate}T00:00:00Z`);
  if (status.stale) {
    return (
      <p role="status" className="mt-6 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800">
        FIDO metadata: BLOB no. {status.serial} is past its next update ({nextUpdate}), so it may miss models revoked since. Run {command} on the server.
      </p>
    );
  }
  return (
    <p className="mt-6 text-sm text-slate-500">
      FIDO metadata: BLOB no. {status.serial}, next update {nextUpdate}.
    </p>
  );
}
