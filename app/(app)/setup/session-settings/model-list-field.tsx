"use client";

import { useId, useMemo, useState } from "react";
import { TextAreaField } from "../../../_components/form-fields";

export interface KnownModel {
  aaguid: string;
  name: string;
}

const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_RESULTS = 8;

/** The AAGUIDs a list field's text names: one per line, as the server parses them (lib/validation). */
export function aaguidsIn(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((line) => line.trim().toLowerCase()))].filter((line) => AAGUID.test(line));
}

/**
 * A model list (allowed or blocked) edited as AAGUIDs, one per line, plus a
 * search over the models Gatehouse can name (bundled names and the FIDO MDS
 * BLOB): "Add" puts a model's AAGUID on the list; listed models show by name.
 */
export function ModelListField({
  label,
  name,
  value,
  onChange,
  models,
  error,
  hint,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (text: string) => void;
  models: readonly KnownModel[];
  error?: string;
  hint: string;
}) {
  const [query, setQuery] = useState("");
  const searchId = useId();
  const listed = aaguidsIn(value);
  const names = useMemo(() => new Map(models.map((m) => [m.aaguid, m.name])), [models]);
  const needle = query.trim().toLowerCase();
  const results = needle ? models.filter((m) => m.name.toLowerCase().includes(needle) || m.aaguid.startsWith(needle)).slice(0, MAX_RESULTS) : [];

  function add(aaguid: string) {
    if (listed.includes(aaguid)) return;
    onChange([...listed, aaguid].join("\n"));
  }

  return (
    <div className="space-y-2">
      <TextAreaField label={label} name={name} rows={4} value={value} onChange={(e) => onChange(e.target.value)} error={error} hint={hint} />
      {listed.length > 0 && (
        <ul aria-label={`${label}: models`} className="space-y-1 text-xs text-slate-600">
          {listed.map((aaguid) => (
            <li key={aaguid} className="flex items-center justify-between gap-2">
              <span>
                <span className="font-medium text-slate-800">{names.get(aaguid) ?? "Unnamed model"}</span> <span className="font-mono">{aaguid}</span>
              </span>
              <button
                type="button"
                className="text-slate-500 hover:text-red-700"
                aria-label={`Remove ${names.get(aaguid) ?? aaguid} from ${label}`}
                onClick={() => onChange(listed.filter((a) => a !== aaguid).join("\n"))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div>
        <label htmlFor={searchId} className="sr-only">
          Search models for {label}
        </label>
        <input
          id={searchId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search models by name, e.g. YubiKey 5"
          className="block w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
        />
        {needle && (
          <ul aria-label={`Models matching “${query.trim()}”`} className="mt-1 divide-y divide-slate-100 rounded-md border border-slate-200 bg-white text-sm">
            {results.length === 0 && <li className="px-3 py-2 text-slate-500">No known model matches. Paste its AAGUID above instead.</li>}
            {results.map((model) => (
              <li key={model.aaguid} className="flex items-center justify-between gap-2 px-3 py-1.5">
                <span>
                  {model.name} <span className="font-mono text-xs text-slate-500">{model.aaguid}</span>
                </span>
                <button
                  type="button"
                  disabled={listed.includes(model.aaguid)}
                  onClick={() => add(model.aaguid)}
                  aria-label={`Add ${model.name} (${model.aaguid}) to ${label}`}
                  className="text-sm font-medium text-brand-600 hover:text-brand-700 disabled:text-slate-400"
                >
                  {listed.includes(model.aaguid) ? "Listed" : "Add"}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
