// The bundle's chunks written in ASCII only. Node decodes a module's source from UTF-8,
// and one character outside Latin-1 (a Chinese word in a regex or a comment, an em dash in
// a package's comment) makes V8 hold the whole chunk as a two-byte string: a slower decode
// at every start and twice the memory for a source V8 keeps to compile functions lazily.
//
// Plain JavaScript: it runs before anything can compile TypeScript.

const hex4 = (code) => code.toString(16).padStart(4, '0');

/**
 * Every character outside ASCII becomes its \uXXXX escape (each half of a surrogate pair
 * its own, which strings and regexes with or without the u flag read as the same
 * character). Where a backslash escaped the character itself (`\未`, an identity escape),
 * that backslash is dropped: `\\u672a` would read as a backslash and "u672a".
 * U+2028 and U+2029 stay as they are: they end a // comment, and after a backslash in a
 * string they are a line continuation, which their escape is not. Raw template strings
 * (String.raw), a regex's `source` and a function's text would see the escapes: none of the
 * bundled code reads them for text with such characters.
 */
export function asciiOnly(text) {
  return text.replace(/(\\*)([^\x00-\x7f\u2028\u2029])/g, (_, slashes, ch) => {
    const kept = slashes.length % 2 === 1 ? slashes.slice(1) : slashes;
    return `${kept}\\u${hex4(ch.charCodeAt(0))}`;
  });
}
