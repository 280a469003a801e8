import type { StoredJobSpec } from './jobs-repo';

/** A job's storage (mapped / unified) as the admin console names it, in English and Chinese. */
export const STORAGE_WORDS: Record<StoredJobSpec['storage'], { en: string; zh: string }> = {
  mapped: { en: 'original folders (mapped)', zh: '文件夹映射模式' },
  unified: { en: 'one folder named after the old address (unified)', zh: '统一存储模式' },
};
