/**
 * Characters a target provider is known to refuse in folder names, replaced before the
 * first CREATE. Alibaba Mail's own migration guide (阿里邮箱 搬家 准备工作) tells admins to
 * remove + * \ / from folder names first. Targets not listed keep every name they accept;
 * a refused CREATE teaches the engine the rest.
 */
const FORBIDDEN_BY_TARGET: Readonly<Record<string, readonly string[]>> = {
  aliyun: ['+', '*', '\\', '/'],
  'aliyun-personal': ['+', '*', '\\', '/'],
};

export function folderNameForbidden(targetProvider: string | undefined): string[] {
  return targetProvider ? [...(FORBIDDEN_BY_TARGET[targetProvider] ?? [])] : [];
}
