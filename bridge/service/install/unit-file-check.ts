/**
 * A strict reader of the unit files we generate, for the tests (systemd-analyze
 * is not on every CI machine): it parses the ini syntax of systemd.syntax(7),
 * allows only the sections and keys we mean to write, and splits ExecStart back
 * into arguments with systemd's quoting rules so a test can compare them with
 * what was intended. Anything unexpected is an error, not a warning.
 */
const ALLOWED: Record<string, ReadonlySet<string>> = {
  Unit: new Set(['Description', 'Documentation', 'After', 'Wants']),
  Service: new Set(['Type', 'ExecStart', 'WorkingDirectory', 'KillSignal', 'TimeoutStopSec', 'Restart', 'RestartSec', 'UMask', 'NoNewPrivileges', 'Environment', 'EnvironmentFile', 'RestartPreventExitStatus']),
  Install: new Set(['WantedBy']),
};

export interface ParsedUnit {
  sections: Record<string, Record<string, string>>;
  execStart: string[];
}

/** Undoes quoteExecArg: systemd's word splitting with C-style escapes and %% / $$. */
export function splitExecLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    if (line[i] !== '"') throw new Error(`ExecStart: argument at column ${i} is not quoted`);
    i++;
    let arg = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error('ExecStart: unterminated quote');
      if (c === '"') {
        i++;
        break;
      }
      if (c === '\\') {
        const n = line[i + 1];
        if (n !== '\\' && n !== '"') throw new Error(`ExecStart: unexpected escape \\${n}`);
        arg += n;
        i += 2;
        continue;
      }
      if (c === '%') {
        if (line[i + 1] !== '%') throw new Error('ExecStart: a lone % would be expanded as a specifier');
        arg += '%';
        i += 2;
        continue;
      }
      if (c === '$') {
        if (line[i + 1] !== '$') throw new Error('ExecStart: a lone $ would be expanded as a variable');
        arg += '$';
        i += 2;
        continue;
      }
      arg += c;
      i++;
    }
    if (i < line.length && line[i] !== ' ') throw new Error(`ExecStart: text right after a closing quote at column ${i}`);
    args.push(arg);
  }
  return args;
}

export function parseUnitFile(text: string): ParsedUnit {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  let currentName = '';
  text.split('\n').forEach((raw, index) => {
    const n = index + 1;
    if (raw.endsWith('\\')) throw new Error(`line ${n}: line continuations are not expected`);
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      currentName = header[1]!;
      if (!ALLOWED[currentName]) throw new Error(`line ${n}: unexpected section [${currentName}]`);
      if (sections[currentName]) throw new Error(`line ${n}: section [${currentName}] appears twice`);
      current = sections[currentName] = {};
      return;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv) throw new Error(`line ${n}: not "Key=Value": ${line}`);
    if (!current) throw new Error(`line ${n}: setting before any section`);
    const [, key, value] = kv as unknown as [string, string, string];
    if (!ALLOWED[currentName]!.has(key)) throw new Error(`line ${n}: unexpected key ${key} in [${currentName}]`);
    if (key in current) throw new Error(`line ${n}: ${key} set twice`);
    if (value.trim() === '') throw new Error(`line ${n}: ${key} is empty`);
    current[key] = value;
  });
  for (const s of Object.keys(ALLOWED)) if (!sections[s]) throw new Error(`missing section [${s}]`);
  const exec = sections.Service!.ExecStart;
  if (!exec) throw new Error('missing ExecStart');
  const execStart = splitExecLine(exec);
  if (!execStart[0]?.startsWith('/')) throw new Error('ExecStart: the program must be an absolute path');
  const wd = sections.Service!.WorkingDirectory;
  if (!wd?.startsWith('/')) throw new Error('WorkingDirectory must be an absolute path');
  if (/%(?!%)/.test(wd.replace(/%%/g, ''))) throw new Error('WorkingDirectory: a lone % would be expanded');
  return { sections, execStart };
}
