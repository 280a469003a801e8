/**
 * Where a zero-width non-joiner (U+200C) or joiner (U+200D) is a legitimate part of an address:
 * the CONTEXTJ rules of IDNA (RFC 5892 Appendix A.1 and A.2), which RFC 6531 addresses (EAI)
 * written in Persian, Arabic, Syriac or Indic scripts rely on, e.g. Persian "می‌خواهم" (ZWNJ
 * between two joining letters) or Devanagari "क्‍ष" (ZWJ after a virama). Anywhere else (at
 * the start or end, next to '@', '.' or a Latin letter, doubled) one is as invisible and as
 * wrong as a zero-width space. Applied to the local part too: RFC 6531 sets no rule of its own,
 * and a joiner no rendering needs is one a pasted address picked up.
 *
 * The character sets are Unicode 15.1 data, not expressible as regex properties: code points of
 * Canonical_Combining_Class Virama (UnicodeData.txt) and of Joining_Type L/D, R/D
 * (ArabicShaping.txt). Joining_Type T is General_Category Mn, Me and a few Cf, the latter
 * refused on their own already.
 */

/** Canonical_Combining_Class = Virama (9) */
const VIRAMA = new RegExp(
  '[' +
  '\\u{94D}\\u{9CD}\\u{A4D}\\u{ACD}\\u{B4D}\\u{BCD}\\u{C4D}\\u{CCD}\\u{D3B}-\\u{D3C}\\u{D4D}\\u{DCA}\\u{E3A}' +
  '\\u{EBA}\\u{F84}\\u{1039}-\\u{103A}\\u{1714}-\\u{1715}\\u{1734}\\u{17D2}\\u{1A60}\\u{1B44}' +
  '\\u{1BAA}-\\u{1BAB}\\u{1BF2}-\\u{1BF3}\\u{2D7F}\\u{A806}\\u{A82C}\\u{A8C4}\\u{A953}\\u{A9C0}\\u{AAF6}' +
  '\\u{ABED}\\u{10A3F}\\u{11046}\\u{11070}\\u{1107F}\\u{110B9}\\u{11133}-\\u{11134}\\u{111C0}\\u{11235}' +
  '\\u{112EA}\\u{1134D}\\u{11442}\\u{114C2}\\u{115BF}\\u{1163F}\\u{116B6}\\u{1172B}\\u{11839}' +
  '\\u{1193D}-\\u{1193E}\\u{119E0}\\u{11A34}\\u{11A47}\\u{11A99}\\u{11C3F}\\u{11D44}-\\u{11D45}\\u{11D97}' +
  '\\u{11F41}-\\u{11F42}' +
  ']',
  'u',
);

/** Joining_Type L or D: joins the letter after it */
const JOINS_FORWARD = new RegExp(
  '[' +
  '\\u{620}\\u{626}\\u{628}\\u{62A}-\\u{62E}\\u{633}-\\u{63F}\\u{641}-\\u{647}\\u{649}-\\u{64A}\\u{66E}-\\u{66F}' +
  '\\u{678}-\\u{687}\\u{69A}-\\u{6BF}\\u{6C1}-\\u{6C2}\\u{6CC}\\u{6CE}\\u{6D0}-\\u{6D1}\\u{6FA}-\\u{6FC}\\u{6FF}' +
  '\\u{712}-\\u{714}\\u{71A}-\\u{71D}\\u{71F}-\\u{727}\\u{729}\\u{72B}\\u{72D}-\\u{72E}\\u{74E}-\\u{758}' +
  '\\u{75C}-\\u{76A}\\u{76D}-\\u{770}\\u{772}\\u{775}-\\u{777}\\u{77A}-\\u{77F}\\u{7CA}-\\u{7EA}' +
  '\\u{841}-\\u{845}\\u{848}\\u{84A}-\\u{853}\\u{855}\\u{860}\\u{862}-\\u{865}\\u{868}\\u{886}\\u{889}-\\u{88D}' +
  '\\u{8A0}-\\u{8A9}\\u{8AF}-\\u{8B0}\\u{8B3}-\\u{8B8}\\u{8BA}-\\u{8C8}\\u{1807}\\u{1820}-\\u{1878}' +
  '\\u{1887}-\\u{18A8}\\u{18AA}\\u{A840}-\\u{A872}\\u{10AC0}-\\u{10AC4}\\u{10ACD}\\u{10AD3}-\\u{10ADC}' +
  '\\u{10ADE}-\\u{10AE0}\\u{10AEB}-\\u{10AEE}\\u{10B80}\\u{10B82}\\u{10B86}-\\u{10B88}\\u{10B8A}-\\u{10B8B}' +
  '\\u{10B8D}\\u{10B90}\\u{10BAD}-\\u{10BAE}\\u{10D00}-\\u{10D21}\\u{10D23}\\u{10F30}-\\u{10F32}' +
  '\\u{10F34}-\\u{10F44}\\u{10F51}-\\u{10F53}\\u{10F70}-\\u{10F73}\\u{10F76}-\\u{10F81}\\u{10FB0}' +
  '\\u{10FB2}-\\u{10FB3}\\u{10FB8}\\u{10FBB}-\\u{10FBC}\\u{10FBE}-\\u{10FBF}\\u{10FC1}\\u{10FC4}' +
  '\\u{10FCA}-\\u{10FCB}\\u{1E900}-\\u{1E943}' +
  ']',
  'u',
);

