"use client";

import { useState } from "react";
import { Button } from "./ui";

/** Copies `text` to the clipboard and says so ("Copied"); says when the browser refused. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        variant="secondary"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setState("copied");
          } catch {
            setState("failed");
          }
        }}
      >
        {label}
      </Button>
      <span role="status" className="text-sm text-slate-500">
        {state === "copied" ? "Copied" : state === "failed" ? "Couldn't copy: select the code and copy it." : ""}
      </span>
    </span>
  );
}
