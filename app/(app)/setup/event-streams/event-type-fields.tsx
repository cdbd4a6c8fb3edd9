import type { EventTypeGroup } from "@/lib/webhooks/event-groups";

/** The event types as grouped checkboxes (name="eventTypes"); `selected` empty means every type. */
export function EventTypeFields({ groups, selected, idPrefix }: { groups: EventTypeGroup[]; selected: string[]; idPrefix: string }) {
  const all = selected.length === 0;
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-700">Event types</legend>
      <p className="text-sm text-slate-500">All are ticked by default; with every type ticked the endpoint also gets types added in later versions.</p>
      <div className="mt-2 grid gap-4 sm:grid-cols-2">
        {groups.map((group) => (
          <fieldset key={group.label} className="rounded-lg border border-slate-200 p-3">
            <legend className="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{group.label}</legend>
            <ul className="space-y-1">
              {group.types.map((type) => (
                <li key={type} className="flex items-center gap-2">
                  <input
                    id={`${idPrefix}-${type}`}
                    type="checkbox"
                    name="eventTypes"
                    value={type}
                    defaultChecked={all || selected.includes(type)}
                    className="h-4 w-4 rounded border-slate-300"
                  />
                  <label htmlFor={`${idPrefix}-${type}`} className="font-mono text-xs text-slate-700">
                    {type}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        ))}
      </div>
    </fieldset>
  );
}
