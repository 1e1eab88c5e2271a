import { useEffect } from "preact/hooks";

/** Sets the document title, so each page is named for screen readers and history. */
export function useHead(title: string): void {
  useEffect(() => {
    document.title = `${title} · Planet`;
  }, [title]);
}
