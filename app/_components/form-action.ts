/**
 * A server action as a form's `action`, so the form works before JavaScript runs: React renders the action's id
 * in the form and Next runs it for the browser's own post (publicAction's form fallback answers with a redirect).
 * Once the script runs, the form's onSubmit prevents that post and calls the action itself, as before. The same
 * function, typed as React's form action (which returns nothing).
 */
export function formAction(action: (input: FormData) => Promise<unknown>): (formData: FormData) => Promise<void> {
  return action as (formData: FormData) => Promise<void>;
}
