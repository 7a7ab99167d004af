/** Multipart upload over XHR, because fetch reports no upload progress. */
import { ApiError, toApiError } from './errors';
import { getSession, setSession } from './session';
import type { Dataset } from './types';

export interface UploadHandle {
  promise: Promise<Dataset>;
  abort: () => void;
}

export function uploadDataset(file: File, name: string, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Dataset>((resolve, reject) => {
    const form = new FormData();
    // Fields before the file: the server reads the body as a stream.
    if (name) form.append('name', name);
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
