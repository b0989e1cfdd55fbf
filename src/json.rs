//! JSON output that is safe to print.
//!
//! serde_json already escapes C0 controls, but writes DEL, C1 controls and bidi overrides raw,
//! and those still act on a terminal that `cat`s the output. This formatter writes every
//! character that [`crate::sanitize::is_dangerous`] flags as a `\uXXXX` escape, so the output is
//! plain, valid UTF-8 JSON that decodes back to exactly the original strings.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::sanitize::is_dangerous;

/// A pretty formatter that escapes dangerous characters inside strings.
struct SafeFormatter<'a>(PrettyFormatter<'a>);

macro_rules! delegate {
    ($($name:ident($($arg:ident : $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(w $(, $arg)*)
        })*
    };
}

impl Formatter for SafeFormatter<'_> {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_dangerous(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// Serialises `value` as pretty JSON with dangerous characters escaped.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(4096);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, SafeFormatter(PrettyFormatter::new()));
    value.serialize(&mut ser)?;
    // The serializer only ever writes valid UTF-8: the input was `str` and escapes are ASCII.
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_characters_are_escaped_and_round_trip() {
        let s = "a\u{1b}[2J\u{7f}\u{9b}\u{202e}b\u{2066}";
        let json = to_string_pretty(&serde_json::json!({ "name": s })).expect("serialises");
        for c in json.chars() {
            assert!(
                !is_dangerous(c) || c == '\n',
                "raw {c:?} leaked into JSON output {json}"
            );
        }
        assert!(json.contains("\\u202e"), "bidi override escaped: {json}");
        let back: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(
            back["name"], s,
            "escapes decode back to the original string"
        );
    }
}
