// Display helpers for applications and approvals: status colours, durations, file sizes, and
// picking documents (the messenger camera inside WeCom, otherwise a file input with the camera).
import type { ApplicationStatus, TaskStatus } from '@contracts/applications';
import { DOCUMENT_ACCEPT } from '@contracts/applications';
import { choosePhotos } from '@/utils/jssdk';
import { messengerEnv } from '@/utils/messenger';

export const STATUS_TONE: Record<ApplicationStatus, 'primary' | 'success' | 'danger' | 'warning' | 'default'> = {
  draft: 'default',
  pending: 'primary',
  approved: 'success',
  rejected: 'danger',
  returned: 'warning',
  withdrawn: 'default',
};

export const TASK_TONE: Record<TaskStatus, string> = {
  pending: '#1677ff',
  approved: '#14a04a',
  rejected: '#ee0a24',
  returned: '#ff7d00',
  delegated: '#7232dd',
  cancelled: '#c8c9cc',
};

/** 95 minutes → "1小时35分"; under a minute → "不到 1 分钟". */
export function durationText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const min = Math.floor(ms / 60_000);
  if (min < 1) return '不到 1 分钟';
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d) return `${d}天${h ? `${h}小时` : ''}`;
  if (h) return `${h}小时${m ? `${m}分` : ''}`;
  return `${m}分钟`;
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export interface PickedFile {
  blob: Blob;
  name: string;
  /** For a thumbnail before upload. */
  preview: string | null;
}

/** A file input; `camera` opens the rear camera on phones. Must run inside the user's tap. */
function fileInput(camera: boolean): Promise<PickedFile[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = DOCUMENT_ACCEPT;
    if (camera) input.setAttribute('capture', 'environment');
    input.multiple = !camera;
    input.style.display = 'none';
    input.dataset.testid = 'document-input';
    const done = (files: File[]) => {
      input.remove();
      resolve(files.map((f) => ({ blob: f, name: f.name, preview: f.type.startsWith('image/') ? URL.createObjectURL(f) : null })));
    };
    input.addEventListener('change', () => done([...(input.files ?? [])]));
    input.addEventListener('cancel', () => done([]));
    document.body.appendChild(input);
    input.click();
  });
}

function dataUrlToBlob(src: string): Blob | null {
  const m = /^data:([^;,]+)?(;base64)?,(.*)$/.exec(src);
  if (!m) return null;
  const bytes = m[2] ? Uint8Array.from(atob(m[3]), (c) => c.charCodeAt(0)) : new TextEncoder().encode(decodeURIComponent(m[3]));
  return new Blob([bytes], { type: m[1] ?? 'image/jpeg' });
}

/**
 * Photos from the camera: inside WeCom through its JS-SDK (chooseImage gives the image data), else
 * (DingTalk, a plain browser) a file input with `capture`, which both open the phone camera.
 */
export async function takePhotos(): Promise<PickedFile[]> {
  if (messengerEnv === 'wecom') {
    const photos = await choosePhotos(9);
    const stamp = Date.now();
    const picked = photos.map((p, i) => {
      const blob = p.file ?? dataUrlToBlob(p.src);
      return blob ? { blob, name: `拍照_${stamp}_${i + 1}.jpg`, preview: p.src } : null;
    });
    if (picked.every((p) => p !== null)) return picked as PickedFile[];
    // An old client without getLocalImgData: fall back to the file input.
  }
  return fileInput(true);
}

/** Images or PDFs already on the phone. */
export function chooseFiles(): Promise<PickedFile[]> {
  return fileInput(false);
}
