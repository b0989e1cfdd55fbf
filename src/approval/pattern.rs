//! OpenSSH pattern lists (`ssh_config(5)` PATTERNS) as `allowed_signers` uses them.
//!
//! A list is comma-separated patterns; `*` matches any run of characters, `?` exactly one, and
//! a leading `!` negates. As in OpenSSH's `match_pattern_list`, a negated match refuses the
//! whole list, and otherwise at least one positive pattern must match. Matching is
//! case-sensitive, as it is for principals and namespaces in `ssh-keygen -Y verify`.

/// Whether `text` matches one pattern (`*`, `?` wildcards, no negation).
pub fn matches(text: &str, pattern: &str) -> bool {
    let (t, p): (Vec<char>, Vec<char>) = (text.chars().collect(), pattern.chars().collect());
    let (mut ti, mut pi) = (0, 0);
    // Where to resume after the last `*`: (pattern index after it, text index it absorbed to).
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi + 1, ti));
            pi += 1;
        } else if let Some((resume, absorbed)) = star {
            pi = resume;
            ti = absorbed + 1;
            star = Some((resume, absorbed + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether `text` is accepted by a comma-separated pattern list: no negated pattern matches it
/// and at least one positive pattern does.
pub fn matches_list(text: &str, list: &str) -> bool {
    let mut positive = false;
    for pattern in list.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if matches(text, negated) {
                return false;
            }
        } else if matches(text, pattern) {
            positive = true;
        }
    }
    positive
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_in_openssh() {
        for (text, pattern, want) in [
            ("alice@example.com", "alice@example.com", true),
            ("alice@example.com", "*@example.com", true),
            ("alice@example.com", "*", true),
            ("", "*", true),
            ("", "?", false),
            ("alice@example.com", "?lice@*", true),
            ("alice@example.com", "alice@example.co", false),
            ("alice@example.com", "Alice@example.com", false),
            ("aaab", "*a*b", true),
            ("abcabd", "*abd", true),
            ("abcabe", "*abd", false),
            ("a.b.c", "a*c", true),
            ("ac", "a*?c", false),
            ("héllo", "h?llo", true),
        ] {
            assert_eq!(matches(text, pattern), want, "{text:?} against {pattern:?}");
        }
    }

    #[test]
    fn lists_need_a_positive_match_and_no_negated_one() {
        for (text, list, want) in [
            (
                "alice@example.com",
                "bob@example.com,alice@example.com",
                true,
            ),
            ("alice@example.com", "*@example.com,!alice@*", false),
            ("bob@example.com", "*@example.com,!alice@*", true),
            ("alice@example.com", "!bob@example.com", false),
            ("mallory@evil.com", "*@example.com", false),
        ] {
            assert_eq!(matches_list(text, list), want, "{text:?} against {list:?}");
        }
    }
}
