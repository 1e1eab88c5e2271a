import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The app is built into web/dist and served by the API process at "/" (api/web.py).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
});
