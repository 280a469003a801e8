/** The pairing line of a bridge on another port (K7QM-2XPR@7879) and what the popup accepts where it asks for the port. */
import { describe, expect, it } from 'vitest';
import { pairingLine, parsePairingLine } from '../../shared/pairing-line';

describe('pairing line', () => {
  it('carries the port only when it is not the default', () => {
    expect(pairingLine('K7QM-2XPR', 7878)).toBe('K7QM-2XPR');
    expect(pairingLine('K7QM-2XPR', 7879)).toBe('K7QM-2XPR@7879');
  });

  it('reads a port, a code, both, or an address', () => {
    expect(parsePairingLine('7879')).toEqual({ code: null, port: 7879 });
    expect(parsePairingLine(' k7qm-2xpr@7879 ')).toEqual({ code: 'K7QM-2XPR', port: 7879 });
    expect(parsePairingLine('K7QM-2XPR')).toEqual({ code: 'K7QM-2XPR', port: null });
    expect(parsePairingLine('127.0.0.1:7879')).toEqual({ code: null, port: 7879 });
    expect(parsePairingLine(pairingLine('ABCD-EFGH', 40000))).toEqual({ code: 'ABCD-EFGH', port: 40000 });
  });

  it('refuses anything else', () => {
    for (const s of ['', 'abc', '70000', '0', 'K7QM-2XPR 7879', 'http://127.0.0.1:7879']) expect(parsePairingLine(s)).toBeNull();
  });
});
