// Message attachments: size and type limits, content sniffed against the claimed type, stored
// in the blob store (`attachments/<client>/<random>`: any web serves what another took) with a
// random name (the user's file name is only metadata).
import crypto from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BlobNotFound, type BlobStore } from '../../infra/blob/index.ts';
import { DomainError } from '../../infra/domain-error.ts';

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

// extension → [content type, magic-bytes check]
const ZIP = (b: Buffer) => b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
const TEXT = (b: Buffer) => !b.subarray(0, 4096).includes(0);
const TYPES: Record<string, [string, (b: Buffer) => boolean]> = {
  pdf: ['application/pdf', (b) => b.subarray(0, 5).toString('latin1') === '%PDF-'],
  png: ['image/png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  jpg: ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  jpeg: ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  txt: ['text/plain', TEXT],
  csv: ['text/csv', TEXT],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ZIP],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', ZIP],
};
export const ALLOWED_EXTENSIONS = Object.keys(TYPES);

export interface UploadedFile {
  name: string;
  data: Buffer;
}

export interface StoredAttachment {
  /** Relative to the attachments root. */
  file: string;
  name: string;
  type: string;
  size: number;
}

/** Checks an upload; throws a DomainError naming what is wrong. */
export function checkAttachment(f: UploadedFile): { name: string; type: string } {
  const name = path.basename(f.name.replace(/\\/g, '/')).split('').filter((ch) => ch.charCodeAt(0) >= 32 && ch !== '"').join('').slice(0, 200) || 'file';
  const ext = path.extname(name).slice(1).toLowerCase();
  const t = TYPES[ext];
  if (!t) throw new DomainError('invalid', { key: 'storeRefusals.messages.fileType', params: { ext: ext || '?', allowed: ALLOWED_EXTENSIONS.join(', ') } });
  if (f.data.length === 0) throw new DomainError('invalid', { key: 'storeRefusals.messages.fileEmpty', params: { name } });
  if (f.data.length > MAX_ATTACHMENT_BYTES) {
    throw new DomainError('invalid', {
      key: 'storeRefusals.messages.fileTooBig',
      params: { name, size: (f.data.length / 1048576).toFixed(1), limit: String(MAX_ATTACHMENT_BYTES / 1048576) },
    });
  }
  if (!t[1](f.data)) throw new DomainError('invalid', { key: 'storeRefusals.messages.fileFake', params: { name, ext } });
  return { name, type: t[0] };
}

const ROOT = 'attachments';

export async function storeAttachment(blobs: BlobStore, clientId: number, f: UploadedFile): Promise<StoredAttachment> {
  const { name, type } = checkAttachment(f);
  const file = `${clientId}/${crypto.randomBytes(16).toString('hex')}`;
  await blobs.put(`${ROOT}/${file}`, f.data);
  return { file, name, type, size: f.data.length };
}

/** The blob key of a stored attachment; refuses anything but the names storeAttachment gives. */
export function attachmentKey(a: StoredAttachment): string {
  if (!/^\d+\/[0-9a-f]{32}$/.test(a.file)) throw new DomainError('not_found', { key: 'storeRefusals.messages.noAttachment' });
  return `${ROOT}/${a.file}`;
}

export async function removeAttachment(blobs: BlobStore, a: StoredAttachment): Promise<void> {
  await blobs.remove(attachmentKey(a));
}

/** The attachment's bytes, streamed; not_found when the stored file is gone. */
export async function openAttachment(blobs: BlobStore, a: StoredAttachment): Promise<Readable> {
  try {
    return await blobs.read(attachmentKey(a));
  } catch (err) {
    if (err instanceof BlobNotFound) throw new DomainError('not_found', { key: 'storeRefusals.messages.noAttachment' });
    throw err;
  }
}
