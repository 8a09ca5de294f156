#pragma once
// Text from the trail made safe for a terminal: the job controls argv, paths, names and every
// other string it can get into an event, and a terminal obeys control sequences in what it
// prints (ESC [ 8 m hides text, ESC ] 0 ; retitles the window, a bare CR overwrites the line,
// U+202E reverses it). Every human-readable output of jobtrail passes each field through
// terminal_safe(), so what an operator reads is what ran.
//
// The escaped form, unambiguous and reversible (docs/cli.md, "Terminal output"):
//   \\                  a backslash of the data
//   \e                  ESC (0x1b)
//   \t \n \r            tab, line feed, carriage return
//   \xNN                any other C0 control byte (0x00..0x1f), DEL (0x7f), and every byte that is
//                       not part of well-formed UTF-8 (so raw 0x9b, an 8-bit CSI, never passes)
//   \u{XXXX}            a well-formed code point that controls the display: C1 controls
//                       U+0080..U+009F, the bidi formatting characters U+061C, U+200E, U+200F,
//                       U+202A..U+202E, U+2066..U+2069, and the separators U+2028, U+2029
// Everything else (printable ASCII, other well-formed UTF-8) is kept as it is.
#include <string>
#include <string_view>

namespace jobtrail::text {

std::string terminal_safe(std::string_view s);

// True when a code point is one terminal_safe() writes as \u{...}.
bool is_display_control(char32_t cp);

}  // namespace jobtrail::text
