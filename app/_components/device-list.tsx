import type { DeviceSummary } from "@/lib/auth/login/devices";
import type { ActionResult } from "@/lib/auth/action";
import { describeBrowser } from "@/lib/http/request-info";
import { ActionButton } from "./action-button";
import { formatDateTime } from "./ui";
import { formatIp } from "@/lib/format";

/** Activated devices with a Revoke button each; `revoke` is the user's own or the admin's action. */
export function DeviceList<I>({
  devices,
  revoke,
  inputFor,
  currentId = null,
}: {
  devices: DeviceSummary[];
  /** The device this browser is (its device cookie), marked "This browser". */
  currentId?: string | null;
  revoke: (input: I) => Promise<ActionResult<unknown>>;
  inputFor: (device: DeviceSummary) => I;
}) {
  if (devices.length === 0) return <p className="text-sm text-slate-500">No activated devices.</p>;
  return (
    <ul className="divide-y divide-slate-100" aria-label="Activated devices">
      {devices.map((device) => (
        <li key={device.id} className="flex items-center justify-between gap-4 py-3 text-sm">
          <div>
            <p className="font-medium text-slate-800">
              {describeBrowser(device.userAgent)}
              {device.id === currentId && <span className="ml-2 text-xs font-normal text-emerald-700">This browser</span>}
            </p>
            <p className="text-slate-500">
              activated {formatDateTime(device.createdAt)} from {device.ip ? formatIp(device.ip) : "an unknown IP"} · last seen{" "}
              {formatDateTime(device.lastSeenAt)}
            </p>
          </div>
          <ActionButton
            action={revoke}
            input={inputFor(device)}
            label={`Revoke ${describeBrowser(device.userAgent)} activated ${formatDateTime(device.createdAt)}`}
          >
            Revoke
          </ActionButton>
        </li>
      ))}
    </ul>
  );
}
