import type { ReactNode } from "react";
import type { DayRange } from "@/lib/db/listing";
import { formatDay } from "@/lib/validation/dates";
import { ButtonLink, buttonClass } from "../../_components/ui";

// Shared by the Setup history pages (audit trail, verification and login
// history) so their filters look, read and submit alike.

export const filterInputClass =
  "mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100";

/** A URL query from filter values, leaving out the empty ones so links stay short. */
export function queryString(values: Record<string, string | null | undefined>): string {
  const entries = Object.entries(values).filter((entry): entry is [string, string] => Boolean(entry[1]));
  return new URLSearchParams(entries).toString();
}

/** A day range as the date inputs and links spell it. */
export function dayParams(range: DayRange): { from?: string; to?: string } {
  return { ...(range.from ? { from: formatDay(range.from) } : {}), ...(range.to ? { to: formatDay(range.to) } : {}) };
}

/** The filter form: From/To dates, any extra filters, Filter and (when filtered) Clear. Submits as GET. */
export function HistoryFilterForm({
  idPrefix,
  label,
  range,
  filtered,
  clearHref,
  children,
}: {
  idPrefix: string;
  label: string;
  range: DayRange;
  filtered: boolean;
  clearHref: string;
  children?: ReactNode;
}) {
  const days = dayParams(range);
  return (
    <form className="mb-4 flex flex-wrap items-end gap-3" aria-label={label}>
      <div>
        <label htmlFor={`${idPrefix}-from`} className="block text-sm font-medium text-slate-700">
          From
        </label>
        <input id={`${idPrefix}-from`} type="date" name="from" defaultValue={days.from ?? ""} className={filterInputClass} />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-to`} className="block text-sm font-medium text-slate-700">
          To
        </label>
        <input id={`${idPrefix}-to`} type="date" name="to" defaultValue={days.to ?? ""} className={filterInputClass} />
      </div>
      {children}
      <button className={buttonClass("secondary")}>Filter</button>
      {filtered && (
        <ButtonLink href={clearHref} variant="secondary">
          Clear
        </ButtonLink>
      )}
      <p className="text-xs text-slate-500">Dates are in UTC and include both days.</p>
    </form>
  );
}

/** A select whose empty choice means "any". */
export function SelectFilter({
  id,
  name,
  label,
  value,
  choices,
}: {
  id: string;
  name: string;
  label: string;
  value: string | null;
  choices: readonly string[];
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select id={id} name={name} defaultValue={value ?? ""} className={filterInputClass}>
        <option value="">Any</option>
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The table frame the history pages share; an empty page shows `empty` across all columns. */
export function HistoryTable({ columns, empty, children, isEmpty }: { columns: string[]; empty: string; isEmpty: boolean; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((column) => (
              <th key={column} className="whitespace-nowrap px-4 py-3">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">
          {children}
          {isEmpty && (
            <tr>
              <td colSpan={columns.length} className="px-4 py-10 text-center text-slate-500">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Long text in a table cell: one truncated line, the whole text on hover (title) or on click (expands in place). */
export function TruncatedText({ text, max = 48 }: { text: string | null; max?: number }) {
  if (!text) return <span className="text-slate-500">—</span>;
  if (text.length <= max) return <span>{text}</span>;
  return (
    <details className="group max-w-[18rem]">
      <summary title={text} className="cursor-pointer list-none truncate group-open:hidden [&::-webkit-details-marker]:hidden">
        {text}
      </summary>
      <span className="block whitespace-normal break-words">{text}</span>
    </details>
  );
}
