//! `package.json` read as npm reads it: JavaScript's `JSON.parse`, not serde_json.
//!
//! npm parses `package.json` with `JSON.parse` (through json-parse-even-better-errors, after
//! stripping a byte-order mark). That accepts documents serde_json refuses: a number out of
//! f64's range (`1e400` is `Infinity`), a lone surrogate escape (`"\ud800"`), and arrays or
//! objects nested far deeper than serde_json's recursion limit. A `package.json` npm installs
//! must never be skipped because our parser is stricter, so this parser accepts exactly the
//! JSON grammar, with no recursion: values nested deeper than [`KEEP_DEPTH`] are checked
//! but not kept (the fields we read are near the top), lone surrogates become U+FFFD and
//! numbers that do not fit become `null`.

use serde_json::{Map, Value};

/// Nesting kept in the result; deeper values are parsed and dropped.
pub const KEEP_DEPTH: usize = 32;

enum Frame {
    Array(Vec<Value>),
    Object(Map<String, Value>, Option<String>),
}

/// Parses `text` as `JSON.parse` would; the error says where and why it would throw.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        b: text.as_bytes(),
        at: 0,
    };
    // Every open container, true for an object (one byte a level, so depth costs no stack);
    // `kept` holds the values of the first KEEP_DEPTH of them.
    let mut open: Vec<bool> = Vec::new();
    let mut kept: Vec<Frame> = Vec::new();
    loop {
        p.ws();
        let mut value = match p.peek() {
            Some(c @ (b'{' | b'[')) => {
                p.at += 1;
                let object = c == b'{';
                open.push(object);
                if kept.len() < KEEP_DEPTH && kept.len() + 1 == open.len() {
                    kept.push(if object {
                        Frame::Object(Map::new(), None)
                    } else {
                        Frame::Array(Vec::new())
                    });
                }
                p.ws();
                if p.peek() == Some(if object { b'}' } else { b']' }) {
                    // Empty: closed below like any other container.
                    None
                } else {
                    if object {
                        let key = p.key()?;
                        if let (true, Some(Frame::Object(_, slot))) =
                            (kept.len() == open.len(), kept.last_mut())
                        {
                            *slot = Some(key);
                        }
                    }
                    continue;
                }
            }
            Some(b'"') => Some(Value::String(p.string()?)),
            Some(b't') => Some(p.word("true", Value::Bool(true))?),
            Some(b'f') => Some(p.word("false", Value::Bool(false))?),
            Some(b'n') => Some(p.word("null", Value::Null)?),
            Some(b'-' | b'0'..=b'9') => Some(p.number()?),
            _ => return Err(p.error("unexpected token")),
        };
        // Attach the value (if any) to its container, then close every container that ends.
        loop {
            let Some(&object) = open.last() else {
                p.ws();
                if p.at != p.b.len() {
                    return Err(p.error("unexpected data after the JSON value"));
                }
                return Ok(value.unwrap_or(Value::Null));
            };
            if kept.len() == open.len() {
                match (kept.last_mut(), value.take()) {
                    (Some(Frame::Array(items)), Some(v)) => items.push(v),
                    (Some(Frame::Object(map, key)), Some(v)) => {
                        if let Some(k) = key.take() {
                            map.insert(k, v);
                        }
                    }
                    _ => {}
                }
            }
            p.ws();
            match p.next_byte() {
                b',' => {
                    if object {
                        p.ws();
                        let key = p.key()?;
                        if let (true, Some(Frame::Object(_, slot))) =
                            (kept.len() == open.len(), kept.last_mut())
                        {
                            *slot = Some(key);
                        }
                    }
                    break;
                }
                b']' if !object => {}
                b'}' if object => {}
                _ => return Err(p.error("expected ',' or the end of the container")),
            }
            value = if kept.len() == open.len() {
                match kept.pop() {
                    Some(Frame::Array(items)) => Some(Value::Array(items)),
                    Some(Frame::Object(map, _)) => Some(Value::Object(map)),
                    None => None,
                }
            } else {
                None
            };
            open.pop();
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn next_byte(&mut self) -> u8 {
        let c = self.peek().unwrap_or(0);
        self.at += 1;
        c
    }

    /// JSON whitespace only (JSON.parse does not accept others).
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Value, String> {
        if self.b[self.at..].starts_with(w.as_bytes()) {
            self.at += w.len();
            Ok(v)
        } else {
            Err(self.error("unexpected token"))
        }
    }

    /// Reads `"key" :`.
    fn key(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a property name"));
        }
        let key = self.string()?;
        self.ws();
        if self.next_byte() != b':' {
            return Err(self.error("expected ':' after a property name"));
        }
        Ok(key)
    }

    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(std::str::from_utf8(&self.b[start..self.at]).unwrap_or("\u{fffd}"));
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let c = self.next_byte();
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.b[self.at..].starts_with(b"\\u")
                            {
                                let save = self.at;
                                self.at += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                    continue;
                                }
                                self.at = save;
                            }
                            // A lone surrogate: JSON.parse keeps it; a Rust string cannot.
                            out.push(char::from_u32(hi).unwrap_or('\u{fffd}'));
                        }
                        _ => return Err(self.error("bad escape in a string")),
                    }
                }
                _ => return Err(self.error("unterminated string or control character in it")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .b
            .get(self.at..self.at + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .filter(|d| d.bytes().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("bad \\u escape"))?;
        self.at += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("bad \\u escape"))
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        let digits = |p: &mut Self| {
            let s = p.at;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.at += 1;
            }
            p.at > s
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        if self.peek() == Some(b'0') {
            self.at += 1;
        } else if !digits(self) {
            return Err(self.error("bad number"));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !digits(self) {
                return Err(self.error("bad number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return Err(self.error("bad number"));
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.at]).unwrap_or("0");
        Ok(serde_json::from_str::<serde_json::Number>(text).map_or(Value::Null, Value::Number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_json_parse_accepts_and_serde_json_does_not() {
        let v = parse(r#"{"a":1e400,"b":"\ud800x","c":"\ud83d\ude00","d":[1,{"e":null}]}"#)
            .expect("JSON.parse reads it");
        assert_eq!(v["a"], Value::Null, "a number past f64 is kept as null");
        assert_eq!(v["b"], "\u{fffd}x", "a lone surrogate becomes U+FFFD");
        assert_eq!(v["c"], "\u{1f600}", "a surrogate pair is one character");
        assert_eq!(v["d"][1]["e"], Value::Null);
        let deep = format!(
            r#"{{"x":{}0{},"scripts":{{"postinstall":"sh"}}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let v = parse(&deep).expect("no recursion limit");
        assert_eq!(v["scripts"]["postinstall"], "sh");
        assert_eq!(
            parse(r#"{"k":1,"k":2}"#).expect("dups")["k"],
            2,
            "the last key wins"
        );
    }

    #[test]
    fn what_json_parse_refuses_is_refused() {
        for bad in [
            "",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "{'a':1}",
            "01",
            "1.",
            "\"a\nb\"",
            "{\"a\" 1}",
            "[1] x",
            "tru",
            "\u{a0}{}",
            "[\"\\x\"]",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} is not JSON");
        }
        assert!(parse(" \t\r\n{ } ").is_ok());
    }
}