/** Joining_Type R or D: joins the letter before it */
const JOINS_BACKWARD = new RegExp(
  '[' +
  '\\u{620}\\u{622}-\\u{63F}\\u{641}-\\u{64A}\\u{66E}-\\u{66F}\\u{671}-\\u{673}\\u{675}-\\u{6D3}\\u{6D5}' +
  '\\u{6EE}-\\u{6EF}\\u{6FA}-\\u{6FC}\\u{6FF}\\u{710}\\u{712}-\\u{72F}\\u{74D}-\\u{77F}\\u{7CA}-\\u{7EA}' +
  '\\u{840}-\\u{858}\\u{860}\\u{862}-\\u{865}\\u{867}-\\u{86A}\\u{870}-\\u{882}\\u{886}\\u{889}-\\u{88E}' +
  '\\u{8A0}-\\u{8AC}\\u{8AE}-\\u{8C8}\\u{1807}\\u{1820}-\\u{1878}\\u{1887}-\\u{18A8}\\u{18AA}' +
  '\\u{A840}-\\u{A871}\\u{10AC0}-\\u{10AC5}\\u{10AC7}\\u{10AC9}-\\u{10ACA}\\u{10ACE}-\\u{10AD6}' +
  '\\u{10AD8}-\\u{10AE1}\\u{10AE4}\\u{10AEB}-\\u{10AEF}\\u{10B80}-\\u{10B91}\\u{10BA9}-\\u{10BAE}' +
  '\\u{10D01}-\\u{10D23}\\u{10F30}-\\u{10F44}\\u{10F51}-\\u{10F54}\\u{10F70}-\\u{10F81}\\u{10FB0}' +
  '\\u{10FB2}-\\u{10FB6}\\u{10FB8}-\\u{10FBF}\\u{10FC1}-\\u{10FC4}\\u{10FC9}-\\u{10FCA}\\u{1E900}-\\u{1E943}' +
  ']',
  'u',
);

/** Joining_Type T (transparent): the marks that may stand between the joining letters and a ZWNJ */
const TRANSPARENT = /[\p{Mn}\p{Me}]/u;

const ZWNJ = '\u200C';
const ZWJ = '\u200D';

/** RFC 5892 A.1/A.2 for the joiner at `chars[i]` (code points). */
function joinerAllowed(chars: readonly string[], i: number): boolean {
  const before = chars[i - 1];
  if (before !== undefined && VIRAMA.test(before)) return true;
  if (chars[i] === ZWJ) return false;
  let b = i - 1;
  while (b >= 0 && TRANSPARENT.test(chars[b]!)) b--;
  let a = i + 1;
  while (a < chars.length && TRANSPARENT.test(chars[a]!)) a++;
  return b >= 0 && a < chars.length && JOINS_FORWARD.test(chars[b]!) && JOINS_BACKWARD.test(chars[a]!);
}

/**
 * The first invisible format character (\p{Cf}) of `value` that is not a joiner in a place
 * CONTEXTJ allows, or null.
 */
export function misplacedInvisible(value: string): string | null {
  const chars = Array.from(value);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (!/\p{Cf}/u.test(ch)) continue;
    if ((ch === ZWNJ || ch === ZWJ) && joinerAllowed(chars, i)) continue;
    return ch;
  }
  return null;
}
