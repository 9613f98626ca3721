// Build of the H5 app: `npm run build:h5` writes h5/dist, which the Koa server serves at /.
// `@contracts` points at the server's contracts so forms validate with the very same zod schemas.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const vantEs = path.join(repo, 'node_modules/vant/es');

// Function APIs whose styles live under another component's folder.
const VANT_FUNCTIONS: Record<string, string> = {
  showToast: 'toast', showFailToast: 'toast', showSuccessToast: 'toast', showLoadingToast: 'toast', closeToast: 'toast',
  showDialog: 'dialog', showConfirmDialog: 'dialog', closeDialog: 'dialog',
  showNotify: 'notify', closeNotify: 'notify', showImagePreview: 'image-preview',
};

/**
 * On-demand Vant styles: every `import { X } from 'vant'` also pulls in X's own CSS, so a page
 * carries only the styles of the components it uses (what unplugin's Vant resolver does, in 20 lines).
 */
function vantStyles(): Plugin {
  const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return {
    name: 'crm:vant-styles',
    enforce: 'post',
    transform(code, id) {
      if (id.includes('node_modules') || !/\bfrom\s*['"]vant['"]/.test(code)) return null;
      const dirs = new Set<string>();
      for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]vant['"]/g)) {
        for (const part of m[1].split(',')) {
          const name = part.trim().split(/\s+as\s+/)[0].replace(/^type\s+/, '').trim();
          if (!name) continue;
          const dir = VANT_FUNCTIONS[name] ?? kebab(name);
          if (fs.existsSync(path.join(vantEs, dir, 'style/index.mjs'))) dirs.add(dir);
        }
      }
      if (dirs.size === 0) return null;
      const imports = [...dirs].map((d) => `import 'vant/es/${d}/style/index';`).join('\n');
      return { code: `${imports}\n${code}`, map: null };
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [vue(), vantStyles()],
  resolve: {
    alias: {
      '@contracts': path.join(repo, 'server/src/contracts'),
      '@': path.join(here, 'src'),
    },
  },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:3000' },
  },
});
