import { useId, type ComponentProps, type ReactNode } from "react";

// Form controls beyond ui.tsx's text Field, with the same look: label above (or
// beside, for checkboxes), a hint, and a field-level error tied by aria-describedby.

const controlClass = (error?: string) =>
  `mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-sm shadow-sm outline-none transition focus:ring-2 ${
    error ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
  }`;

function Help({ id, error, hint }: { id: string; error?: string; hint?: ReactNode }) {
  if (error) {
    return (
      <p id={`${id}-error`} className="mt-1 text-sm text-red-600">
        {error}
      </p>
    );
  }
  return hint ? (
    <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
      {hint}
    </p>
  ) : null;
}

const describedBy = (id: string, error?: string, hint?: ReactNode) => (error ? `${id}-error` : hint ? `${id}-hint` : undefined);

export function CheckboxField({
  label,
  name,
  error,
  hint,
  children,
  ...input
}: Omit<ComponentProps<"input">, "type"> & { label: string; name: string; error?: string; hint?: ReactNode; children?: ReactNode }) {
  // Unique per rendered control: two forms on one page may use the same field name.
  const id = `field-${name}-${useId().replace(/[^\w-]/g, "")}`;
  return (
    <div className="flex gap-3">
      <input
        id={id}
        name={name}
        type="checkbox"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        className="mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 text-brand-600 accent-brand-600 focus:ring-brand-500"
        {...input}
      />
      <div className="min-w-0 flex-1">
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        <Help id={id} error={error} hint={hint} />
        {children}
      </div>
    </div>
  );
}

export function SelectField({
  label,
  name,
  error,
  hint,
  options,
  ...select
}: ComponentProps<"select"> & { label: string; name: string; error?: string; hint?: ReactNode; options: readonly { value: string; label: string }[] }) {
  // Unique per rendered control: two forms on one page may use the same field name.
  const id = `field-${name}-${useId().replace(/[^\w-]/g, "")}`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        className={controlClass(error)}
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Help id={id} error={error} hint={hint} />
    </div>
  );
}

export function TextAreaField({
  label,
  name,
  error,
  hint,
  ...textarea
}: ComponentProps<"textarea"> & { label: string; name: string; error?: string; hint?: ReactNode }) {
  // Unique per rendered control: two forms on one page may use the same field name.
  const id = `field-${name}-${useId().replace(/[^\w-]/g, "")}`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        className={`${controlClass(error)} font-mono`}
        {...textarea}
      />
      <Help id={id} error={error} hint={hint} />
    </div>
  );
}
