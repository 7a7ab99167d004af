/** Multipart upload over XHR, because fetch reports no upload progress. */
import { ApiError, toApiError } from './errors';
import { getSession, setSession } from './session';
import type { Dataset, ImportPreview } from './types';

export interface UploadHandle {
  promise: Promise<Dataset>;
  abort: () => void;
}

export function uploadDataset(file: File, name: string, onProgress: (fraction: number) => void, fields: Record<string, string> = {}): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Dataset>((resolve, reject) => {
    const form = new FormData();
    // Fields before the file: the server reads the body as a stream.
    if (name) form.append('name', name);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', file, file.name);
    xhr.open('POST', '/api/datasets');
    const token = getSession()?.token;
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(xhr.response as Dataset);
      } else {
        if (xhr.status === 401) setSession(null);
        reject(toApiError(xhr.status, xhr.response, xhr.statusText || 'Upload failed'));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload was interrupted'));
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', 'Upload cancelled'));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/** The server's reading of a file (or of its first lines) with the given options; nothing is stored. */
export async function previewImport(file: Blob, filename: string, fields: Record<string, string>, signal?: AbortSignal): Promise<ImportPreview> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', file, filename);
  const token = getSession()?.token;
  let resp: Response;
  try {
    resp = await fetch('/api/datasets/inspect', { method: 'POST', body: form, signal, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err));
  }
  const body: unknown = await resp.json().catch(() => null);
  if (!resp.ok) throw toApiError(resp.status, body, resp.statusText || 'Preview failed');
  return body as ImportPreview;
}
